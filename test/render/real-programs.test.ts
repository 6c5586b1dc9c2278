// Every rendered service config, checked by the program that will read it on the bastion.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EXAMPLES, exampleSite, renderTo } from '../helpers/render.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

async function check(cmd: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  const r = await execa(cmd, args, { reject: false, all: true });
  return { ok: r.exitCode === 0, output: String(r.all) };
}

async function assertPasses(cmd: string, args: string[]): Promise<void> {
  const r = await check(cmd, args);
  assert.ok(r.ok, `${cmd} ${args.join(' ')} failed:\n${r.output}`);
}

// The checks, one per program, over one rendered bundle.
const CHECKS: Record<string, (bundle: string) => Promise<void>> = {
  // -t chroots into the bundle, so the paths in named.conf are checked as they are on the bastion.
  'named-checkconf -z': (b) => assertPasses('named-checkconf', ['-t', b, '-z', '/etc/named.conf']),
  'named-checkzone': async (b) => {
    const zones = (await readdir(join(b, 'var/named'))).filter((f) => f.endsWith('.zone'));
    assert.ok(zones.length >= 2, 'a forward and a reverse zone');
    for (const z of zones)
      await assertPasses('named-checkzone', [
        '-k',
        'fail',
        '-n',
        'fail',
        z.replace(/\.zone$/, ''),
        join(b, 'var/named', z),
      ]);
  },
  'dhcpd -t': (b) => assertPasses('dhcpd', ['-t', '-4', '-cf', join(b, 'etc/dhcp/dhcpd.conf')]),
  'haproxy -c': (b) => assertPasses('haproxy', ['-c', '-f', join(b, 'etc/haproxy/haproxy.cfg')]),
  'chronyd -p': (b) => assertPasses('chronyd', ['-p', '-f', join(b, 'etc/chrony.conf')]),
  'virt-xml-validate': (b) => assertPasses('virt-xml-validate', [join(b, 'var/lib/fyr/bootstrap.xml'), 'domain']),
  'xmllint (firewalld)': async (b) => {
    const files = ['zones/fyr-wan.xml', 'zones/fyr-lan.xml', 'policies/fyr-lan-to-wan.xml'].map((f) =>
      join(b, 'etc/firewalld', f),
    );
    await assertPasses('xmllint', ['--noout', ...files]);
  },
};

for (const example of EXAMPLES) {
  const test = suite<{ dir?: string; bundle: string }>(`render :: real programs :: ${example}`, { bundle: '' });
  test.before(async (ctx) => {
    ctx.dir = await makeTmpdir();
    const { out } = await renderTo(exampleSite(example), ctx.dir);
    ctx.bundle = join(out, 'bundle');
  });
  test.after(async (ctx) => removeTmpdir(ctx.dir));
  for (const [name, run] of Object.entries(CHECKS)) test(name, async (ctx) => run(ctx.bundle));
  test.run();
}

// ---

// The same checks must reject a broken file, or they prove nothing.
const broken = suite<{ dir?: string; bundle: string }>('render :: real programs :: reject broken files', {
  bundle: '',
});
broken.before(async (ctx) => {
  ctx.dir = await makeTmpdir();
  const { out } = await renderTo(exampleSite('edge'), ctx.dir);
  ctx.bundle = join(out, 'bundle');
});
broken.after(async (ctx) => removeTmpdir(ctx.dir));

const BREAKAGES: [string, string, (text: string) => string, string, (b: string) => string[]][] = [
  [
    'named.conf',
    'etc/named.conf',
    (t) => t.replace('recursion yes;', 'recursion yes'),
    'named-checkconf',
    (b) => ['-t', b, '-z', '/etc/named.conf'],
  ],
  [
    'zone',
    'var/named/edge.example.com.zone',
    (t) => `${t}cp-9\tIN\tA\t192.168.8.300\n`,
    'named-checkzone',
    (b) => ['edge.example.com', join(b, 'var/named/edge.example.com.zone')],
  ],
  [
    'dhcpd.conf',
    'etc/dhcp/dhcpd.conf',
    (t) => t.replace('fixed-address 192.168.8.10;', 'fixed-address 192.168.8.10'),
    'dhcpd',
    (b) => ['-t', '-4', '-cf', join(b, 'etc/dhcp/dhcpd.conf')],
  ],
  [
    'haproxy.cfg',
    'etc/haproxy/haproxy.cfg',
    (t) => t.replace('mode tcp', 'mode tcpx'),
    'haproxy',
    (b) => ['-c', '-f', join(b, 'etc/haproxy/haproxy.cfg')],
  ],
  [
    'chrony.conf',
    'etc/chrony.conf',
    (t) => t.replace('local stratum 8', 'local stratum eight'),
    'chronyd',
    (b) => ['-p', '-f', join(b, 'etc/chrony.conf')],
  ],
  [
    'bootstrap.xml',
    'var/lib/fyr/bootstrap.xml',
    (t) => t.replace('<vcpu placement="static">4</vcpu>', '<vcpu placement="sometimes">4</vcpu>'),
    'virt-xml-validate',
    (b) => [join(b, 'var/lib/fyr/bootstrap.xml'), 'domain'],
  ],
  [
    'firewalld zone',
    'etc/firewalld/zones/fyr-lan.xml',
    (t) => t.replace('</zone>', ''),
    'xmllint',
    (b) => ['--noout', join(b, 'etc/firewalld/zones/fyr-lan.xml')],
  ],
];

for (const [name, file, breakIt, cmd, args] of BREAKAGES) {
  broken(`${cmd} rejects a broken ${name}`, async (ctx) => {
    const path = join(ctx.bundle, file);
    const original = await readFile(path, 'utf8');
    const changed = breakIt(original);
    assert.is.not(changed, original, 'the breakage applies');
    await writeFile(path, changed);
    try {
      const r = await check(cmd, args(ctx.bundle));
      assert.not.ok(r.ok, `${cmd} accepted a broken ${name}`);
    } finally {
      await writeFile(path, original);
    }
  });
}

broken.run();
