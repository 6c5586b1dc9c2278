// The site capability: load, validate and normalize a site file.
export { validateSiteFile, type ValidateOptions, type ValidationResult } from './validate.js';
export type { Bmc, Node, PortForward, Reservation, Site } from './model.js';
export { SecretStore } from './secrets.js';
export { secretsSchema, siteSchema, type SiteInput } from './schema.js';
export { installDevice } from './install-device.js';
export { netmaskOf, parseIpv4 } from './ipv4.js';
export { versionMatches } from './version.js';
