// The virtual site on day 2, its machines (after day2.ts): the spare worker, racked and cabled
// but not in the site file, joins from an edited site file (fyr build of it from the same
// release, then fyr-agent apply --site-iso on the bastion, nothing else): its BMC powers its VM
// on into a one-time PXE boot, real firmware boots it through the updated DHCP server and
// menus, the stand-in installs it, and the fake cluster sees it join. Then the whole site is
// shut down (every VM really powered off: the fake guest's `shutdown -h` stops the VM, and the
// agent confirms it through ipmi_sim and the Redfish double) and powered on again (control
// planes first, from their disks, then the worker). With `crash` the keeper is killed
// (SIGKILL) in the middle of each of the three and started again: each resumes and finishes,
// and no power button is pressed twice.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { addMachine, objects } from '../doubles/cluster/index.mjs';
import type { Lab, LabNode } from '../helpers/agent-lab.js';
import { isReady } from '../helpers/bmc-site.js';
import { LAB_UNLOCK_CODE_FILE } from './site-media.js';
import { readDisk, serialText, vmCommand } from './vms.js';

const FYR = resolve('dist/cli/main.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lines = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);

export interface KeeperControl {
  // Kills the keeper with SIGKILL, waits for it to be gone, and starts it again.
  restart(): Promise<void>;
}

export interface NodesReport {
  output: string;
  // Seconds, wall clock as the lab saw them, and the agent's own per-step times.
  joined: number;
  shutdown: number;
  powerOn: number;
  steps: { shutdown: Step[]; powerOn: Step[] };
}

type Step = { step: string; seconds?: number };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type State = any;

export async function until(
  lab: Lab,
  what: string,
  check: (s: State) => boolean | Promise<boolean>,
  ms: number,
): Promise<State> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await lab.state().catch(() => undefined);
    if (s && (await check(s))) return s;
    if (Date.now() > deadline) throw new Error(`day 2: ${what} did not happen within ${ms / 1000} s`);
    await sleep(250);
  }
}

// The operation of this kind the keeper finished after `since` (done, or how it failed).
function finished(s: State, kind: string, since: string) {
  return (s.keeper?.history ?? []).find(
    (h: { kind: string; startedAt: string; status: string }) => h.kind === kind && h.startedAt >= since,
  );
}

export async function operation(
  lab: Lab,
  o: {
    kind: string;
    args: string[];
    crash?: { when: (s: State) => boolean | Promise<boolean>; keeper: KeeperControl };
  },
  log: (line: string) => void,
): Promise<{ output: string; seconds: number }> {
  const since = new Date().toISOString();
  const started = Date.now();
  const asked = lab.agent(o.args);
  if (o.crash) {
    // An operation that ends before its kill point (it failed early) is reported as it ended.
    const s = await until(
      lab,
      `the ${o.kind}'s kill point`,
      async (x) => finished(x, o.kind, since) !== undefined || (await o.crash!.when(x)),
      240_000,
    );
    const early = finished(s, o.kind, since);
    if (early)
      throw new Error(`day 2: the ${o.kind} ended ${early.status} before its kill point: ${early.error ?? ''}`);
    log(`lab: day 2: killing the keeper (SIGKILL) in the middle of the ${o.kind}; starting it again`);
    await o.crash.keeper.restart();
  }
  const s = await until(lab, `the ${o.kind} to finish`, (x) => finished(x, o.kind, since) !== undefined, 420_000);
  const r = await asked;
  const done = finished(s, o.kind, since);
  assert.equal(done.status, 'done', `the ${o.kind} ended ${done.status}: ${done.error ?? ''}`);
  // Asked of a keeper that was then killed, the command says so and exits 1; else it is the outcome.
  if (!o.crash) assert.equal(r.exitCode, 0, `fyr-agent ${o.args[0]}: ${r.stdout}${r.stderr}`);
  return { output: `${r.stdout}\n${r.stderr}`, seconds: (Date.now() - started) / 1000 };
}

const nodeReady = (lab: Lab, name: string) =>
  objects(lab.doubles).nodes.some((n) => n.metadata.name === name && isReady(n));

