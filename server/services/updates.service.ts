/**
 * "Search now" and what it finds: runs the verified feed refresh, records every check (manual or
 * scheduled) with its outcome, keeps the last verified catalog, and lists the versions newer than
 * the installed one on the configured channel, with notes, size, path and blockers.
 *
 * The catalog and the settings are kept in memory after their first read and replaced when they are
 * written (only here). The available versions are a read model over the catalog, the channel, the
 * installed version and the licences in force: computed again only when one of them changed, the
 * same list otherwise (shared by every caller: not to be changed).
 */
import semver from 'semver';
import type { Clock } from '../adapters/clock.js';
import type { VerifiedFeed } from '../adapters/feed/tuf-feed-client.js';
import type { Logger } from '../adapters/logger.js';
import { type Catalog, type Channel, CHANNELS, type Locale, notesFor, type Release, wantedLocale } from '../domain/catalog.js';
import type { TargetInfo } from '../adapters/feed/tuf-feed-client.js';
import { type LicenceDocument, licenceBlockers } from '../domain/licence.js';
import { type Blocker, newerReleases } from '../domain/upgrade-path.js';
import type { SettingsRepository } from '../repositories/settings.repository.js';
import type { UpdateCheckRow, UpdatesRepository } from '../repositories/updates.repository.js';
import { FeedError, type FeedErrorCode, type FeedErrorDetails, InvalidInputError, isFeedErrorCode } from '../domain/errors/index.js';
import { ReadModel } from './read-models/read-model.js';

export interface FeedSource {
  refresh(): Promise<VerifiedFeed>;
}

export interface AvailableVersion {
  version: string;
  releasedAt: string;
  releaseNotes: string;
  releaseNotesLocale: Locale;
  downloadSize: number;
  requiresLicenceMajor: number;
  requiredStops: string[];
  blockers: Blocker[];
  installable: boolean;
  channel: Channel;
}

export interface UpdateSettings {
  channel: Channel;
  checkIntervalHours: number;
  /** Bytes per second for background downloads; null = no cap. */
  downloadBandwidthLimit: number | null;
}

/** Why a recorded check failed, as data (a value, not a thrown error: it is part of the check's record). */
export interface FeedFailure {
  code: FeedErrorCode;
  message: string;
  details: FeedErrorDetails;
}

/** A change of the settings; absent fields stay as they are. A bandwidth cap of 0 removes the cap. */
export interface UpdateSettingsChange {
  channel?: Channel | null;
  checkIntervalHours?: number | null;
  downloadBandwidthLimit?: number | null;
}

export type CheckTrigger = 'MANUAL' | 'SCHEDULED';

export const DEFAULT_UPDATE_SETTINGS: UpdateSettings = { channel: 'stable', checkIntervalHours: 24, downloadBandwidthLimit: null };

type StoredCatalog = { catalog: Catalog; targets: Record<string, TargetInfo>; verifiedAt: Date };

export class UpdatesService {
  private running: Promise<UpdateCheckRow> | null = null;
  /** undefined: not read yet; null: no catalog verified yet. */
  private stored: StoredCatalog | null | undefined = undefined;
  private currentSettings: UpdateSettings | null = null;
  private readonly versions = new ReadModel<[StoredCatalog, Channel, string, LicenceDocument[]], Locale, AvailableVersion[]>();
  private readonly afterSuccess: ((check: UpdateCheckRow) => Promise<void>)[] = [];

