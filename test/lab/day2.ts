// The virtual site after install: the agent stays up as the keeper and the lab watches it keep
// the site: the first scheduled etcd backup lands on the bastion and is checked; a stranger asks
// to join as a node and cp-1 stops reporting (the fake cluster, steered), and the dashboard
// shows both while the stranger is never approved; a backup on request through fyr-agent
// backup; cp-1 back. A screenshot of the dashboard in each state (laptop and phone widths).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execa } from 'execa';
import { NODE_BOOTSTRAPPER } from '../../src/agent/cluster/csr.js';
import { approvals, fileCsr, setNodeNotReady, setNodeReady } from '../doubles/cluster/index.mjs';
import type { Lab } from '../helpers/agent-lab.js';
import { screenshot } from './screenshot.js';

// The keeper at lab speed: a look every 2 s, a backup every 30 s from the install on; a node
// still on 2 minutes after its shutdown is cut off, one not back in 5 fails the power-on, and
// the cluster counts as stable after 10 quiet seconds.
export const KEEPER_FLAGS = [
  '--health-every-s',
  '2',
  '--backup-every-s',
  '30',
  '--first-backup-after-s',
  '0',
  '--power-off-timeout-s',
  '120',
  '--node-back-timeout-s',
  '300',
  '--stable-period-s',
  '10',
];
export const DAY2_SHOTS = ['keeper-1-healthy', 'keeper-2-attention', 'keeper-3-recovered'];
const WIDTHS = [
  { suffix: '', size: { width: 1100, height: 1400 } },
  { suffix: '-phone', size: { width: 390, height: 1600 } },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function until(lab: Lab, what: string, check: (s: any) => boolean, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await lab.state().catch(() => undefined);
    if (s && check(s)) return;
    if (Date.now() > deadline) throw new Error(`day 2: ${what} did not happen within ${ms / 1000} s`);
    await sleep(250);
  }
}

export interface Day2Report {
  output: string;
  shots: string[];
}

export async function keeperDay2(
  lab: Lab,
  o: { shots?: string; status: string; log: (line: string) => void },
): Promise<Day2Report> {
  const taken: string[] = [];
  // Both widths side by side, a Chromium each (screenshot.ts gives each its own profile).
  const shoot = async (name: string) => {
    if (!o.shots) return;
    const shots = o.shots;
    const done = await Promise.all(
      WIDTHS.map((w) =>
        screenshot(lab.bastionNs, `http://${o.status}/`, join(shots, `${name}${w.suffix}.png`), w.size),
      ),
    );
    WIDTHS.forEach((w, i) => done[i] && taken.push(`${name}${w.suffix}.png`));
  };
  o.log('lab: day 2: the keeper takes its first scheduled etcd backup');
  await until(lab, 'the first scheduled backup', (s) => Boolean(s.keeper?.lastBackup));
  await shoot(DAY2_SHOTS[0]!);

  o.log('lab: day 2: a stranger asks to join as a node; cp-1 stops reporting');
  const stranger = fileCsr(lab.doubles, {
    username: NODE_BOOTSTRAPPER,
    commonName: 'system:node:intruder',
    organization: 'system:nodes',
  });
  setNodeNotReady(lab.doubles, 'cp-1', { reason: 'NodeStatusUnknown' });
  await until(
    lab,
    'the stranger and cp-1 on the dashboard',
    (s) =>
      s.keeper.csrRefused.some((r: { name: string }) => r.name === stranger) &&
      s.keeper.health?.nodes?.some((n: { name: string; ready: boolean }) => n.name === 'cp-1' && !n.ready),
  );
  await shoot(DAY2_SHOTS[1]!);
  const seen = await lab.agent(['status', '--json']);
  const view = JSON.parse(seen.stdout);
  const refused = view.keeper.csrRefused.find((r: { name: string }) => r.name === stranger);
  assert.equal(refused?.requester, NODE_BOOTSTRAPPER, 'the stranger is shown with its requester');
  assert.match(refused.reason, /intruder is not a node of this site/);

  o.log('lab: day 2: fyr-agent backup, through the running keeper');
  const now = await lab.agent(['backup']);
  assert.equal(now.exitCode, 0, `fyr-agent backup: ${now.stdout}${now.stderr}`);
  assert.match(now.stdout, /fyr-agent: backup \d{8}-\d{6} of 4\.18\.9 from cp-0 .*snapshot checked/);

  setNodeReady(lab.doubles, 'cp-1');
  await until(lab, 'cp-1 Ready again', (s) => s.keeper.health?.nodes?.every((n: { ready: boolean }) => n.ready));
  await shoot(DAY2_SHOTS[2]!);

  // What the bastion keeps: the newest two (the lab site keeps 2), each read by the real etcdctl.
  const listed = JSON.parse((await lab.agent(['backups', '--json'])).stdout);
  assert.ok(listed.backups.length >= 1 && listed.backups.length <= 2, `kept: ${listed.backups.length}`);
  for (const b of listed.backups) {
    const snapshot = b.files.find((f: { kind: string }) => f.kind === 'snapshot');
    const status = await execa('etcdctl', ['snapshot', 'status', join(b.dir, snapshot.name), '-w', 'json'], {
      env: { ETCDCTL_API: '3' },
    });
    assert.ok(JSON.parse(status.stdout).totalKey > 100, `${b.id}: ${status.stdout}`);
  }
  assert.equal(approvals(lab.doubles)[stranger], undefined, 'the stranger was never approved');
  o.log(`lab: day 2: ${listed.backups.length} backup(s) kept and checked; the stranger never approved`);
  return { output: `${seen.stdout}\n${now.stdout}\n${now.stderr}`, shots: taken };
}
