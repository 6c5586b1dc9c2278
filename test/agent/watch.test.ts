// The watch phase over log text written here: progress per node, unknown MACs, and a timeout
// that names who is stuck where.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_OPTIONS, type AgentContext } from '../../src/agent/context.js';
import { bastionPaths } from '../../src/agent/paths.js';
import { watch } from '../../src/agent/phases/watch.js';
import { freshState, StateStore, type NodeRecord } from '../../src/agent/state.js';
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

async function setup(dhcpLog: string, accessLog: string, timeoutMs: number) {
  const dir = await makeTmpdir();
  const paths = bastionPaths(dir, { state: dir });
  await mkdir(dirname(paths.httpLog), { recursive: true });
  await writeFile(paths.httpLog, accessLog);
  const now = () => new Date('2026-11-22T00:00:00Z');
  const store = new StateStore(paths.stateFile, freshState('edge.example.com', structuredClone(NODES), now()), now);
  const log: string[] = [];
  const ctx = {
    paths,
    store,
    now,
    site: {
      nodes: NODES.map((n) => ({ name: n.name, mac: n.mac, bmc: {} })),
      network: { reservations: [] },
      bootstrap: { mac: '52:54:00:94:cf:b4' },
    },
    services: { logs: async () => dhcpLog },
    options: { ...DEFAULT_OPTIONS, watchTimeoutMs: timeoutMs, pollMs: 1 },
    log: (l: string) => log.push(l),
    sleep: async () => undefined,
    signal: new AbortController().signal,
  } as unknown as AgentContext;
  return { dir, ctx, store, log };
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
