// Shutdown and power-on of a whole site against the fake cluster (its machines have power: the
// chassis directories the BMC doubles keep) behind real BMC protocols: three control planes
// behind the Redfish double, a worker behind OpenIPMI's real ipmi_sim driven by the real
// ipmitool. The documented order, the certificate-date refusal, a guest that will not power
// off, a node that never comes back, and kills at every step.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BmcDriver } from '../../../src/agent/bmc/index.js';
import { NODE_BOOTSTRAPPER } from '../../../src/agent/cluster/csr.js';
import type { AgentContext } from '../../../src/agent/context.js';
import type { Exec } from '../../../src/agent/exec.js';
import { Keeper } from '../../../src/agent/keeper/keeper.js';
import { runOperation } from '../../../src/agent/keeper/operations.js';
import { powerOnSite } from '../../../src/agent/operations/power-on.js';
import { shutdown } from '../../../src/agent/operations/shutdown.js';
import { loadState, StateStore } from '../../../src/agent/state.js';
import type { AgentNode } from '../../../src/agent/site.js';
import {
  approvals,
  expireKubeletCerts,
  fileCsr,
  machines,
  objects,
  setNodeNotReady,
  setSignerNotAfter,
  setStuck,
} from '../../doubles/cluster/index.mjs';
import { bmcSite, isReady, SITE_NODES as NODES, type BmcSite } from '../../helpers/bmc-site.js';

interface Ctx {
  site: BmcSite;
  doubles: string;
  ctx: AgentContext;
}
const test = suite<Ctx>('agent :: operations :: shutdown and power-on', {} as Ctx);

test.before.each(async (c) => {
  c.site = await bmcSite();
  c.doubles = c.site.doubles;
  c.ctx = c.site.ctx;
});
test.after.each(async (c) => c.site?.close());

const ocCalls = (c: Ctx) => c.site.ocCalls();
const events = (c: Ctx, name: string) => c.site.events(name);
const machineDir = (c: Ctx, name: string) => c.site.machineDir(name);

const node = (c: Ctx, name: string) => c.ctx.store.state.keeper!.power!.nodes.find((n) => n.name === name)!;

