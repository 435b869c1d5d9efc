/**
 * A sentence for the admin, as a stable code and typed parameters: the SPA words it in the
 * admin's language (en/de/fr) and formats sizes and durations for the locale. The English
 * `message` that goes with it is for logs and integrators, never parsed.
 */
export type NoticeParamKind = 'TEXT' | 'VERSION' | 'BYTES' | 'MILLISECONDS' | 'COUNT';

export interface NoticeParam {
  name: string;
  kind: NoticeParamKind;
  /** Numbers as decimal strings (bytes and milliseconds can exceed 2^31). */
  value: string;
}

export interface Notice<C extends string = string> {
  code: C;
  params: NoticeParam[];
}

type ParamValue = { kind: NoticeParamKind; value: string | number };

export const text = (value: string): ParamValue => ({ kind: 'TEXT', value });
export const version = (value: string): ParamValue => ({ kind: 'VERSION', value });
export const bytes = (value: number): ParamValue => ({ kind: 'BYTES', value });
export const millis = (value: number): ParamValue => ({ kind: 'MILLISECONDS', value });
export const count = (value: number): ParamValue => ({ kind: 'COUNT', value });

/** `notice('BACKUP_DONE', { backupId: text(id), bytes: bytes(n) })`. */
export function notice<C extends string>(code: C, params: Record<string, ParamValue> = {}): Notice<C> {
  return {
    code,
    params: Object.entries(params).map(([name, p]) => ({ name, kind: p.kind, value: String(p.value) })),
  };
}
