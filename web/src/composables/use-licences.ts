/** Licence status, import of a licence file (multipart upload) and removal. */
import { useMutation, useQuery } from '@urql/vue';
import { computed } from 'vue';
import { ImportLicenceMutation, LicenceStatusQuery, RemoveLicenceMutation } from '../graphql/operations';

export type ImportResult =
  { ok: true; outcome: 'IMPORTED' | 'REPLACED' | 'UNCHANGED'; id: string } | { ok: false; code: string; message: string };

export function useLicences() {
  const status = useQuery({ query: LicenceStatusQuery, requestPolicy: 'network-only' });
  const importing = useMutation(ImportLicenceMutation);
  const removing = useMutation(RemoveLicenceMutation);
  const refresh = () => status.executeQuery({ requestPolicy: 'network-only' });

  async function importFile(file: File): Promise<ImportResult> {
    const result = await importing.executeMutation({ file });
    const outcome = result.data?.importLicence;
    await refresh();
    if (!outcome) return { ok: false, code: 'NETWORK', message: result.error?.message ?? '' };
    return outcome.__typename === 'ImportLicenceSuccess'
      ? { ok: true, outcome: outcome.outcome, id: outcome.licence.id }
      : { ok: false, code: outcome.code, message: outcome.message };
  }

  async function remove(id: string) {
    await removing.executeMutation({ id });
    await refresh();
  }

  return { status: computed(() => status.data.value?.licenceStatus ?? null), importing: importing.fetching, importFile, remove };
}