test('shutdown then power-on: the documented order, each node confirmed off by its BMC, back Ready through its own CSRs only', async (c) => {
  const heard: string[] = [];
  const down = await runOperation(c.ctx, shutdown, 'command', (l) => heard.push(l), { keepSkipped: true });
  assert.is(down.record.status, 'done', down.record.error);
  assert.match(down.summary!, /^the site is shut down: 4 node\(s\) off; fyr-agent power-on brings it back$/);
  assert.equal(
    machines(c.doubles).map((m: { name: string; powered: boolean }) => [m.name, m.powered]),
    NODES.map((n) => [n.name, false]),
  );
  const calls = await ocCalls(c);
  const order = calls.filter((a) => /^adm (cordon|drain)|shutdown -h 1$/.test(a));
  assert.equal(order, [
    'adm cordon w-0',
    'adm cordon cp-0',
    'adm cordon cp-1',
    'adm cordon cp-2',
    'adm drain w-0 --ignore-daemonsets --delete-emptydir-data --force --timeout=5s',
    'debug --as-root node/w-0 -- chroot /host shutdown -h 1',
    'debug --as-root node/cp-0 -- chroot /host shutdown -h 1',
    'debug --as-root node/cp-1 -- chroot /host shutdown -h 1',
    'debug --as-root node/cp-2 -- chroot /host shutdown -h 1',
  ]);
  const power = c.ctx.store.state.keeper!.power!;
  assert.is(power.state, 'shut-down');
  assert.equal(
    power.nodes.map((n) => [n.name, n.step]),
    [
      ['w-0', 'off'],
      ['cp-0', 'off'],
      ['cp-1', 'off'],
      ['cp-2', 'off'],
    ].sort((a, b) => power.nodes.findIndex((n) => n.name === a[0]) - power.nodes.findIndex((n) => n.name === b[0])),
  );
  assert.equal(
    power.steps.map((s) => s.step),
    ['cordon', 'drain', 'shut down', 'confirm off'],
  );
  for (const s of power.steps) assert.type(s.seconds, 'number');
  // Nobody pressed a power button: each machine powered itself off from inside.
  for (const n of NODES)
    assert.not.ok(
      (await events(c, n.name)).some((e) => /^(soft|off)$/.test(e)),
      n.name,
    );

  // A long outage: the kubelets' certificates have expired, so each asks again; a stranger asks too.
  expireKubeletCerts(c.doubles);
  const stranger = fileCsr(c.doubles, {
    username: NODE_BOOTSTRAPPER,
    commonName: 'system:node:intruder',
    organization: 'system:nodes',
  });
  const before = approvals(c.doubles);
  const up = await runOperation(c.ctx, powerOnSite, 'command', () => undefined, { keepSkipped: true });
  assert.is(up.record.status, 'done', up.record.error);
  assert.match(up.summary!, /^the site is back: 4 node\(s\) Ready and uncordoned, the cluster stable \(\d+ s\)$/);
  const after = approvals(c.doubles);
  assert.is(after[stranger], undefined, "a stranger's CSR is never approved");
  assert.is(
    Object.keys(after).length - Object.keys(before).length,
    2 * NODES.length,
    'a client and a serving CSR each',
  );
  const nodes = objects(c.doubles).nodes;
  assert.is(nodes.filter(isReady).length, NODES.length);
  for (const n of nodes) assert.not.ok(n.spec?.unschedulable, `${n.metadata.name} uncordoned`);
  // Control planes first: each was Ready before the worker was powered on.
  const up2 = c.ctx.store.state.keeper!.power!;
  assert.is(up2.state, 'running');
  assert.equal(
    up2.steps.map((s) => s.step),
    [
      'control planes on',
      'API back',
      'control planes Ready',
      'workers on',
      'workers Ready',
      'uncordon',
      'cluster stable',
    ],
  );
  const workerOn = Date.parse(up2.steps.find((s) => s.step === 'workers on')!.startedAt);
  const cpsReady = up2.steps.find((s) => s.step === 'control planes Ready')!;
  assert.ok(Date.parse(cpsReady.startedAt) + cpsReady.seconds! * 1000 <= workerOn + 1000);
  for (const n of NODES) {
    const ev = await events(c, n.name);
    assert.equal(ev.at(-1), 'power boot=default', `${n.name} booted from its disk, not PXE: ${ev.join(', ')}`);
    assert.is(node(c, n.name).step, 'Ready, uncordoned');
  }
  const cpOn = await ocCalls(c);
  assert.ok(cpOn.includes('adm wait-for-stable-cluster --minimum-stable-period=1s --timeout=60s'));
});

test('shutdown refuses when the certificates would not outlast the outage, or right after install; --for and --force', async (c) => {
  const soon = new Date(Date.now() + 10 * 86400_000);
  setSignerNotAfter(c.doubles, soon);
  const refused = await runOperation(c.ctx, shutdown, 'command', () => undefined, { keepSkipped: true });
  assert.is(refused.record.status, 'skipped');
  assert.match(
    String(refused.record.error),
    new RegExp(
      `^the cluster's certificates are valid until ${soon.toISOString().slice(0, 16)}.*a site off for 30d would come back after that.*--for\\), or --force$`,
    ),
  );
  assert.is((await ocCalls(c)).filter((a) => a.includes('cordon')).length, 0, 'nothing was cordoned');
  assert.is(await shutdown.blocker!(c.ctx, 'command', { for: '7d' }), undefined);
  assert.is(await shutdown.blocker!(c.ctx, 'command', { force: true }), undefined);
  assert.match(
    String(await shutdown.blocker!(c.ctx, 'command', { for: 'a week' })),
    /^--for a week: expected a duration/,
  );
  c.ctx.store.state.finishedAt = new Date(Date.now() - 3600_000).toISOString();
  assert.match(
    String(await shutdown.blocker!(c.ctx, 'command', { for: '7d' })),
    /^the cluster was installed less than 24 h ago .*wait until 20\d\d-.*, or --force$/,
  );
});

