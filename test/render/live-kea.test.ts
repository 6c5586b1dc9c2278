// The RHEL 10 bastion's Kea DHCPv4 config, checked and served by the real Kea (Debian's
// kea-dhcp4, in network namespaces): `kea-dhcp4 -t` accepts every example and refuses a broken
// copy; started, it gives every reserved MAC its address, host name and the boot file for its
// firmware, and an unknown MAC a pool address. The client is busybox udhcpc asking for no
// options at all (-o), so what comes back is what Kea sends unasked. Kea's own log and lease
// file are then read with the watch phase's parsers.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseKeaLeases, parseKeaLog } from '../../src/agent/watch-parse.js';
import { KEA_CONFIG } from '../helpers/kea.js';
import { linkNamespaces, waitFor, withNetns, type Netns } from '../helpers/netns.js';
import { EXAMPLES, exampleSite, renderTo, variantSite } from '../helpers/render.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const RHEL10 = { os: 'rhel10', source: 'liveimg' } as const;

// Kea resolves bare names against its working directory (2.2) or its data and socket
// directories (2.6.3, from these variables): both point into the test's directory.
const keaEnv = (dir: string) => ({
  KEA_PIDFILE_DIR: dir,
  KEA_LOCKFILE_DIR: dir,
  KEA_DHCP_DATA_DIR: dir,
  KEA_CONTROL_SOCKET_DIR: dir,
});

async function withBridge<T>(fn: (ns: Netns) => Promise<T>): Promise<T> {
  return withNetns(['kea-t'], async ([ns]) => {
    if (!ns) throw new Error('namespace');
    // -t opens nothing but checks that the configured interface exists.
    await ns.exec('ip', ['link', 'add', 'br-fyr', 'type', 'bridge']);
    return fn(ns);
  });
}

const check = suite<{ dir?: string }>('render :: kea-dhcp4 -t');
check.before(async (ctx) => {
  ctx.dir = await makeTmpdir();
});
check.after(async (ctx) => removeTmpdir(ctx.dir));

for (const example of EXAMPLES) {
  check(`${example} (rhel10): kea-dhcp4 -t accepts it`, async (ctx) => {
    const { out } = await renderTo(exampleSite(example), join(ctx.dir ?? '', example), RHEL10);
    await withBridge(async (ns) => {
      const r = await ns.exec('kea-dhcp4', ['-t', join(out, KEA_CONFIG)]);
      assert.is(r.exitCode, 0, r.stdout + r.stderr);
    });
  });
}

check('a broken copy is refused, with the line Kea stumbled on', async (ctx) => {
  const { out } = await renderTo(exampleSite('edge'), join(ctx.dir ?? '', 'broken'), RHEL10);
  const file = join(out, KEA_CONFIG);
  const text = await readFile(file, 'utf8');
  const cases: Array<[string, string, string]> = [
    ['a missing comma', text.replace('"authoritative": true,', '"authoritative": true'), 'kea-dhcp4.conf:'],
    [
      'an address outside the subnet',
      text.replace('"ip-address": "192.168.8.10"', '"ip-address": "10.9.9.9"'),
      "reservation '10.9.9.9' is not within the IPv4 subnet",
    ],
    ['an unknown option name', text.replace('"name": "ntp-servers"', '"name": "ntp-server"'), 'ntp-server'],
  ];
  await withBridge(async (ns) => {
    for (const [name, broken, message] of cases) {
      assert.is.not(broken, text, name);
      await writeFile(file, broken);
      const r = await ns.exec('kea-dhcp4', ['-t', file]);
      assert.is.not(r.exitCode, 0, `${name} passed kea-dhcp4 -t`);
      assert.match(r.stdout + r.stderr, message, name);
    }
  });
});

check.run();

// ---

interface Lease {
  ip: string;
  boot_file?: string;
  siaddr?: string;
  hostname?: string;
  ntpsrv?: string;
  dns?: string;
  domain?: string;
  router?: string;
}

const live = suite<{ dir?: string }>('render :: live kea');
live.before(async (ctx) => {
  ctx.dir = await makeTmpdir();
});
live.after(async (ctx) => removeTmpdir(ctx.dir));

