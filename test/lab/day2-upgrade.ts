// The virtual site on day 2, its upgrade (after day2-nodes.ts): the tech plugs in the second
// stick (upgrade-stick.ts: 4.18.9 → 4.18.12, a delta on the install's release) and runs
// `fyr-agent upgrade` on the bastion, nothing else. It finds the stick's files, checks them,
// prints the plan; with --yes the keeper takes an etcd backup, merges the stick's registry tree
// into the one the bastion serves while a client on the LAN pulls 4.18.9 over and over (none
// may fail), applies the hop's signature ConfigMap and asks the fake cluster once for the
// update by digest; the fake cluster's version operator takes it only from the served tree and
// only signed, and walks its nodes through it. With `crash` the keeper is killed (SIGKILL) mid-hop
// and started again: it resumes and never asks twice. After: the cluster reports 4.18.12, and
// the bastion's oc and openshift-install are the new release's.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { objects, setUpdateSpeed } from '../doubles/cluster/index.mjs';
import type { Lab } from '../helpers/agent-lab.js';
import { operation, type KeeperControl, type State } from './day2-nodes.js';
import { UPGRADE_TO, type UpgradeStick } from './upgrade-stick.js';

const PULL_LOOP = new URL('../helpers/pull-loop.mjs', import.meta.url).pathname;
// A LAN address outside the DHCP pool and the nodes', for the pulling client.
const CLIENT = '192.168.8.250/24';

export interface UpgradeReport {
  output: string;
  seconds: number;
  pulls: number;
}

export async function upgradeDay2(
  lab: Lab,
  o: { stick: UpgradeStick; crash: boolean; keeper: KeeperControl; log: (line: string) => void },
): Promise<UpgradeReport> {
  const output: string[] = [];
  const media = o.stick.media;
  o.log(
    `lab: day 2: the upgrade stick (built in ${o.stick.seconds.toFixed(0)} s); fyr-agent upgrade --media shows the plan`,
  );
  const plan = await lab.agent(['upgrade', '--media', media]);
  assert.equal(plan.exitCode, 0, `fyr-agent upgrade (plan): ${plan.stdout}${plan.stderr}`);
  assert.match(plan.stdout, new RegExp(`OpenShift 4\\.18\\.9 → ${UPGRADE_TO.replaceAll('.', '\\.')}, 1 hop`));
  assert.match(plan.stdout, /a delta on what this bastion serves/);
  output.push(plan.stdout);

  // The fake reboots its machines for the update (the VMs keep running): its update clock may
  // run faster than the lab's (an hour of payload and four node reboots in seconds).
  setUpdateSpeed(lab.doubles, 400);
  // A node's pulls of the running release, through the whole upgrade.
  await lab.stray('ip', ['addr', 'add', CLIENT, 'dev', 'pxe0']);
  const registry = join(lab.root, 'var/lib/fyr/registry');
  const stop = join(lab.dir, 'stop-upgrade-pulls');
  const pulls = lab.strayStart(process.execPath, [
    PULL_LOOP,
    '192.168.8.1:8443',
    'bastion.edge.example.com',
    join(registry, 'certs/registry.crt'),
    'fyr',
    join(registry, 'password'),
    'openshift/release-images:4.18.9-x86_64',
    stop,
  ]);
  o.log(
    `lab: day 2: fyr-agent upgrade --yes (backup, merge while a LAN client pulls 4.18.9, the hop to ${UPGRADE_TO})`,
  );
  let upgraded: { output: string; seconds: number };
  try {
    upgraded = await operation(
      lab,
      {
        kind: 'upgrade',
        args: ['upgrade', '--media', media, '--yes'],
        // Killed while the cluster is part-way through the hop: the resumed keeper follows it.
        ...(o.crash
          ? {
              crash: {
                when: (s: State) =>
                  s.keeper?.operation?.kind === 'upgrade' &&
                  s.keeper.operation.facts?.['hop0-configs'] !== undefined &&
                  objects(lab.doubles).clusterVersion.status.history[0]?.state === 'Partial',
                keeper: o.keeper,
              },
            }
          : {}),
      },
      o.log,
    );
  } finally {
    await writeFile(stop, '');
  }
  output.push(upgraded.output);
  const lines = String((await pulls).stdout)
    .split('\n')
    .filter(Boolean);
  assert.ok(lines.length > 0, 'the LAN client pulled');
  assert.deepEqual(
    lines.filter((l) => !l.endsWith(' ok')),
    [],
    'no pull failed while the stick was merged',
  );
  const cv = objects(lab.doubles).clusterVersion;
  assert.equal(cv.status.history[0].version, UPGRADE_TO);
  assert.equal(cv.status.history[0].state, 'Completed');
  const state = await lab.state();
  assert.deepEqual(
    (state.upgrades ?? []).map((u: { from: string; to: string }) => `${u.from}->${u.to}`),
    [`4.18.9->${UPGRADE_TO}`],
  );
  // Asked once, even across the kill.
  const asked = (await lab.calls()).filter((c) => c[0] === 'oc' && c[1] === 'adm' && c[2] === 'upgrade');
  assert.equal(asked.length, 1, `oc adm upgrade asked once: ${JSON.stringify(asked)}`);
  // The bastion's tools are the new release's: a node added later installs the running version.
  assert.match(
    await readFile(join(lab.root, 'usr/local/bin/oc'), 'utf8'),
    new RegExp(UPGRADE_TO.replaceAll('.', '\\.')),
  );
  o.log(
    `lab: day 2: upgraded to ${UPGRADE_TO} in ${upgraded.seconds.toFixed(0)} s; ${lines.length} pulls of 4.18.9, none failed`,
  );
  return { output: output.join('\n'), seconds: upgraded.seconds, pulls: lines.length };
}