test('a guest that will not power off gets a hard power-off through its BMC after the timeout, and says so', async (c) => {
  setStuck(c.doubles, 'w-0');
  const down = await runOperation(c.ctx, shutdown, 'command', () => undefined, { keepSkipped: true });
  assert.is(down.record.status, 'done', down.record.error);
  assert.match(down.summary!, /\(hard power-off: w-0\)/);
  const w0 = node(c, 'w-0');
  assert.is(w0.step, 'forced-off');
  assert.match(String(w0.note), /^hard power-off: its BMC still said On 4 s after the shutdown$/);
  // ipmitool chassis power off reached the chassis through ipmi_sim; the others went by themselves.
  assert.ok((await events(c, 'w-0')).includes('off'), (await events(c, 'w-0')).join(', '));
  assert.is(node(c, 'cp-0').step, 'off');
});

test('a node that never comes back fails the power-on with its name; the others are up', async (c) => {
  const down = await runOperation(c.ctx, shutdown, 'command', () => undefined, { keepSkipped: true });
  assert.is(down.record.status, 'done', down.record.error);
  c.ctx.options.nodeBackTimeoutMs = 4000;
  setNodeNotReady(c.doubles, 'cp-2', { reason: 'KubeletNotReady', message: 'container runtime is down' });
  const up = await runOperation(c.ctx, powerOnSite, 'command', () => undefined, { keepSkipped: true });
  assert.is(up.record.status, 'failed');
  assert.match(String(up.record.error), /^cp-2 \(Ready KubeletNotReady\) did not come back within 4 s of power-on/);
  assert.is(node(c, 'cp-2').step, 'not back');
  assert.is(node(c, 'cp-0').step, 'Ready');
  assert.is(c.ctx.store.state.keeper!.power!.state, 'powering-on');
});

test('the keeper, started again on a site fyr-agent shut down, powers it on by itself (keeper.powerOn: auto); manual waits', async (c) => {
  const down = await runOperation(c.ctx, shutdown, 'command', () => undefined, { keepSkipped: true });
  assert.is(down.record.status, 'done', down.record.error);
  (c.ctx.site as { network?: unknown }).network = {
    lan: { bastion: '127.0.0.1' },
    wan: { interface: 'fyrtest-wan0', mode: 'dhcp', dns: [] },
  };
  const start = async (powerOn: 'auto' | 'manual', until: () => boolean) => {
    const abort = new AbortController();
    const logged: string[] = [];
    const ctx = {
      ...c.ctx,
      site: { ...c.ctx.site, keeper: { ...c.ctx.site.keeper, powerOn } },
      signal: abort.signal,
      log: (l: string) => logged.push(l),
      options: { ...c.ctx.options, healthEveryMs: 60_000 },
    } as AgentContext;
    const running = new Keeper(ctx, { restarted: true }).run().catch(() => undefined);
    const deadline = Date.now() + 60_000;
    while (!until() && Date.now() < deadline && !logged.some((l) => /keeper\.powerOn is manual/.test(l)))
      await new Promise((r) => setTimeout(r, 200));
    abort.abort();
    await running;
    return logged;
  };
  const manual = await start('manual', () => false);
  assert.ok(manual.some((l) => /the site was shut down by fyr-agent shutdown .*keeper\.powerOn is manual/.test(l)));
  assert.is(c.ctx.store.state.keeper!.power!.state, 'shut-down', 'manual: still off');
  const auto = await start('auto', () => c.ctx.store.state.keeper?.power?.state === 'running');
  assert.is(c.ctx.store.state.keeper!.power!.state, 'running', auto.join('\n'));
  assert.ok(auto.some((l) => /powering the site on \(keeper\.powerOn: auto\)/.test(l)));
  assert.is(objects(c.doubles).nodes.filter(isReady).length, NODES.length);
});

