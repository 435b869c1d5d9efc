/** Every expected failure of Patchbay, one file per area; import from here. */
export * from './domain-error.js';
export * from './common.js';
export * from './accounts.js';
export * from './appliance.js';
export * from './backup.js';
export * from './disk.js';
export * from './download.js';
export * from './feed.js';
export * from './install.js';
export * from './licence.js';
export * from './maintenance.js';
export * from './modules.js';
export * from './streams.js';
export * from './tls.js';
