// The site capability: load, validate and normalize a site file.
export { validateSiteFile, type ValidateOptions, type ValidationResult } from './validate.js';
export type { Bmc, Node, Operator, PortForward, Reservation, Site, Storage, StorageNode } from './model.js';
export type { StorageProfile, StorageType } from './storage.js';
export { STORAGE_PACKAGES, runsWorkloads } from './storage.js';
export { SecretStore } from './secrets.js';
export { secretsSchema, siteSchema, type SiteInput } from './schema.js';
export { installDevice } from './install-device.js';
export { netmaskOf, parseIpv4 } from './ipv4.js';
export { versionMatches } from './version.js';