export async function nodesDay2(
  lab: Lab,
  o: { os: string; crash: boolean; keeper: KeeperControl; log: (line: string) => void },
): Promise<NodesReport> {
  const spare = lab.spare!;
  const w = spare.node;
  const machines: LabNode[] = [...lab.nodes.filter((n) => n.vm), w];
  const output: string[] = [];

  // The spare is racked: the fake cluster lets it join once its BMC has PXE-booted it (the
  // stand-in install itself is checked below, on its console and disk).
  addMachine(lab.doubles, { name: w.name, ip: w.ip, role: 'worker', chassis: w.vm!.dir });
  o.log(`lab: day 2: the site file gains worker ${w.name}; fyr build makes its site ISO from the same release`);
  const iso = join(lab.dir, 'grown-site.iso');
  const built = await execa(
    process.execPath,
    [
      FYR,
      'build',
      spare.siteFile,
      '--release',
      lab.releaseIso!,
      '-o',
      iso,
      '--os',
      o.os,
      '--unlock-code-file',
      LAB_UNLOCK_CODE_FILE,
      '--quiet',
    ],
    { reject: false, all: true },
  );
  assert.equal(built.exitCode, 0, `fyr build of the grown site: ${built.all}`);
  const from = ['--site-iso', iso, '--unlock-code-file', LAB_UNLOCK_CODE_FILE];
  const plan = await lab.agent(['apply', ...from]);
  assert.equal(plan.exitCode, 0, `fyr-agent apply (plan): ${plan.stdout}${plan.stderr}`);
  assert.match(plan.stdout, new RegExp(`\\+ .*${w.name}`), `the plan adds ${w.name}: ${plan.stdout}`);
  output.push(plan.stdout);
  o.log(`lab: day 2: fyr-agent apply --yes (${w.name} added: DHCP, DNS, HAProxy, PXE for its MAC, power-on)`);
  const applied = await operation(
    lab,
    {
      kind: 'apply',
      args: ['apply', ...from, '--yes'],
      // Killed once its VM runs: the resumed apply watches it and approves its CSRs.
      ...(o.crash
        ? {
            crash: {
              when: async () => (await vmCommand(w.vm!, 'status')) === 'On',
              keeper: o.keeper,
            },
          }
        : {}),
    },
    o.log,
  );
  output.push(applied.output);
  // Real firmware PXE-booted it through the new reservation and its own menu; the stand-in
  // wrote the worker ignition the cluster's machine-config server gave, and it came up from disk.
  const serial = await serialText(w.vm!);
  assert.match(serial, /PXELINUX 6\.04/, `${w.name}: pxelinux ran`);
  assert.match(serial, /FYR-DISK: installed/, `${w.name}: it came up from its disk`);
  const disk = await readDisk(w.vm!);
  assert.match(disk.marker ?? '', new RegExp(`mac=${w.mac} ok=1 `), `${w.name}: installed by the stand-in`);
  const ign = await readFile(join(lab.root, 'var/lib/fyr/install/ignition/worker.ign')).catch(() => undefined);
  if (ign) assert.equal(disk.ignition?.toString(), ign.toString(), `${w.name}: the ignition served is on its disk`);
  assert.deepEqual(await lines(join(w.vm!.dir, 'events')), ['power boot=pxe'], `${w.name}: powered on once, PXE`);
  assert.ok(nodeReady(lab, w.name), `${w.name} is a Ready node`);
  o.log(`lab: day 2: ${w.name} joined in ${applied.seconds.toFixed(0)} s`);

  // Minutes old, the cluster has not rotated its bootstrap certificates: refused, with the date.
  const refused = await lab.agent(['shutdown']);
  assert.equal(refused.exitCode, 1, `fyr-agent shutdown of a new cluster: ${refused.stdout}${refused.stderr}`);
  assert.match(refused.stderr, /installed less than 24 h ago .*wait until \d{4}-\d\d-\d\dT.*--force/s);
  output.push(refused.stderr);
  o.log('lab: day 2: refused (installed less than 24 h ago), as it should be; then with --force');
  o.log('lab: day 2: fyr-agent shutdown --force (cordon, drain, shutdown -h from inside, off confirmed by the BMCs)');
  const before = new Map<string, number>();
  for (const m of machines) before.set(m.name, (await lines(join(m.vm!.dir, 'events'))).length);
  const down = await operation(
    lab,
    {
      kind: 'shutdown',
      args: ['shutdown', '--force'],
      ...(o.crash
        ? {
            crash: {
              when: (s: State) =>
                (s.keeper?.power?.nodes ?? []).some((n: { step: string }) => n.step === 'shutting down'),
              keeper: o.keeper,
            },
          }
        : {}),
    },
    o.log,
  );
  output.push(down.output);
  const afterDown = await lab.state();
  assert.equal(afterDown.keeper.power.state, 'shut-down');
  for (const m of machines) {
    assert.equal(await vmCommand(m.vm!, 'status'), 'Off', `${m.name}'s VM is off`);
    const events = (await lines(join(m.vm!.dir, 'events'))).slice(before.get(m.name));
    // Off from inside, once: a resumed shutdown does not send a second one.
    assert.deepEqual(events, ['off shutdown'], `${m.name}: shut down from inside, once: ${events.join(', ')}`);
  }
  const shutdownSteps: Step[] = afterDown.keeper.power.steps;
  o.log(`lab: day 2: every VM off in ${down.seconds.toFixed(0)} s`);

  o.log('lab: day 2: fyr-agent power-on (control planes from their disks, the API, then the worker)');
  const bootsBefore = new Map<string, number>();
  for (const m of machines) bootsBefore.set(m.name, (await lines(join(m.vm!.dir, 'boots'))).length);
  const up = await operation(
    lab,
    {
      kind: 'power-on',
      args: ['power-on'],
      ...(o.crash
        ? {
            crash: {
              when: (s: State) => (s.keeper?.power?.nodes ?? []).some((n: { step: string }) => n.step === 'powered on'),
              keeper: o.keeper,
            },
          }
        : {}),
    },
    o.log,
  );
  output.push(up.output);
  const afterUp = await lab.state();
  assert.equal(afterUp.keeper.power.state, 'running');
  const firstBoot = new Map<string, number>();
  for (const m of machines) {
    assert.equal(await vmCommand(m.vm!, 'status'), 'On', `${m.name}'s VM is on`);
    const events = (await lines(join(m.vm!.dir, 'events'))).slice((before.get(m.name) ?? 0) + 1);
    assert.deepEqual(events, ['power boot=default'], `${m.name}: powered on once, from its disk: ${events.join(', ')}`);
    const boots = (await lines(join(m.vm!.dir, 'boots'))).slice(bootsBefore.get(m.name));
    const boot = boots.find((b) => / boot device=default$/.test(b));
    assert.ok(boot, `${m.name}: booted in the firmware's own order: ${boots.join(', ')}`);
    firstBoot.set(m.name, Number(boot.split(' ')[0]));
    assert.ok(nodeReady(lab, m.name), `${m.name} is Ready again`);
  }
  // Control planes first: the worker's power-on comes after every control plane's.
  const cps = lab.nodes.filter((n) => n.vm && n.ign === 'master').map((n) => firstBoot.get(n.name)!);
  assert.ok(firstBoot.get(w.name)! > Math.max(...cps), 'the worker was powered on after the control planes');
  // Booted from its disk: a second "installed" line, no second install.
  for (const m of machines) {
    const text = await serialText(m.vm!);
    assert.equal(text.match(/FYR-STANDIN: installed to/g)?.length, 1, `${m.name}: installed once`);
    assert.ok((text.match(/FYR-DISK: installed/g)?.length ?? 0) >= 2, `${m.name}: came up from its disk again`);
  }
  const upSteps: Step[] = afterUp.keeper.power.steps;
  o.log(`lab: day 2: the site is back, every node Ready, in ${up.seconds.toFixed(0)} s`);
  return {
    output: output.join('\n'),
    joined: applied.seconds,
    shutdown: down.seconds,
    powerOn: up.seconds,
    steps: { shutdown: shutdownSteps, powerOn: upSteps },
  };
}