  constructor(
    private readonly feed: FeedSource,
    private readonly repo: UpdatesRepository,
    private readonly settingsStore: Pick<SettingsRepository, 'getSetting' | 'putSetting'>,
    private readonly installedVersion: () => Promise<string>,
    /** The licences in force: the same array until that changes (a new one invalidates the versions). */
    private readonly licences: () => LicenceDocument[],
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * Work to do after each successful check, manual or scheduled (the unattended policy), before the
   * check answers; a failure of it is logged and the check stands.
   */
  onSuccessfulCheck(listener: (check: UpdateCheckRow) => Promise<void>): void {
    this.afterSuccess.push(listener);
  }

  /** "Search now": the recorded check when it succeeded, else why the feed could not be used. */
  async searchNow(): Promise<{ check: UpdateCheckRow } | FeedFailure> {
    const check = await this.check('MANUAL');
    return this.failureOf(check) ?? { check };
  }

  /** Why a recorded check failed, with the code it recorded; null for a successful one. */
  failureOf(check: UpdateCheckRow): FeedFailure | null {
    if (check.outcome === 'SUCCEEDED') return null;
    if (!isFeedErrorCode(check.errorCode)) throw new Error(`Update check ${check.id} recorded an unknown error code ${check.errorCode}.`);
    return { code: check.errorCode, message: check.errorMessage ?? '', details: (check.errorDetails ?? {}) as FeedErrorDetails };
  }

  /** One search; concurrent callers share the one running. The outcome is recorded either way. */
  check(trigger: CheckTrigger): Promise<UpdateCheckRow> {
    this.running ??= this.runCheck(trigger).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runCheck(trigger: CheckTrigger): Promise<UpdateCheckRow> {
    const startedAt = this.clock.now();
    let feed: VerifiedFeed;
    try {
      feed = await this.feed.refresh();
    } catch (err) {
      // The feed client maps every failure of the feed onto a FeedError; anything else it let
      // through is still the feed's, not the appliance's (saving the catalog is outside this try).
      const e =
        err instanceof FeedError
          ? err
          : new FeedError('FEED_MALFORMED', `The feed could not be processed: ${err instanceof Error ? err.message : String(err)}`);
      this.logger.warn('update check failed', { trigger, code: e.code, message: e.message });
      return this.repo.insertCheck({
        trigger,
        startedAt,
        finishedAt: this.clock.now(),
        outcome: 'FAILED',
        errorCode: e.code,
        errorMessage: e.message,
        errorDetails: { ...e.details },
      });
    }
    this.repo.saveCatalog(feed.catalog, feed.targets, this.clock.now());
    this.stored = this.repo.loadCatalog();
    const found = (await this.availableVersions(null)).length;
    this.logger.info('update check', { trigger, outcome: 'SUCCEEDED', versionsFound: found });
    const check = this.repo.insertCheck({ trigger, startedAt, finishedAt: this.clock.now(), outcome: 'SUCCEEDED', versionsFound: found });
    for (const listener of this.afterSuccess) {
      await listener(check).catch((err: unknown) => this.logger.error('work after the update check failed', { trigger, err }));
    }
    return check;
  }

  /** Resolves once no check is running (for a clean shutdown). */
  async settled(): Promise<void> {
    await this.running?.catch(() => {});
  }

  lastCheck(): UpdateCheckRow | null {
    return this.repo.lastCheck() ?? null;
  }

  /** How many times the available versions were computed (once per change of their inputs and locale). */
  get computations(): number {
    return this.versions.computations;
  }

  /** Versions newer than the installed one on the configured channel, newest first. */
  async availableVersions(locale: string | null): Promise<AvailableVersion[]> {
    const stored = this.catalog();
    if (!stored) return [];
    const { channel } = this.settings();
    const installed = await this.installedVersion();
    const licences = this.licences();
    const wanted = wantedLocale(locale);
    return this.versions.read([stored, channel, installed, licences], wanted, () =>
      this.computeVersions(stored, channel, installed, licences, wanted),
    );
  }

  private computeVersions(
    stored: StoredCatalog,
    channel: Channel,
    installed: string,
    licences: LicenceDocument[],
    locale: Locale,
  ): AvailableVersion[] {
    // The beta channel sees stable releases too; stable never sees pre-releases.
    const releases: { release: Release; channel: Channel }[] = [
      ...stored.catalog.channels.stable.map((release) => ({ release, channel: 'stable' as const })),
      ...(channel === 'beta' ? stored.catalog.channels.beta.map((release) => ({ release, channel: 'beta' as const })) : []),
    ].filter((r) => channel === 'beta' || !semver.prerelease(r.release.version));
    const channelOf = new Map(releases.map((r) => [r.release.version, r.channel]));
    const now = this.clock.now();
    return newerReleases(
      installed,
      releases.map((r) => r.release),
    ).map(({ release, requiredStops, blockers: pathBlockers }) => {
      const notes = notesFor(release.notes, locale);
      const blockers = [...pathBlockers, ...licenceBlockers(release, licences, now)];
      return {
        version: release.version,
        releasedAt: release.releasedAt,
        releaseNotes: notes.markdown,
        releaseNotesLocale: notes.locale,
        downloadSize: stored.targets[release.bundle.target]?.length ?? release.bundle.size,
        requiresLicenceMajor: release.requiresLicenceMajor,
        requiredStops,
        blockers,
        installable: blockers.length === 0,
        channel: channelOf.get(release.version) ?? 'stable',
      };
    });
  }

  /**
   * What keeps `version` from being installed now (licences, contract, path). A version that is
   * not among the newer ones is `ALREADY_INSTALLED`.
   */
  async blockersOf(version: string): Promise<Blocker[]> {
    const found = (await this.availableVersions(null)).find((v) => v.version === version);
    return found ? found.blockers : [{ code: 'ALREADY_INSTALLED', message: `Version ${version} is not newer than the installed one.` }];
  }

  settings(): UpdateSettings {
    this.currentSettings ??= { ...DEFAULT_UPDATE_SETTINGS, ...this.settingsStore.getSetting<Partial<UpdateSettings>>('updates') };
    return this.currentSettings;
  }

  updateSettings(change: UpdateSettingsChange): UpdateSettings {
    const cap = change.downloadBandwidthLimit;
    const input: Partial<UpdateSettings> = {
      channel: change.channel ?? undefined,
      checkIntervalHours: change.checkIntervalHours ?? undefined,
      downloadBandwidthLimit: cap === 0 ? null : (cap ?? undefined),
    };
    if (input.channel !== undefined && !(CHANNELS as readonly string[]).includes(input.channel)) {
      throw new InvalidInputError(`The channel must be one of ${CHANNELS.join(', ')}.`, 'channel');
    }
    if (
      input.checkIntervalHours !== undefined &&
      (!Number.isInteger(input.checkIntervalHours) || input.checkIntervalHours < 1 || input.checkIntervalHours > 24 * 30)
    ) {
      throw new InvalidInputError('The check interval must be a whole number of hours from 1 to 720.', 'checkIntervalHours');
    }
    if (input.downloadBandwidthLimit != null && (!Number.isInteger(input.downloadBandwidthLimit) || input.downloadBandwidthLimit < 1024)) {
      throw new InvalidInputError(
        'The bandwidth cap is a whole number of bytes per second, at least 1024 (or none).',
        'downloadBandwidthLimit',
      );
    }
    const next = { ...this.settings(), ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
    this.settingsStore.putSetting('updates', next, this.clock.now());
    this.currentSettings = next;
    return next;
  }

  /** The verified catalog and the release for `version`, for the module plan. */
  findRelease(version: string) {
    const stored = this.catalog();
    const release = stored && [...stored.catalog.channels.stable, ...stored.catalog.channels.beta].find((r) => r.version === version);
    return stored && release ? { release, catalog: stored.catalog } : null;
  }

  /**
   * Where a release bundle (or a module bundle released for it) is, with its signed length and hash.
   * A verified catalog that names a bundle the signed targets do not list is a malformed feed.
   */
  bundleFor(version: string, module?: { moduleId: string; version: string }): { name: string; length: number; sha256: string } {
    const stored = this.catalog();
    const release = stored && [...stored.catalog.channels.stable, ...stored.catalog.channels.beta].find((r) => r.version === version);
    const bundle = module
      ? stored?.catalog.modules.find((m) => m.id === module.moduleId && m.version === module.version)?.bundle
      : release?.bundle;
    const target = bundle && stored?.targets[bundle.target];
    if (!target) {
      const what = module ? `${module.moduleId} ${module.version}` : version;
      throw new FeedError('FEED_MALFORMED', `The feed lists no signed target for ${what}.`, { file: bundle?.target ?? what });
    }
    return target;
  }

  /** The last verified catalog, read from storage once; replaced by each successful check. */
  private catalog(): StoredCatalog | null {
    if (this.stored === undefined) this.stored = this.repo.loadCatalog();
    return this.stored;
  }

  /** When the next scheduled check is due: the interval after the last check of any kind. */
  nextScheduledCheck(): Date {
    const last = this.repo.lastCheck();
    const interval = this.settings().checkIntervalHours * 3_600_000;
    return last ? new Date(last.startedAt.getTime() + interval) : this.clock.now();
  }
}