live('Kea serves the reservations, boot files by firmware, and pool addresses to strangers', async (ctx) => {
  const dir = ctx.dir ?? '';
  const file = await variantSite('ipmi-nat', dir, {
    site: (t) =>
      t.replace(
        'bmc: { type: ipmi, address: 172.20.0.110,',
        'bmc: { type: ipmi, address: 172.20.0.110, mac: "b8:ca:3a:6e:20:00",',
      ),
  });
  const { out } = await renderTo(file, dir, RHEL10);
  const site = JSON.parse(await readFile(join(out, 'bundle/etc/fyr/site.json'), 'utf8'));
  const data = join(dir, 'kea');
  await mkdir(data, { recursive: true });
  const script = join(dir, 'udhcpc.sh');
  // udhcpc hands the lease to its script in the environment.
  await writeFile(script, `#!/bin/sh\n[ "$1" = bound ] && env > "$LEASE_OUT"\nexit 0\n`, { mode: 0o755 });
  await withNetns(['kea-srv', 'kea-cli'], async ([srv, cli]) => {
    if (!srv || !cli) throw new Error('namespaces');
    await linkNamespaces({ ns: srv, ifname: 'br-fyr', cidr: '172.20.0.1/24' }, { ns: cli, ifname: 'pxe0' });
    const kea = srv.spawn('kea-dhcp4', ['-c', join(out, KEA_CONFIG)], { cwd: data, env: keaEnv(data) });
    await waitFor(
      async () => ((await readFile(join(data, 'kea-leases4.csv'), 'utf8').catch(() => '')) ? true : undefined),
      15_000,
      'Kea to open its lease file',
    );
    let n = 0;
    const lease = async (mac: string, arch?: number): Promise<Lease> => {
      n += 1;
      await cli.exec('ip', ['link', 'set', 'pxe0', 'down']);
      await cli.exec('ip', ['link', 'set', 'pxe0', 'address', mac]);
      await cli.exec('ip', ['link', 'set', 'pxe0', 'up']);
      const outFile = join(dir, `lease-${n}.env`);
      const args = ['udhcpc', '-i', 'pxe0', '-n', '-q', '-f', '-o', '-s', script, '-t', '6', '-T', '1'];
      if (arch !== undefined) args.push('-x', `0x5d:${arch.toString(16).padStart(4, '0')}`);
      const r = await cli.exec('env', [`LEASE_OUT=${outFile}`, 'busybox', ...args]);
      assert.is(r.exitCode, 0, `udhcpc for ${mac}: ${r.stdout}${r.stderr}`);
      const env = Object.fromEntries(
        (await readFile(outFile, 'utf8'))
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      return env as unknown as Lease;
    };
    const machines: Array<[string, string, string]> = [
      ...site.nodes.map((x: { name: string; mac: string; ip: string }) => [x.name, x.mac, x.ip]),
      ['bootstrap', site.bootstrap.mac, site.bootstrap.ip],
      ['tor-switch', '00:1b:21:3a:4f:01', '172.20.0.2'],
      ['master-0-bmc', 'b8:ca:3a:6e:20:00', '172.20.0.110'],
    ];
    // BIOS (0), x86-64 UEFI (7 and 9), and no option 93 at all (a switch, a BMC).
    const arches = [0, 7, 9, undefined];
    for (const [i, [name, mac, ip]] of machines.entries()) {
      const arch = arches[i % arches.length];
      const got = await lease(mac, arch);
      assert.is(got.ip, ip, `${name}: its reservation`);
      assert.is(got.hostname, name, `${name}: its host name, unasked`);
      assert.is(got.boot_file, arch === 7 || arch === 9 ? 'uefi/shimx64.efi' : 'lpxelinux.0', `${name} boot file`);
      assert.is(got.siaddr, '172.20.0.1', `${name}: next-server`);
      assert.is(got.ntpsrv, '172.20.0.1', `${name}: NTP, unasked`);
      assert.is(got.dns, '172.20.0.1');
      assert.is(got.domain, site.cluster.fqdn);
      assert.is(got.router, '172.20.0.1');
    }
    const stranger = await lease('02:00:00:aa:bb:cc', 7);
    assert.match(stranger.ip, /^172\.20\.0\.(2[0-4]\d|250)$/, `a pool address, got ${stranger.ip}`);
    assert.is(stranger.boot_file, 'uefi/shimx64.efi');
    assert.is(stranger.hostname, undefined);
    kea.kill('SIGTERM');
    const log = String((await kea).all);
    // The watch phase reads the same lines from the journal, and the same lease file.
    const acked = parseKeaLog(log).filter((s) => s.acked);
    for (const [name, mac, ip] of machines)
      assert.ok(
        acked.some((s) => s.mac === mac && s.ip === ip),
        `${name} in the log`,
      );
    assert.ok(
      acked.some((s) => s.mac === '02:00:00:aa:bb:cc' && s.ip === stranger.ip),
      'the stranger in the log',
    );
    const leases = parseKeaLeases(await readFile(join(data, 'kea-leases4.csv'), 'utf8'));
    assert.ok(
      leases.some((l) => l.mac === '02:00:00:aa:bb:cc' && l.ip === stranger.ip),
      'the stranger in the lease file',
    );
    assert.is(leases.length, machines.length + 1);
  });
});

live.run();
