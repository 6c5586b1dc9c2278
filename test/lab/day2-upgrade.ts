// The virtual site on day 2, its upgrades (after day2-nodes.ts): the tech plugs in a stick
// (upgrade-stick.ts) and runs `fyr-agent upgrade` on the bastion, nothing else. It finds the
// stick's files, checks them, prints the plan; with --yes the keeper takes an etcd backup, checks
// every file of the stick, merges its registry tree into the one the bastion serves (the first
// time while a client on the LAN pulls 4.18.9 over and over: none may fail), acknowledges the
// admin gates the site allows, applies the hop's signature ConfigMap and asks the fake cluster
// once for the update by digest; the fake cluster's version operator takes it only from the
// served tree and only signed, and walks its nodes through it. Twice: the delta stick to 4.18.12
// (with `crash` the keeper is killed with SIGKILL mid-hop), then the full stick to 4.19.3, a
// minor hop behind an admin gate (with `crash` the keeper is killed mid-merge: the moment the
// merge's journal appears). The keeper is started again each time: it resumes, copies no file
// twice and never asks twice. After each: the cluster reports the new version, and the
// bastion's oc and openshift-install are the new release's.
import assert from 'node:assert/strict';
import { watch } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { objects, setUpdateSpeed } from '../doubles/cluster/index.mjs';
import { pullsFromStray, type Lab } from '../helpers/agent-lab.js';
import { operation, type KeeperControl, type State } from './day2-nodes.js';
import type { UpgradeStick } from './upgrade-stick.js';
import { STATE_DIR } from '../../src/formats/bastion-layout.js';

// A LAN address outside the DHCP pool and the nodes', for the pulling client.
const CLIENT = '192.168.8.250/24';

export interface UpgradeReport {
  output: string;
  seconds: number;
  pulls: number;
}

const dots = (v: string) => v.replaceAll('.', '\\.');

