// fyr's registry config, read by the real registry: writable for fyr content, read-only at the
// site over a read-only mount (a pull works, a push is refused with the registry's own error).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registryConfig } from '../../src/registry/config.js';
import { pushRelease, skopeo, startRegistry } from '../helpers/registry.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

test('registry config :: read-only, upload purging off, TLS and htpasswd', () => {
  assert.is(
    registryConfig({
      root: '/var/lib/registry',
      addr: ':5000',
      readonly: true,
      tls: { certificate: '/certs/registry.crt', key: '/certs/registry.key' },
      htpasswd: { realm: 'fyr', path: '/auth/htpasswd' },
    }),
    [
      '# Written by fyr (src/registry/config.ts).',
      'version: 0.1',
      'log:',
      '  level: info',
      'storage:',
      '  filesystem:',
      '    rootdirectory: "/var/lib/registry"',
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      '    readonly:',
      '      enabled: true',
      'http:',
      '  addr: ":5000"',
      '  tls:',
      '    certificate: "/certs/registry.crt"',
      '    key: "/certs/registry.key"',
      'auth:',
      '  htpasswd:',
      '    realm: "fyr"',
      '    path: "/auth/htpasswd"',
      '',
    ].join('\n'),
  );
});

test('registry config :: the real registry serves a tree read-only from a read-only mount', async () => {
  const dir = await makeTmpdir();
  const root = join(dir, 'registry');
  try {
    const writable = await startRegistry(root, { dir });
    const { release } = await pushRelease(writable.host, join(dir, 'oci')).finally(() => writable.stop());
    const ro = await startRegistry(root, { dir, readonly: true });
    try {
      const ref = `docker://${ro.host}/openshift/release-images:4.18.9-x86_64`;
      const inspect = await skopeo(['inspect', '--tls-verify=false', ref]);
      assert.is(inspect.exitCode, 0, inspect.all);
      assert.is(JSON.parse(inspect.stdout).Digest, release);
      const pulled = await skopeo(['copy', '--src-tls-verify=false', ref, `dir:${join(dir, 'pulled')}`]);
      assert.is(pulled.exitCode, 0, pulled.all);
      assert.ok(readdirSync(join(dir, 'pulled')).includes('manifest.json'));
      const push = await skopeo([
        'copy',
        '--dest-tls-verify=false',
        `dir:${join(dir, 'pulled')}`,
        `docker://${ro.host}/other/image:1`,
      ]);
      assert.is.not(push.exitCode, 0);
      assert.match(push.all ?? '', /405|Method not allowed|UNSUPPORTED/i);
    } finally {
      await ro.stop();
    }
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
