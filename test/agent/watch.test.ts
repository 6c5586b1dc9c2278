// The watch phase over log text written here: progress per node, unknown MACs, and a timeout
// that names who is stuck where.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_OPTIONS, type AgentContext } from '../../src/agent/context.js';
import { dhcpServer } from '../../src/agent/os-profile.js';
import { bastionPaths } from '../../src/agent/paths.js';
import { watch } from '../../src/agent/phases/watch.js';
import { freshState, StateStore, type NodeRecord } from '../../src/agent/state.js';
import type { BastionOs } from '../../src/formats/bastion-os.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const NODES: NodeRecord[] = [
  {
    name: 'cp-0',
    role: 'control-plane',
    mac: '52:54:00:00:00:10',
    ip: '192.168.8.10',
    bmc: 'redfish',
    power: 'on',
    seen: {},
  },
  {
    name: 'cp-1',
    role: 'control-plane',
    mac: '52:54:00:00:00:11',
    ip: '192.168.8.11',
    bmc: 'manual',
    power: 'waiting-for-tech',
    seen: {},
  },
];

async function setup(
  dhcpLog: string,
  accessLog: string,
  timeoutMs: number,
  server: { os: BastionOs; leases?: string } = { os: 'rhel9' },
) {
  const dir = await makeTmpdir();
  const paths = bastionPaths(dir, { state: dir });
  await mkdir(dirname(paths.httpLog), { recursive: true });
  await writeFile(paths.httpLog, accessLog);
  const dhcp = dhcpServer(dir, server.os);
  const units: string[] = [];
  if (server.leases !== undefined) {
    await mkdir(dirname(dhcp.leases), { recursive: true });
    await writeFile(dhcp.leases, server.leases);
  }
  const now = () => new Date('2026-11-22T00:00:00Z');
  const store = new StateStore(paths.stateFile, freshState('edge.example.com', structuredClone(NODES), now()), now);
  const log: string[] = [];
  const ctx = {
    paths,
    os: server.os,
    store,
    now,
    site: {
      nodes: NODES.map((n) => ({ name: n.name, mac: n.mac, bmc: {} })),
      network: { reservations: [] },
      bootstrap: { mac: '52:54:00:94:cf:b4' },
    },
    services: {
      logs: async (unit: string) => {
        units.push(unit);
        return dhcpLog;
      },
    },
    options: { ...DEFAULT_OPTIONS, watchTimeoutMs: timeoutMs, pollMs: 1 },
    log: (l: string) => log.push(l),
    sleep: async () => undefined,
    signal: new AbortController().signal,
  } as unknown as AgentContext;
  return { dir, ctx, store, log, units };
}

const w = suite('agent :: watch phase');

w('every node seen through ignition ends the phase; a stray MAC is reported once', async () => {
  const dhcp = [
    'DHCPACK on 192.168.8.10 to 52:54:00:00:00:10 via br-fyr',
    'DHCPACK on 192.168.8.11 to 52:54:00:00:00:11 via br-fyr',
    'DHCPACK on 192.168.8.150 to 52:54:00:de:ad:01 via br-fyr',
    'DHCPDISCOVER from 52:54:00:de:ad:01 via br-fyr',
  ].join('\n');
  const fetch = (ip: string, path: string) =>
    `${ip} - - [22/Nov/2026:00:01:02 +0000] "GET ${path} HTTP/1.1" 200 10 "-" "curl"`;
  const access = ['10', '11']
    .flatMap((n) =>
      ['/rhcos/kernel', '/rhcos/initramfs.img', '/rhcos/rootfs.img', '/ignition/master.ign'].map((p) =>
        fetch(`192.168.8.${n}`, p),
      ),
    )
    .join('\n');
  const t = await setup(dhcp, access, 60_000);
  try {
    await watch.run(t.ctx, async () => undefined);
    for (const n of t.store.state.nodes)
      assert.equal(Object.keys(n.seen).sort(), ['dhcp', 'ignition', 'initramfs', 'kernel', 'rootfs'], n.name);
    assert.equal(
      t.store.state.unknownMacs.map((u) => [u.mac, u.ip]),
      [['52:54:00:de:ad:01', '192.168.8.150']],
    );
    assert.is(t.log.filter((l) => l.includes('52:54:00:de:ad:01')).length, 1);
  } finally {
    await removeTmpdir(t.dir);
  }
});

w('on RHEL 10 it follows Kea: its journal (kea-dhcp4) and its lease file, strays included', async () => {
  const label = (mac: string) => `[hwtype=1 ${mac}], cid=[01:${mac}], tid=0x9aebc363`;
  const dhcp = [
    `2026-12-01 22:42:07.969 INFO  [kea-dhcp4.leases/18733.1] DHCP4_LEASE_OFFER ${label('52:54:00:00:00:10')}: lease 192.168.8.10 will be offered`,
    `2026-12-01 22:42:08.000 INFO  [kea-dhcp4.leases/18733.1] DHCP4_LEASE_ALLOC ${label('52:54:00:00:00:10')}: lease 192.168.8.10 has been allocated for 3600 seconds`,
  ].join('\n');
  const leases = [
    'address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id',
    '192.168.8.10,52:54:00:00:00:10,,3600,1796168527,1,0,0,cp-0,0,,0',
    '192.168.8.151,52:54:00:de:ad:02,,3600,1796168528,1,0,0,,0,,0',
    '',
  ].join('\n');
  const access = '192.168.8.10 - - [22/Nov/2026:00:01:02 +0000] "GET /rhcos/kernel HTTP/1.1" 200 10 "-" "x"\n';
  const t = await setup(dhcp, access, 0, { os: 'rhel10', leases });
  try {
    await watch.run(t.ctx, async () => undefined).catch(() => undefined);
    assert.ok(t.units.length > 0 && t.units.every((u) => u === 'kea-dhcp4'), `read ${t.units.join(', ')}`);
    const cp0 = t.store.state.nodes.find((n) => n.name === 'cp-0');
    assert.equal(Object.keys(cp0?.seen ?? {}).sort(), ['dhcp', 'kernel']);
    assert.equal(
      t.store.state.unknownMacs.map((u) => [u.mac, u.ip]),
      [['52:54:00:de:ad:02', '192.168.8.151']],
    );
  } finally {
    await removeTmpdir(t.dir);
  }
});

w('past the timeout it fails naming each waiting node and its last step', async () => {
  const t = await setup(
    'DHCPACK on 192.168.8.10 to 52:54:00:00:00:10 via br-fyr',
    '192.168.8.10 - - [22/Nov/2026:00:01:02 +0000] "GET /rhcos/kernel HTTP/1.1" 200 10 "-" "x"\n',
    0,
  );
  try {
    const err = await watch
      .run(t.ctx, async () => undefined)
      .then(
        () => undefined,
        (e: Error) => e,
      );
    assert.is(
      err?.message,
      '2 machine(s) did not fetch ignition in time: cp-0: kernel, cp-1: waiting for the tech to power it on',
    );
  } finally {
    await removeTmpdir(t.dir);
  }
});

w.run();
