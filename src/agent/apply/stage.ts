// The edited site staged on the bastion by `fyr-agent apply --yes`, for the keeper's apply
// operation: the site area's files (checked again against their manifest when read back), the
// release record it came with, and, for a sealed site, its opened secrets resealed to this
// bastion (systemd-creds, as after the first unlock) so neither the code nor the stick is
// needed again, even by an operation resumed after a kill.
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AgentSecrets } from '../../formats/agent-secrets.js';
import { parseReleaseJson } from '../../formats/release-json.js';
import type { Exec } from '../exec.js';
import { exists } from '../files.js';
import { readResealed, reseal } from '../resealed.js';
import { openSecrets } from './check.js';
import { readBundleDir, ApplyInputError, type NewSite } from './source.js';

const AREA = 'area';
const RELEASE = 'release.json';
const SECRETS = 'secrets.cred';

// One directory per site (by render hash) under STATE/apply/.
export const stagedDir = (stateDir: string, renderHash: string) => join(stateDir, 'apply', renderHash.slice(0, 16));

export async function stageSite(exec: Exec, dir: string, next: NewSite, secrets: AgentSecrets): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const f of next.files) {
    const to = join(dir, AREA, f.path);
    await mkdir(dirname(to), { recursive: true, mode: 0o700 });
    await writeFile(to, f.content, { mode: 0o600 });
    await chmod(to, f.mode & 0o7777);
  }
  if (next.release) await writeFile(join(dir, RELEASE), `${JSON.stringify(next.release, null, 2)}\n`, { mode: 0o600 });
  if (next.manifest.sealed) await reseal(exec, join(dir, SECRETS), secrets);
}

// The staged site, checked against its manifest again, with its secrets.
export async function readStaged(exec: Exec, dir: string): Promise<{ next: NewSite; secrets: AgentSecrets }> {
  if (!(await exists(join(dir, AREA))))
    throw new ApplyInputError(`${dir}: no staged site here; run fyr-agent apply --yes again`);
  const next = await readBundleDir(join(dir, AREA));
  const releaseFile = join(dir, RELEASE);
  if (await exists(releaseFile)) next.release = parseReleaseJson(await readFile(releaseFile, 'utf8'));
  let secrets: AgentSecrets | undefined;
  if (next.manifest.sealed) {
    secrets = await readResealed(exec, join(dir, SECRETS));
    if (!secrets) throw new ApplyInputError(`${dir}: the staged secrets are missing; run fyr-agent apply --yes again`);
  } else secrets = await openSecrets(next, () => Promise.reject(new Error('not sealed')));
  return { next, secrets };
}

export const stagedSecretsFile = (dir: string) => join(dir, SECRETS);
