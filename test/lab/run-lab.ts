// The virtual site, driven to the end with no input: make lab (test/tools/lab.ts) and the test
// test/agent/virtual-site.test.ts both run this. It builds the stick (fyr release, fyr build),
// boots the bastion's agent from it, types the unlock code at the console as the tech would,
// powers the stray on, optionally kills the agent (SIGKILL) while VMs are mid-boot and again
// while it watches, and waits until every node reports "installed" from its own disk. Then it
// asserts what the issue asks (lab-asserts.ts), prints each node's timeline, and keeps the
// artifacts: screenshots of the status page per phase, serial consoles, daemon logs, the state
// file and the timeline.
import { cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PHASES } from '../../src/agent/state.js';
import { buildStatusApp } from '../../src/agent/status/app.js';
import type { BastionOs } from '../../src/formats/bastion-os.js';
import type { ResultPromise } from 'execa';
import { makeLab, type Lab } from '../helpers/agent-lab.js';
import { assertLab, assertNoSecrets } from './lab-asserts.js';
import { upgradeDay2 } from './day2-upgrade.js';
import { buildUpgradeSticks, FULL_TO, UPGRADE_TO, type UpgradeStick } from './upgrade-stick.js';
import { nodesDay2, type KeeperControl, type NodesReport } from './day2-nodes.js';
import { SPARE } from '../helpers/agent-lab.js';
import { screenshot } from './screenshot.js';
import { KEEPER_FLAGS, keeperDay2 } from './day2.js';
import { buildTimeline, formatTimeline, SerialWatch, type Timeline } from './timeline.js';
import { Stray } from './stray.js';
import { HOLD_INSTALL_COMPLETE } from '../doubles/cluster/index.mjs';

export interface LabOptions {
  os: BastionOs;
  // Kill the agent with SIGKILL right after a node's power-on (VMs mid-boot) and again in watch.
  crash: boolean;
  // Where the artifacts go (kept); a failed run keeps them whatever this says.
  artifacts: string;
  screenshots: boolean;
  log: (line: string) => void;
}

export interface LabReport {
  timeline: Timeline;
  runs: number;
  seconds: number;
  // Day 2's machines: the spare worker added, the site shut down and powered on.
  nodes: NodesReport;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STATUS = '192.168.8.1:8090';

async function keepArtifacts(lab: Lab, to: string, timeline: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const n of [
    ...lab.nodes,
    ...(lab.spare ? [lab.spare.node] : []),
    ...(lab.strayVm ? [{ name: 'stray', vm: lab.strayVm }] : []),
  ]) {
    if (!n.vm) continue;
    for (const f of ['serial.log', 'boots', 'events', 'qemu.log'])
      await cp(join(n.vm.dir, f), join(to, `${n.name}.${f}`)).catch(() => undefined);
  }
  for (const f of await readdir(join(lab.dir, 'run')).catch(() => [] as string[]))
    if (f.endsWith('.log')) await cp(join(lab.dir, 'run', f), join(to, `daemon-${f}`)).catch(() => undefined);
  await cp(join(lab.root, 'var/log/httpd'), join(to, 'httpd'), { recursive: true }).catch(() => undefined);
  await cp(join(lab.root, 'var/lib/fyr/state.json'), join(to, 'state.json')).catch(() => undefined);
  await writeFile(join(to, 'timeline.txt'), timeline);
}

// The agent closes its status page when it is done. Phases the lab could not shoot while it ran
// (too short, or the agent was restarting), and the finished page, are shot from the agent's
// own status app over its final state file, on loopback.
async function finalShots(lab: Lab, shots: string, shot: Set<string>, log: (l: string) => void): Promise<void> {
  const app = buildStatusApp(join(lab.root, 'var/lib/fyr/state.json'));
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const missing = PHASES.filter((p) => !shot.has(p));
    if (missing.length) log(`lab: shooting ${missing.join(', ')} from the final state`);
    for (const phase of missing)
      await screenshot(
        undefined,
        `${address}/`,
        join(shots, `${String(PHASES.indexOf(phase)).padStart(2, '0')}-${phase}.png`),
      );
    await screenshot(undefined, `${address}/`, join(shots, `${PHASES.length}-done.png`));
  } finally {
    await app.close();
  }
}

function dayTwoTimes(n: NodesReport): string {
  const steps = (list: NodesReport['steps']['shutdown']) =>
    list.map((x) => `${x.step} ${x.seconds === undefined ? '?' : `${x.seconds.toFixed(1)} s`}`).join(', ');
  return [
    `day 2: worker ${SPARE.name} added and joined in ${n.joined.toFixed(1)} s`,
    `day 2: shutdown ${n.shutdown.toFixed(1)} s (${steps(n.steps.shutdown)})`,
    `day 2: power-on ${n.powerOn.toFixed(1)} s (${steps(n.steps.powerOn)})`,
  ].join('\n');
}

