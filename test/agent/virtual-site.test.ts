// The virtual site (test/lab/run-lab.ts), as make lab runs it, in its hardest form, then kept
// by the agent after install (test/lab/day2.ts), grown by a worker from an edited site file,
// shut down and powered on (test/lab/day2-nodes.ts), upgraded from a second stick
// (test/lab/day2-upgrade.ts: a delta stick, then a full one across a minor): the RHEL 10
// variant (Kea), sealed, with the agent killed by SIGKILL right after a node's power-on (VMs
// mid-boot) and again while it watches, and the keeper killed in the middle of the apply, the
// shutdown, the power-on, the first upgrade's hop and the second's merge. Real firmware (SeaBIOS+iPXE, OVMF) PXE-boots qemu VMs
// from the rendered configs; real ipmi_sim and the Redfish double power them; the stand-in RHCOS
// installs each. runLab asserts the list (test/lab/lab-asserts.ts) and throws on the first
// miss; its artifacts (screenshots, serial consoles, logs, timeline) stay in out/lab-test/.
import { readdir, rm, writeFile } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PHASES } from '../../src/agent/state.js';
import { runLab } from '../lab/run-lab.js';
import { DAY2_SHOTS } from '../lab/day2.js';

const test = suite('agent :: virtual site');

test('make lab: every node powered once by its BMC, PXE-booted by real firmware, installed; crash-safe', async () => {
  const lines: string[] = [];
  const start = Date.now();
  await rm('out/lab-test', { recursive: true, force: true });
  const report = await runLab({
    os: 'rhel10',
    crash: true,
    artifacts: 'out/lab-test',
    screenshots: true,
    // Each line with the seconds since the lab began: where a slow run spent its time.
    log: (line) => lines.push(`${((Date.now() - start) / 1000).toFixed(1).padStart(6)} ${line}`),
  })
    .catch((err: Error) => {
      throw new Error(
        `${err.message}\n--- the lab log's last 100 lines (the timeline last) ---\n${lines.slice(-100).join('\n')}`,
      );
    })
    // The whole log beside the other artifacts, passed or failed.
    .finally(() => writeFile('out/lab-test/lab.log', `${lines.join('\n')}\n`).catch(() => undefined));
  assert.is(report.runs, 3);
  const names = report.timeline.nodes.map((n) => `${n.name}:${n.firmware}:${n.installed !== undefined}`);
  assert.equal(names, ['cp-0:bios:true', 'cp-1:uefi:true', 'cp-2:uefi:true', 'stray:bios:false']);
  // Day 2's machines (test/lab/day2-nodes.ts asserts each VM's power and boots): the agent's own
  // record of the shutdown and power-on, in the documented order, each step timed, though the
  // keeper was killed in the middle of each.
  assert.equal(
    report.nodes.steps.shutdown.map((s) => s.step),
    ['cordon', 'drain', 'shut down', 'confirm off'],
  );
  assert.equal(
    report.nodes.steps.powerOn.map((s) => s.step),
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
  for (const s of [...report.nodes.steps.shutdown, ...report.nodes.steps.powerOn])
    assert.ok(typeof s.seconds === 'number', `${s.step} was timed`);
  // A screenshot of the status page per phase, and of the dashboard in each day-2 state at two
  // widths, kept with the artifacts.
  const shots = (await readdir('out/lab-test/screenshots')).filter((f) => f.endsWith('.png')).sort();
  assert.equal(
    shots,
    [
      ...PHASES.map((p, i) => `${String(i).padStart(2, '0')}-${p}.png`),
      `${PHASES.length}-done.png`,
      ...DAY2_SHOTS.flatMap((s) => [`${s}.png`, `${s}-phone.png`]),
    ].sort(),
  );
});

test.run();
