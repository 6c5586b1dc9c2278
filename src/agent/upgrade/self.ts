// The agent on an upgrade stick (release.json's agent: path, version, size, sha256) replaces the
// bastion's before anything else when it is newer: checked against its sha256 and size, the
// running one kept beside it as fyr-agent.mjs.previous, the new one put in place by one rename.
// The caller then restarts the keeper on it and hands the command over (main.ts).
import { copyFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from '../../registry/tree.js';
import { copyAtomic } from '../files.js';
import { compareVersions, type UpgradeRelease } from './check.js';
import { UpgradeMediaError } from './media.js';

export type SelfOutcome = { installed: false; why: string } | { installed: true; from: string; to: string };

const SEMVER = /^[0-9]+\.[0-9]+\.[0-9]+([-+].*)?$/;

export async function installStickAgent(
  media: string,
  release: UpgradeRelease,
  target: string,
  running: string,
): Promise<SelfOutcome> {
  const agent = release.agent;
  if (!SEMVER.test(agent.version) || !SEMVER.test(running))
    return { installed: false, why: `the stick's agent is ${agent.version}, this one ${running}: not compared` };
  if (compareVersions(agent.version, running) <= 0)
    return { installed: false, why: `the stick's agent ${agent.version} is not newer than this one (${running})` };
  const from = join(media, agent.path);
  const [sum, size] = await Promise.all([
    sha256File(from).catch(() => 'missing'),
    stat(from).then(
      (s) => s.size,
      () => -1,
    ),
  ]);
  if (sum !== agent.sha256 || size !== agent.size)
    throw new UpgradeMediaError(
      `${agent.path}: the stick's agent ${sum === 'missing' ? 'is missing' : 'differs from release.json'}; nothing was installed`,
    );
  await copyFile(target, `${target}.previous`).catch(() => undefined);
  await copyAtomic(from, target, 0o644);
  return { installed: true, from: running, to: agent.version };
}
