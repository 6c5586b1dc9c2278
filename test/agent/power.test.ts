// The power phase's decisions, with BMC drivers written here: what each node's saved state and
// its BMC's answer lead to, the parallel limit, and manual BMCs.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BmcDriver, Power } from '../../src/agent/bmc/index.js';
import { DEFAULT_OPTIONS, type AgentContext } from '../../src/agent/context.js';
import { bastionPaths } from '../../src/agent/paths.js';
import { power } from '../../src/agent/phases/power.js';
import { freshState, StateStore, type NodeRecord } from '../../src/agent/state.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

interface Fake {
  calls: string[];
  state: Power;
  active: number;
  maxActive: number;
}

function fakeDriver(name: string, fake: Fake, shared: { active: number; max: number }): BmcDriver {
  const step = async (what: string) => {
    shared.active += 1;
    shared.max = Math.max(shared.max, shared.active);
    await new Promise((r) => setTimeout(r, 20));
    fake.calls.push(what);
    shared.active -= 1;
  };
  return {
    describe: `fake ${name}`,
    powerState: async () => fake.state,
    pxeOnce: () => step('pxe'),
    powerOn: async () => {
      await step('on');
      fake.state = 'On';
    },
    restart: () => step('restart'),
    powerOff: async (how) => {
      await step(`off ${how}`);
      fake.state = 'Off';
    },
  };
}

async function setup(
  nodes: Array<{ name: string; bmc: string; power: NodeRecord['power']; state: Power }>,
  parallel = 3,
) {
  const dir = await makeTmpdir();
  const paths = bastionPaths(dir, { state: dir });
  const now = () => new Date('2026-11-22T00:00:00Z');
  const records: NodeRecord[] = nodes.map((n) => ({
    name: n.name,
    role: 'control-plane',
    mac: '52:54:00:00:00:10',
    ip: '192.168.8.10',
    bmc: n.bmc,
    power: n.power,
    seen: {},
  }));
  const store = new StateStore(paths.stateFile, freshState('edge.example.com', records, now()), now);
  const fakes = new Map(nodes.map((n) => [n.name, { calls: [], state: n.state, active: 0, maxActive: 0 } as Fake]));
  const shared = { active: 0, max: 0 };
  const log: string[] = [];
  const ctx = {
    paths,
    store,
    now,
    site: { nodes: nodes.map((n) => ({ name: n.name, mac: '52:54:00:00:00:10', bmc: { type: n.bmc } })) },
    options: { ...DEFAULT_OPTIONS, powerParallel: parallel },
    log: (l: string) => log.push(l),
    bmc: (node: { name: string; bmc: { type: string } }) =>
      node.bmc.type === 'manual' ? undefined : fakeDriver(node.name, fakes.get(node.name)!, shared),
    sleep: async () => undefined,
    signal: new AbortController().signal,
  } as unknown as AgentContext;
  return { dir, ctx, fakes, shared, log, store };
}

const p = suite('agent :: power phase');

p(
  'off nodes get a one-time PXE boot then power on; on nodes are restarted; manual ones wait for the tech',
  async () => {
    const t = await setup([
      { name: 'cp-0', bmc: 'redfish', power: 'pending', state: 'Off' },
      { name: 'cp-1', bmc: 'ipmi', power: 'pending', state: 'On' },
      { name: 'cp-2', bmc: 'manual', power: 'pending', state: 'Off' },
    ]);
    try {
      await power.run(t.ctx, async () => undefined);
      assert.equal(t.fakes.get('cp-0')!.calls, ['pxe', 'on']);
      assert.equal(t.fakes.get('cp-1')!.calls, ['pxe', 'restart']);
      assert.equal(
        t.store.state.nodes.map((n) => n.power),
        ['on', 'on', 'waiting-for-tech'],
      );
      assert.match(
        t.log.join('\n'),
        'cp-2 has a manual BMC: power it on and PXE-boot it from the LAN (MAC 52:54:00:00:00:10)',
      );
    } finally {
      await removeTmpdir(t.dir);
    }
  },
);

p('after a crash: "requested" and already on means the power-on went out, so nothing is sent again', async () => {
  const t = await setup([
    { name: 'cp-0', bmc: 'redfish', power: 'requested', state: 'On' },
    { name: 'cp-1', bmc: 'redfish', power: 'requested', state: 'Off' },
    { name: 'cp-2', bmc: 'redfish', power: 'on', state: 'On' },
  ]);
  try {
    await power.run(t.ctx, async () => undefined);
    assert.equal(t.fakes.get('cp-0')!.calls, [], 'no second power-on');
    assert.equal(t.fakes.get('cp-1')!.calls, ['pxe', 'on'], 'the request never reached it');
    assert.equal(t.fakes.get('cp-2')!.calls, []);
    assert.equal(
      t.store.state.nodes.map((n) => n.power),
      ['on', 'on', 'on'],
    );
  } finally {
    await removeTmpdir(t.dir);
  }
});

p('never more than --power-parallel BMCs busy at once', async () => {
  const nodes = Array.from({ length: 7 }, (_, i) => ({
    name: `w-${i}`,
    bmc: 'redfish',
    power: 'pending' as const,
    state: 'Off' as Power,
  }));
  const t = await setup(nodes, 2);
  try {
    await power.run(t.ctx, async () => undefined);
    assert.ok(t.shared.max <= 2, `at most 2 at once, saw ${t.shared.max}`);
    assert.is(t.shared.max, 2);
    assert.ok(t.store.state.nodes.every((n) => n.power === 'on'));
  } finally {
    await removeTmpdir(t.dir);
  }
});

p.run();
