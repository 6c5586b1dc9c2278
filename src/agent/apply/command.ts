// `fyr-agent apply`: reads the edited site (the stick, --site-iso, --bundle), checks it against
// the bastion, opens its secrets, prints the plan; with --yes stages it and asks the running
// keeper to apply it (operations/apply.ts), printing its progress. Without --yes nothing changes.
import { readFile } from 'node:fs/promises';
import type { AgentSecrets } from '../../formats/agent-secrets.js';
import { exec, type Exec } from '../exec.js';
import { requestOperation } from '../keeper/requests.js';
import type { Paths } from '../paths.js';
import { readResealed } from '../resealed.js';
import { AgentInputError, readSecrets } from '../site.js';
import { changedPasswords, checkNewSite, openSecrets } from './check.js';
import { bastionChanges } from './files.js';
import { readInstalled } from './installed.js';
import { makePlan } from './plan.js';
import { planText } from './plan-text.js';
import { ApplyInputError, readBundleDir, readMediaDir, readSiteIso, type NewSite } from './source.js';
import { stagedDir, stageSite } from './stage.js';
import { findStick } from './stick.js';

export interface ApplyArgs {
  paths: Paths;
  siteIso?: string;
  bundle?: string;
  // The media's files in a directory (labs and tests), instead of the stick by its label.
  media?: string;
  yes: boolean;
  json: boolean;
  exec: Exec;
  // The unlock code of a sealed new site (from --unlock-code-file or the terminal).
  code: () => Promise<string>;
  out: (text: string) => void;
  err: (text: string) => void;
}

async function readNew(a: ApplyArgs, volumeId: string): Promise<NewSite> {
  if (a.siteIso) return readSiteIso(a.siteIso);
  if (a.bundle) return readBundleDir(a.bundle);
  if (a.media) return readMediaDir(a.media);
  const device = await findStick(a.exec, volumeId);
  return readSiteIso(device, `the stick ${device}`);
}

// The secrets the agent holds now: resealed after the unlock, or in clear (--no-seal).
async function heldSecrets(a: ApplyArgs, sealed: boolean): Promise<AgentSecrets> {
  if (!sealed) return readSecrets(a.paths.secretsJson);
  const held = await readResealed(a.exec, a.paths.resealedSecrets);
  if (!held)
    throw new Error('this bastion has not been unlocked yet (fyr-agent unlock); apply comes after the install');
  return held;
}

export async function applyCommand(a: ApplyArgs): Promise<number> {
  const installed = await readInstalled(a.paths);
  const next = await readNew(a, installed.release.volumeId);
  const refused = checkNewSite(installed, next);
  if (refused.length > 0) {
    if (a.json) a.out(`${JSON.stringify({ from: next.from, refusals: refused }, null, 2)}\n`);
    else a.err(`fyr-agent: ${next.from} cannot be applied here:\n  ${refused.join('\n  ')}\n`);
    return 1;
  }
  const [held, secrets] = [await heldSecrets(a, installed.sealed), await openSecrets(next, a.code)];
  const plan = makePlan({
    old: installed.site,
    new: next.site,
    from: installed.renderHash,
    to: next.renderHash,
    passwordChanged: changedPasswords(held, secrets),
  });
  const files = bastionChanges(installed.manifest, next.manifest.files, installed.os);
  if (a.json) a.out(`${JSON.stringify({ from: next.from, plan, files }, null, 2)}\n`);
  else a.out(planText(plan, files));
  if (plan.refusals.length > 0) return 1;
  const empty = plan.nodes.length === 0 && plan.settings.length === 0 && files.write.length + files.remove.length === 0;
  if (empty) return 0;
  if (!a.yes) {
    if (!a.json) a.out('\nNothing was changed. To apply it: fyr-agent apply --yes (with the same source).\n');
    return 0;
  }
  const dir = stagedDir(a.paths.stateDir, next.renderHash);
  await stageSite(a.exec, dir, next, secrets);
  const outcome = await requestOperation(a.paths.keeperSocket, 'apply', (line) => a.err(`apply: ${line}\n`), {
    staged: dir,
    renderHash: next.renderHash,
  });
  if (outcome.status === 'done') {
    a.out(`fyr-agent: ${outcome.summary ?? 'applied'}\n`);
    return 0;
  }
  a.err(
    `fyr-agent: ${outcome.status === 'skipped' ? 'not applied' : 'apply failed'}: ${outcome.error ?? 'no reason given'}\n`,
  );
  return 1;
}

// From main.ts's parsed options: exit 2 for a usage error, 3 for a source or bastion file that
// cannot be used, 1 for a refused plan or a failed apply.
export async function applyMain(
  v: { 'site-iso'?: string; bundle?: string; media?: string; yes: boolean; json: boolean; 'unlock-code-file'?: string },
  paths: Paths,
  askCode: () => Promise<string>,
  io: Pick<ApplyArgs, 'out' | 'err'>,
): Promise<number> {
  if (v['site-iso'] && v.bundle) {
    io.err('fyr-agent: apply takes --site-iso or --bundle, not both\n');
    return 2;
  }
  const codeFile = v['unlock-code-file'];
  return applyCommand({
    paths,
    ...(v['site-iso'] ? { siteIso: v['site-iso'] } : {}),
    ...(v.bundle ? { bundle: v.bundle } : {}),
    ...(v.media ? { media: v.media } : {}),
    yes: v.yes,
    json: v.json,
    exec,
    code: async () => (codeFile ? (await readFile(codeFile, 'utf8')).split('\n')[0]! : askCode()),
    ...io,
  }).catch((err: Error) => {
    io.err(`fyr-agent: ${err.message}\n`);
    return err instanceof AgentInputError || err instanceof ApplyInputError ? 3 : 1;
  });
}