// Killed (nothing more written, as SIGKILL would) right after a side effect; a fresh agent
// resumes from the state file, and no button is pressed, no node cordoned or shut down twice.
test('killed at any step of a shutdown or a power-on, the resumed one finishes it without a second side effect', async (c) => {
  // Shutdowns and power-ons take turns, each starting from the site its predecessor left.
  const points: Array<[string, 'shutdown' | 'power-on', (args: readonly string[]) => boolean]> = [
    ['cp-1 cordoned', 'shutdown', (a) => a.join(' ') === 'adm cordon cp-1'],
    ['cp-1 powered on', 'power-on', () => false],
    ['w-0 drained', 'shutdown', (a) => a.includes('drain')],
    ['w-0 uncordoned', 'power-on', (a) => a.join(' ') === 'adm uncordon w-0'],
    ['cp-0 told to shut down', 'shutdown', (a) => a.includes('node/cp-0') && a.includes('-h')],
  ];
  for (const [point, kind, matches] of points) {
    let fired = false;
    const abort = new AbortController();
    const kill = () => {
      fired = true;
      abort.abort();
      throw new Error('killed');
    };
    const dyingExec: Exec = async (file, args, options) => {
      const r = await c.ctx.exec(file, args, options);
      if (!fired && matches(args)) kill();
      return r;
    };
    const dyingBmc = (n: AgentNode): BmcDriver | undefined => {
      const d = c.ctx.bmc(n)!;
      if (point !== 'cp-1 powered on' || n.name !== 'cp-1') return d;
      return {
        ...d,
        powerOn: async () => {
          await d.powerOn();
          if (!fired) kill();
        },
      };
    };
    const op = kind === 'shutdown' ? shutdown : powerOnSite;
    const dying = { ...c.ctx, exec: dyingExec, bmc: dyingBmc, signal: abort.signal } as AgentContext;
    await runOperation(dying, op, 'command').then(
      () => assert.unreachable(`${point}: not killed`),
      () => undefined,
    );
    const saved = (await loadState(c.ctx.paths.stateFile))!;
    const interrupted = saved.keeper!.operation!;
    assert.is(interrupted.status, 'running', point);
    const store = new StateStore(c.ctx.paths.stateFile, saved, c.ctx.now);
    const again = { ...c.ctx, store } as AgentContext;
    const out = await runOperation(again, op, interrupted.by, () => undefined, { resume: interrupted });
    assert.is(out.record.status, 'done', `${point}: ${out.record.error}`);
    c.ctx.store = store;
    const calls = await ocCalls(c);
    for (const n of NODES) {
      const count = (re: RegExp) => calls.filter((a) => re.test(a)).length;
      if (kind === 'shutdown') {
        assert.is(count(new RegExp(`^adm cordon ${n.name}$`)), 1, `${point}: ${n.name} cordoned once`);
        assert.is(
          count(new RegExp(`node/${n.name} -- chroot /host shutdown -h 1$`)),
          1,
          `${point}: ${n.name} shut down once`,
        );
      } else {
        assert.is(count(new RegExp(`^adm uncordon ${n.name}$`)), 1, `${point}: ${n.name} uncordoned once`);
        const ons = (await events(c, n.name)).filter((e) => e.startsWith('power boot='));
        assert.is(ons.length, 1, `${point}: ${n.name} powered on once (${ons.join(', ')})`);
      }
    }
    assert.equal(Object.keys(store.state.effects), [], `${point}: the journal is cleared`);
    await writeFile(join(c.doubles, 'calls.log'), '');
    for (const n of NODES) await writeFile(join(machineDir(c, n.name), 'events'), '');
  }
});

test.run();
