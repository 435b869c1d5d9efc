/** The accounts service over Patchbay's database, as the server and `npm run admin` both use it. */
import type { Clock } from '../adapters/clock.js';
import { randomIds } from '../adapters/ids.js';
import type { Logger } from '../adapters/logger.js';
import type { PasswordHasher } from '../adapters/password-hasher.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { EventBus } from '../events.js';
import { AccountsRepository } from '../repositories/accounts.repository.js';
import { AccountsService } from '../services/accounts.service.js';

export function wireAccounts(
  config: Readonly<Config>,
  deps: { db: Db; hasher: PasswordHasher; clock: Clock; logger: Logger; events: Pick<EventBus, 'publish'> },
): AccountsService {
  return new AccountsService(
    new AccountsRepository(deps.db),
    deps.hasher,
    deps.clock,
    { idleMs: config.sessionIdleMinutes * 60_000, absoluteMs: config.sessionAbsoluteHours * 3_600_000 },
    deps.logger.child({ area: 'accounts' }),
    randomIds,
    deps.events,
  );
}
