// The rendered blueprint parses as TOML, follows composer's image-installer rules, and does not
// depend on the site; the rules themselves reject what composer rejects.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkBlueprint } from '../../src/composer/blueprint-rules.js';
import { parseBlueprintToml } from '../../src/composer/blueprint-toml.js';
import { EXAMPLES, exampleSite, renderFile } from '../helpers/render.js';

const rendered = suite('composer :: blueprint :: rendered');

const blueprintOf = async (example: string, os: 'rhel9' | 'rhel10' = 'rhel9') => {
  const r = await renderFile(exampleSite(example), { os, source: 'liveimg' });
  return { text: r.files.find((f) => f.path === 'blueprint.toml')?.content ?? '', sha256: r.blueprint.sha256 };
};

for (const os of ['rhel9', 'rhel10'] as const) {
  rendered(`${os}: parses and follows the rules`, async () => {
    const bp = parseBlueprintToml((await blueprintOf('edge', os)).text);
    assert.equal(checkBlueprint(bp), []);
    assert.is(bp.name, `fyr-bastion-${os}`);
    const names = (bp.packages as { name: string }[]).map((p) => p.name);
    for (const p of [
      'bind',
      'chrony',
      'tftp-server',
      'httpd',
      'haproxy',
      'tang',
      'cockpit',
      'firewalld',
      'libvirt',
      'qemu-kvm',
      'virt-install',
      'podman',
      'nodejs',
      'ipmitool',
      'clevis-dracut',
    ]) {
      assert.ok(names.includes(p), `${p} in the blueprint`);
    }
    assert.ok(names.includes(os === 'rhel9' ? 'dhcp-server' : 'kea'));
    assert.equal((bp.customizations as { services: { enabled: string[] } }).services.enabled, [
      'cockpit.socket',
      'firewalld',
      'sshd',
    ]);
  });
}

rendered('the same for every site, so one composer build serves them all', async () => {
  const hashes = await Promise.all(EXAMPLES.map(async (e) => (await blueprintOf(e)).sha256));
  assert.is(new Set(hashes).size, 1, hashes.join(' '));
  assert.match(hashes[0] ?? '', /^[0-9a-f]{64}$/);
  const text = (await blueprintOf('ipmi-nat')).text;
  for (const siteValue of ['plant', 'corp.example.net', '172.20', 'ens1f', 'Europe/Oslo', 'ssh-ed25519'])
    assert.not.match(text, siteValue);
});

rendered.run();

// ---

const rules = suite('composer :: blueprint :: rules');
const base = { name: 'ok', version: '1.0.0', packages: [{ name: 'bind', version: '*' }] };
const CASES: [string, Record<string, unknown>, string][] = [
  ['bad name', { ...base, name: 'has space' }, 'name'],
  ['not semver', { ...base, version: '1.0' }, 'version'],
  ['package without name', { ...base, packages: [{ version: '*' }] }, 'packages[0]'],
  ['architecture (not for image-installer)', { ...base, architecture: 'x86_64' }, 'architecture'],
  [
    'filesystem customization',
    { ...base, customizations: { filesystem: [{ mountpoint: '/var', minsize: 1 }] } },
    'customizations.filesystem',
  ],
  [
    'file under /usr',
    { ...base, customizations: { files: [{ path: '/usr/bin/x', data: 'x' }] } },
    'customizations.files[0].path',
  ],
  [
    'file /etc/shadow',
    { ...base, customizations: { files: [{ path: '/etc/shadow', data: 'x' }] } },
    'customizations.files[0].path',
  ],
  [
    'relative directory',
    { ...base, customizations: { directories: [{ path: 'var/lib/x' }] } },
    'customizations.directories[0].path',
  ],
  [
    'non-canonical directory',
    { ...base, customizations: { directories: [{ path: '/var/lib/../x' }] } },
    'customizations.directories[0].path',
  ],
  [
    'bad mode',
    { ...base, customizations: { directories: [{ path: '/var/lib/x', mode: '755x' }] } },
    'customizations.directories[0].mode',
  ],
  [
    'data and uri',
    { ...base, customizations: { files: [{ path: '/etc/x', data: 'a', uri: 'file:///a' }] } },
    'customizations.files[0]',
  ],
  ['bad firewall port', { ...base, customizations: { firewall: { ports: ['22'] } } }, 'customizations.firewall.ports'],
];
rules('a minimal blueprint passes; /usr/local is allowed', () => {
  assert.equal(checkBlueprint(base), []);
  assert.equal(checkBlueprint({ ...base, customizations: { files: [{ path: '/usr/local/bin/x', data: 'x' }] } }), []);
});
for (const [name, bp, path] of CASES) {
  rules(name, () => {
    const issues = checkBlueprint(bp);
    assert.ok(
      issues.some((i) => i.path === path),
      JSON.stringify(issues),
    );
  });
}
rules.run();
