/** Builds the schema from the per-area files; `schema/schema.graphql` is its printed artifact. */
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import './notices.js';
import './accounts.js';
import './system.js';
import './updates.js';
import './licences.js';
import './modules.js';
import './jobs.js';
import './downtime.js';
import './backups.js';
import './install.js';
import './maintenance.js';
import './unattended.js';

export const schema = lexicographicSortSchema(builder.toSchema());