export async function runLab(o: LabOptions): Promise<LabReport> {
  const started = Date.now();
  o.log(`lab: building the stick (fyr release, fyr build: sealed, ${o.os}) and the virtual site`);
  const lab = await makeLab(o.os === 'rhel10' ? 'w' : 'v', { vms: true, os: o.os, sealed: true });
  // Ctrl-C (or a CI job's SIGTERM): the VMs, daemons and namespaces go too, and the artifacts stay.
  let stopping = false;
  const interrupted = (signal: NodeJS.Signals) => {
    stopping = true;
    o.log(`lab: ${signal}: tearing the virtual site down`);
    void keepArtifacts(lab, o.artifacts, 'interrupted before the end\n')
      .catch(() => undefined)
      .then(() => lab.close())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  // The upgrade sticks are made while the keeper's day 2 runs (they need nothing of the site but
  // the release): made during the install, it took CPU from the VMs' firmware in the window
  // where the stray must PXE-boot before the agent switches PXE off.
  let sticks: Promise<{ delta: UpgradeStick; full: UpgradeStick }> | undefined;
  let timelineText = '';
  let serialWatch: SerialWatch | undefined;
  let ok = false;
  const shots = join(o.artifacts, 'screenshots');
  try {
    o.log(`lab: site ISO ${lab.siteIso}; ${lab.nodes.filter((n) => n.vm).length} node VMs and a stray in ${lab.dir}`);
    if (o.crash) await writeFile(join(lab.doubles, 'kill'), 'bmc-power cp-1\n');
    const hold = join(lab.doubles, HOLD_INSTALL_COMPLETE);
    if (lab.strayVm) await writeFile(hold, '');
    const stray = lab.strayVm ? new Stray(lab.strayVm, hold, o.log) : undefined;
    let runs = 0;
    let keeper: ResultPromise | undefined;
    let typed = false;
    let killedInWatch = !o.crash;
    const shot = new Set<string>();
    let shooting: Promise<void> = Promise.resolve();
    const output: string[] = [];
    // What every agent run has printed so far, as it prints it (the keeper's run goes on).
    const live: string[] = [];
    const startAgent = () => {
      const child = lab.start(['--status-listen', STATUS, ...KEEPER_FLAGS], true);
      child.all?.on('data', (d: Buffer) => live.push(String(d)));
      return child;
    };
    const serial = (serialWatch = new SerialWatch([
      ...lab.nodes.flatMap((n) => (n.vm ? [n.vm] : [])),
      ...(lab.strayVm ? [lab.strayVm] : []),
    ]));
    for (;;) {
      runs += 1;
      if (runs > 4) throw new Error('the agent did not finish in 4 runs');
      o.log(`lab: agent run ${runs}`);
      // It stays up after the install, as the site's keeper (day2.ts).
      const agent = startAgent();
      let done = false;
      let installed = false;
      const driver = (async () => {
        let last = '';
        while (!done && !installed) {
          await serial.poll();
          const s = await lab.state().catch(() => undefined);
          if (s?.finishedAt) installed = true;
          if (s) {
            const running = PHASES.find((p) => s.phases[p].status === 'running');
            const line = running ? `${running}: ${s.phases[running].detail ?? ''}` : '';
            if (line && line !== last) {
              last = line;
              o.log(`lab:   ${line.slice(0, 160)}`);
            }
            // One screenshot per phase, taken when the lab first sees it under way or done (a
            // phase shorter than a poll is shot just after).
            for (const phase of PHASES.filter((p) => s.phases[p].status !== 'pending' && !shot.has(p))) {
              if (!o.screenshots) break;
              shot.add(phase);
              const name = `${String(PHASES.indexOf(phase)).padStart(2, '0')}-${phase}.png`;
              // Taken while the agent was down (killed, restarting): tried again at the next poll.
              shooting = shooting.then(() =>
                screenshot(lab.bastionNs, `http://${STATUS}/`, join(shots, name)).then(
                  (taken) => {
                    if (!taken) shot.delete(phase);
                  },
                  (e: Error) => o.log(`lab: screenshot of ${phase} failed: ${e.message.split('\n')[0]}`),
                ),
              );
            }
            if (!typed && /^waiting for the unlock code/.test(s.phases.locked.detail ?? '')) {
              typed = true;
              // The locked page's screenshot first: typed at once, the shot caught preflight.
              await shooting;
              o.log('lab: the tech types the unlock code at the bastion console');
              await lab.typeAtConsole(lab.unlockCode);
            }
            // As soon as DHCP and TFTP serve (the services start them before httpd): its BIOS
            // PXE boot (iPXE waits for IPv6 routers first) must end before the install's finish
            // switches PXE off.
            const tftpUp =
              s.phases.services.status === 'done' ||
              (s.phases.services.status === 'running' &&
                /starting (httpd|haproxy|tangd)/.test(s.phases.services.detail ?? ''));
            if (stray && !stray.on && tftpUp) {
              o.log('lab: a machine the site does not know is powered on (the stray)');
              await stray.powerOn();
            }
            await stray?.step();
            if (
              !killedInWatch &&
              s.phases.watch.status === 'running' &&
              s.nodes.some((n: any) => n.seen.kernel) &&
              s.nodes.some((n: any) => n.role !== 'bootstrap' && !n.seen.ignition)
            ) {
              killedInWatch = true;
              o.log('lab: killing the agent (SIGKILL) while it watches VMs boot');
              agent.kill('SIGKILL');
            }
          }
          await sleep(200);
        }
      })();
      const ended = await Promise.race([agent, driver.then(() => undefined)]);
      if (ended === undefined && installed) {
        keeper = agent;
        break;
      }
      const r = ended ?? (await agent);
      done = true;
      await driver;
      output.push(String(r.all ?? ''));
      if (stopping) await new Promise(() => undefined); // the interrupt handler ends the process
      if (r.exitCode === 0) throw new Error(`agent run ${runs} ended before the install was recorded`);
      if (r.signal !== 'SIGKILL')
        throw new Error(`agent run ${runs} failed (${r.exitCode}):\n${String(r.all).slice(-3000)}`);
      o.log(`lab: the agent was killed (run ${runs}); starting it again`);
    }
    o.log('lab: the site is installed; waiting for every node to report installed from its disk');
    const deadline = Date.now() + 180_000;
    for (;;) {
      await serial.poll();
      if (lab.nodes.every((n) => !n.vm || serial.seen(n.name, 'installed'))) break;
      if (Date.now() > deadline)
        throw new Error('not every node reported installed within 3 minutes of the agent finishing');
      await sleep(500);
    }
    await shooting;
    sticks = buildUpgradeSticks(lab.dir, lab.releaseIso!);
    sticks.catch(() => undefined);
    const day2 = await keeperDay2(lab, { ...(o.screenshots ? { shots } : {}), status: STATUS, log: o.log });
    // The install as the issue asks, before day 2 adds power cycles to the VMs' records.
    const timeline = await buildTimeline(lab, serial, started);
    timelineText = formatTimeline(timeline);
    await assertLab(lab, { output: [live.join(''), day2.output].join('\n'), crash: o.crash, runs, os: o.os });
    const keeperControl: KeeperControl = {
      restart: async () => {
        keeper!.kill('SIGKILL');
        output.push(String((await keeper!).all ?? ''));
        keeper = startAgent();
      },
    };
    const nodes = await nodesDay2(lab, {
      os: o.os,
      crash: o.crash,
      log: o.log,
      keeper: keeperControl,
    });
    const { delta, full } = await sticks;
    const upgraded = await upgradeDay2(lab, {
      stick: delta,
      from: '4.18.9',
      to: UPGRADE_TO,
      delta: true,
      kill: 'hop',
      pulls: true,
      crash: o.crash,
      log: o.log,
      keeper: keeperControl,
    });
    const upgradedFull = await upgradeDay2(lab, {
      stick: full,
      from: UPGRADE_TO,
      to: FULL_TO,
      delta: false,
      kill: 'merge',
      pulls: false,
      crash: o.crash,
      log: o.log,
      keeper: keeperControl,
    });
    // Stopped as systemctl stop does: a clean end.
    keeper?.kill('SIGTERM');
    const end = await keeper!;
    output.push(String(end.all ?? ''), day2.output, nodes.output, upgraded.output, upgradedFull.output);
    if (end.exitCode !== 0)
      throw new Error(`the keeper did not stop cleanly (${end.exitCode}):\n${String(end.all).slice(-3000)}`);
    if (o.screenshots) await finalShots(lab, shots, shot, o.log);
    await assertNoSecrets(lab, output.join('\n'), [SPARE.password]);
    ok = true;
    const seconds = (Date.now() - started) / 1000;
    o.log(timelineText);
    o.log(dayTwoTimes(nodes));
    o.log(
      `lab: passed in ${seconds.toFixed(0)} s (${runs} agent run${runs > 1 ? 's' : ''}); artifacts in ${o.artifacts}`,
    );
    return { timeline, runs, seconds, nodes };
  } finally {
    if (!timelineText)
      timelineText = await buildTimeline(lab, serialWatch, started).then(
        formatTimeline,
        (e: Error) => `no timeline: ${e.message}`,
      );
    await keepArtifacts(lab, o.artifacts, timelineText).catch(() => undefined);
    if (!ok) {
      o.log(timelineText);
      o.log(`lab: FAILED; serial logs, daemon logs, state and timeline kept in ${o.artifacts}`);
    }
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await lab.close();
  }
}
