// `fyr-agent upgrade`: reads the upgrade stick (--media DIR: where it is mounted; without it,
// the attached stick with a path from the running version, find-media.ts), checks it
// against the bastion and its cluster (upgradeRefusals) and every file of it, prints the plan
// (hops, sizes, time); with --yes asks the running keeper for an etcd backup, then for the
// upgrade (operations/upgrade.ts), printing their progress. Without --yes nothing changes.
import { join, resolve } from 'node:path';
import { AGENT_DIR } from '../../formats/bastion-layout.js';
import type { AgentContext } from '../context.js';
import { exec, type Exec } from '../exec.js';
import { requestOperation } from '../keeper/requests.js';
import type { Paths } from '../paths.js';
import { AgentInputError, readRelease, readSite } from '../site.js';
import { loadState } from '../state.js';
import { hopMinutes, upgradeRefusals, type UpgradeRelease } from './check.js';
import { findUpgradeMedia } from './find-media.js';
import { checkUpgradeMedia, readUpgradeRelease, UpgradeMediaError } from './media.js';
import { installStickAgent } from './self.js';
import { servedTree } from './served.js';

export interface UpgradePlan {
  from: string;
  to: string;
  hops: Array<{ version: string; image: string; minutes: number }>;
  delta: boolean;
  registryFiles: number;
  registryBytes: number;
  minutes: number;
}

export function upgradePlan(release: UpgradeRelease, nodes: number): UpgradePlan {
  const path = release.upgrade!;
  const hops = path.hops.map((h) => ({ version: h.version, image: h.image, minutes: hopMinutes(nodes) }));
  return {
    from: path.from,
    to: path.hops.at(-1)!.version,
    hops,
    delta: release.registry?.delta !== undefined,
    registryFiles: release.registry?.files ?? 0,
    registryBytes: release.registry?.bytes ?? 0,
    minutes: hops.reduce((a, h) => a + h.minutes, 0),
  };
}

export function upgradePlanText(p: UpgradePlan): string {
  const gib = (p.registryBytes / 1024 ** 3).toFixed(2);
  return [
    `fyr-agent upgrade: OpenShift ${p.from} → ${p.to}, ${p.hops.length} hop${p.hops.length === 1 ? '' : 's'}`,
    '',
    ...p.hops.map((h, i) => `  ${i + 1}. ${h.version}  ${h.image}  (about ${h.minutes} min)`),
    '',
    `  first: an etcd backup of ${p.from}; the stick's registry tree (${p.registryFiles} files, ${gib} GiB${p.delta ? ', a delta on what this bastion serves' : ''}) merged into the served one`,
    `  then each hop: its signature ConfigMap, oc adm upgrade --allow-explicit-upgrade (by digest), followed until Completed and stable`,
    `  last: the bastion's oc, openshift-install and PXE RHCOS move to ${p.to}; the stick may then be removed`,
    `  about ${Math.round(p.minutes / 6) / 10} h in all (1 h per hop plus 15 min a node)`,
    '',
  ].join('\n');
}

export interface UpgradeArgs {
  paths: Paths;
  // Where the stick is mounted; without it the stick is found (find-media.ts).
  media?: string;
  yes: boolean;
  json: boolean;
  exec: Exec;
  out: (text: string) => void;
  err: (text: string) => void;
  // This agent's version, and how to hand the command over to a newer agent the stick installed
  // (main.ts: restart the keeper on it, run the same command with it).
  version?: string;
  handOver?: (agentFile: string) => Promise<number>;
}

export async function upgradeCommand(a: UpgradeArgs): Promise<number> {
  const [site, installed, state] = await Promise.all([
    readSite(a.paths.siteJson),
    readRelease(a.paths.releaseJson),
    loadState(a.paths.stateFile),
  ]);
  if (!state?.finishedAt)
    throw new AgentInputError('the site is not installed yet: an upgrade comes after the install');
  // The agent's own view of the cluster and bastion, as the keeper has them.
  const view = {
    paths: a.paths,
    exec: a.exec,
    signal: new AbortController().signal,
    site,
    release: installed,
    store: { state },
  } as unknown as AgentContext;
  const served = await servedTree(view);
  let media: string;
  if (a.media) media = resolve(a.media);
  else {
    const found = await findUpgradeMedia(a.paths.root, a.exec, served.running);
    media = found.dir;
    a.err(`fyr-agent: the upgrade stick is ${found.device} (label ${found.label}), mounted at ${media}\n`);
  }
  const release = await readUpgradeRelease(media);
  const refused = upgradeRefusals(release, served);
  // With --yes the keeper's upgrade checks every file before it changes anything (and hands its
  // hashes to the merge): reading the whole stick here too would only read it twice.
  if (!a.yes) a.err(`fyr-agent: checking every file of the stick in ${media}\n`);
  const problems = refused.length > 0 || a.yes ? refused : await checkUpgradeMedia(media, release);
  if (problems.length > 0) {
    if (a.json) a.out(`${JSON.stringify({ media, refusals: problems }, null, 2)}\n`);
    else a.err(`fyr-agent: the stick in ${media} cannot be used here:\n  ${problems.join('\n  ')}\n`);
    return 1;
  }
  const plan = upgradePlan(release, site.nodes.length);
  a.out(a.json ? `${JSON.stringify({ media, plan }, null, 2)}\n` : upgradePlanText(plan));
  if (!a.yes) {
    if (!a.json) a.out('Nothing was changed. To upgrade: fyr-agent upgrade --yes (with the same stick).\n');
    return 0;
  }
  if (a.handOver && a.version) {
    const agentFile = join(a.paths.root, AGENT_DIR, 'fyr-agent.mjs');
    const self = await installStickAgent(media, release, agentFile, a.version);
    if (self.installed) {
      a.err(
        `fyr-agent: installed the stick's agent ${self.to} (was ${self.from}, kept as fyr-agent.mjs.previous); it takes over\n`,
      );
      return a.handOver(agentFile);
    }
  }
  const asked = new Date().toISOString();
  const backup = await requestOperation(a.paths.keeperSocket, 'backup', (line) => a.err(`backup: ${line}\n`));
  if (backup.status !== 'done') {
    a.err(`fyr-agent: no upgrade without a backup first: ${backup.error ?? backup.status}\n`);
    return 1;
  }
  const outcome = await requestOperation(a.paths.keeperSocket, 'upgrade', (line) => a.err(`upgrade: ${line}\n`), {
    media,
    backupAfter: asked,
    // The stick's path start: a resume after a reboot finds the stick by it.
    from: release.upgrade?.from ?? served.running,
  });
  if (outcome.status === 'done') {
    a.out(`fyr-agent: ${outcome.summary ?? 'upgraded'}\n`);
    return 0;
  }
  a.err(
    `fyr-agent: ${outcome.status === 'skipped' ? 'not upgraded' : 'upgrade failed'}: ${outcome.error ?? 'no reason given'}\n`,
  );
  return 1;
}

// From main.ts's parsed options: exit 3 for a stick (none found) or bastion file that cannot
// be read, 1 for a refused stick or a failed upgrade.
export async function upgradeMain(
  v: { media?: string; yes: boolean; json: boolean },
  paths: Paths,
  io: Pick<UpgradeArgs, 'out' | 'err' | 'version' | 'handOver'>,
): Promise<number> {
  return upgradeCommand({ paths, ...(v.media ? { media: v.media } : {}), yes: v.yes, json: v.json, exec, ...io }).catch(
    (err: Error) => {
      io.err(`fyr-agent: ${err.message}\n`);
      return err instanceof AgentInputError || err instanceof UpgradeMediaError ? 3 : 1;
    },
  );
}