export async function upgradeDay2(
  lab: Lab,
  o: {
    stick: UpgradeStick;
    from: string;
    to: string;
    delta: boolean;
    // Where the keeper is killed (with `crash`): part-way through the hop, or in the merge.
    kill: 'hop' | 'merge';
    // A LAN client pulls `from` throughout.
    pulls: boolean;
    crash: boolean;
    keeper: KeeperControl;
    log: (line: string) => void;
  },
): Promise<UpgradeReport> {
  const output: string[] = [];
  const media = o.stick.media;
  const before = ((await lab.state()).upgrades ?? []) as Array<{ from: string; to: string }>;
  o.log(
    `lab: day 2: the ${o.delta ? 'delta' : 'full'} upgrade stick to ${o.to} (built in ${o.stick.seconds.toFixed(0)} s); fyr-agent upgrade --media shows the plan`,
  );
  const plan = await lab.agent(['upgrade', '--media', media]);
  assert.equal(plan.exitCode, 0, `fyr-agent upgrade (plan): ${plan.stdout}${plan.stderr}`);
  assert.match(plan.stdout, new RegExp(`OpenShift ${dots(o.from)} → ${dots(o.to)}, 1 hop`));
  if (o.delta) assert.match(plan.stdout, /a delta on what this bastion serves/);
  else assert.doesNotMatch(plan.stdout, /a delta/);
  output.push(plan.stdout);

  // The fake reboots its machines for the update (the VMs keep running): its update clock may
  // run faster than the lab's (an hour of payload and four node reboots in seconds).
  // Killed mid-hop, the hop must last long enough to be caught part-way; else it may fly.
  setUpdateSpeed(lab.doubles, o.crash && o.kill === 'hop' ? 400 : 2000);
  // A node's pulls of the running release, through the whole upgrade.
  const stop = join(lab.dir, `stop-upgrade-pulls-${o.to}`);
  if (o.pulls) await lab.stray('ip', ['addr', 'add', CLIENT, 'dev', 'pxe0']);
  const pulls = o.pulls ? pullsFromStray(lab, `openshift/release-images:${o.from}-x86_64`, stop) : undefined;
  // The merge's journal (operations/upgrade.ts: upgrade-<id>.merged) appearing: the merge has
  // begun. Watched, not polled, and the keeper killed from the watch itself: a stick this small
  // is merged in well under a second.
  const stateDir = join(lab.root, STATE_DIR.slice(1));
  const journals = new Set((await readdir(stateDir)).filter((f) => f.endsWith('.merged')));
  let journal: string | undefined;
  let marksAtKill = -1;
  let killed: Promise<void> | undefined;
  const watcher = watch(stateDir, (_event, name) => {
    if (!name?.endsWith('.merged') || journals.has(name) || journal) return;
    journal = name;
    if (o.crash && o.kill === 'merge')
      killed = (async () => {
        await o.keeper.restart();
        // How far the merge had come: each step ends with a mark, the fourth ends it.
        marksAtKill = (await readFile(join(stateDir, name), 'utf8')).split('\n').filter((l) => l === '#synced').length;
      })();
  });
  const crash =
    o.kill === 'hop'
      ? {
          when: (s: State) =>
            s.keeper?.operation?.kind === 'upgrade' &&
            s.keeper.operation.facts?.['hop0-configs'] !== undefined &&
            objects(lab.doubles).clusterVersion.status.history[0]?.state === 'Partial',
          keeper: o.keeper,
        }
      : {
          // The watch killed it already; the operation's helper only waits for that.
          when: () => killed !== undefined,
          keeper: { restart: async () => await killed },
        };
  o.log(
    `lab: day 2: fyr-agent upgrade --yes (backup, merge${o.pulls ? ` while a LAN client pulls ${o.from}` : ''}, the hop to ${o.to})`,
  );
  let upgraded: { output: string; seconds: number };
  try {
    upgraded = await operation(
      lab,
      {
        kind: 'upgrade',
        args: ['upgrade', '--media', media, '--yes'],
        ...(o.crash ? { crash } : {}),
      },
      o.log,
    );
  } finally {
    watcher.close();
    await writeFile(stop, '');
  }
  output.push(upgraded.output);
  if (o.crash && o.kill === 'merge') {
    o.log(`lab: day 2: the keeper was killed with ${marksAtKill} of the merge's 4 steps done`);
    assert.ok(
      marksAtKill >= 0 && marksAtKill < 4,
      `the keeper was killed in the merge (${marksAtKill} of 4 steps done)`,
    );
    // Resumed from its journal: no file written twice.
    const written = (await readFile(join(stateDir, journal!), 'utf8'))
      .split('\n')
      .map((l) => l.split('\0'))
      .filter(([, , , action]) => action === 'copied' || action === 'replaced')
      .map(([path]) => path);
    assert.equal(new Set(written).size, written.length, 'a file of the stick was written twice');
  }
  let pulled = 0;
  if (pulls) {
    const lines = String((await pulls).stdout)
      .split('\n')
      .filter(Boolean);
    assert.ok(lines.length > 0, 'the LAN client pulled');
    assert.deepEqual(
      lines.filter((l) => !l.endsWith(' ok')),
      [],
      'no pull failed while the stick was merged',
    );
    pulled = lines.length;
  }
  const cv = objects(lab.doubles).clusterVersion;
  assert.equal(cv.status.history[0].version, o.to);
  assert.equal(cv.status.history[0].state, 'Completed');
  const state = await lab.state();
  assert.deepEqual(
    (state.upgrades ?? []).map((u: { from: string; to: string }) => `${u.from}->${u.to}`),
    [...before.map((u) => `${u.from}->${u.to}`), `${o.from}->${o.to}`],
  );
  // Asked once, even across the kill.
  const asked = (await lab.calls()).filter(
    (c) => c[0] === 'oc' && c[1] === 'adm' && c[2] === 'upgrade' && c.some((a) => a.startsWith('--to-image=')),
  );
  assert.equal(asked.length, before.length + 1, `oc adm upgrade asked once per upgrade: ${JSON.stringify(asked)}`);
  // The bastion's tools are the new release's: a node added later installs the running version.
  assert.match(await readFile(join(lab.root, 'usr/local/bin/oc'), 'utf8'), new RegExp(dots(o.to)));
  o.log(
    `lab: day 2: upgraded to ${o.to} in ${upgraded.seconds.toFixed(0)} s${pulls ? `; ${pulled} pulls of ${o.from}, none failed` : ''}`,
  );
  return { output: output.join('\n'), seconds: upgraded.seconds, pulls: pulled };
}
