// The CNCF distribution registry's config.yml, as fyr runs it twice: writable on loopback for
// fyr content (oc-mirror pushes into it) and read-only at the site, serving the tree straight
// from the stick. Upload purging is off in both: it is on by default, and read-only mode does
// not turn it off (it would try to delete from a read-only file system every day).
export interface RegistryConfig {
  root: string;
  addr: string;
  readonly: boolean;
  tls?: { certificate: string; key: string };
  htpasswd?: { realm: string; path: string };
}

// The path the registry:2 image reads its configuration from.
export const IMAGE_CONFIG_PATH = '/etc/docker/registry/config.yml';

const q = (s: string) => JSON.stringify(s);

export function registryConfig(c: RegistryConfig): string {
  return [
    '# Written by fyr (src/registry/config.ts).',
    'version: 0.1',
    'log:',
    '  level: info',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${q(c.root)}`,
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    '    readonly:',
    `      enabled: ${c.readonly}`,
    'http:',
    `  addr: ${q(c.addr)}`,
    ...(c.tls ? ['  tls:', `    certificate: ${q(c.tls.certificate)}`, `    key: ${q(c.tls.key)}`] : []),
    ...(c.htpasswd
      ? ['auth:', '  htpasswd:', `    realm: ${q(c.htpasswd.realm)}`, `    path: ${q(c.htpasswd.path)}`]
      : []),
    '',
  ].join('\n');
}
