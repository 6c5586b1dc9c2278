// fyr-agent apply, in the keeper (docs/day2.md, "Nodes from an edited site file"): the site the
// command staged is read back and checked again, planned against the bastion's site, its files
// written (old ones backed up), the configs checked by their programs and the daemons reloaded
// (all rolled back when one refuses), the nodes changed (apply-nodes.ts), and only then the
// agent's own files (site.json, secrets, manifest.json) say the bastion runs the new site.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PhaseError, type AgentContext } from '../context.js';
import type { Operation, OperationSteps } from '../keeper/operations.js';
import { changedPasswords, checkNewSite } from '../apply/check.js';
import {
  backUp,
  bastionChanges,
  bastionContent,
  configChecks,
  installFiles,
  isAgentFile,
  rollBack,
  type BastionChanges,
} from '../apply/files.js';
import { readInstalled } from '../apply/installed.js';
import { makePlan } from '../apply/plan.js';
import { fileIn, type NewSite } from '../apply/source.js';
import { readStaged, stagedSecretsFile } from '../apply/stage.js';
import { AGENT_FILES } from '../../formats/bastion-layout.js';
import { SEALED_SECRETS } from '../../formats/sealed-secrets.js';
import { MANIFEST } from '../../formats/render-manifest.js';
import { copyAtomic } from '../files.js';
import { firewallCmd } from '../tools.js';
import { applyNodes } from './apply-nodes.js';
import { bmcDriver } from '../bmc/index.js';

const content = (next: NewSite, path: string): Buffer => {
  const bytes = fileIn(next, `bundle${path}`);
  if (!bytes) throw new PhaseError(`the staged site has no bundle${path}`);
  return bastionContent(path, bytes);
};

async function reloadAll(
  ctx: AgentContext,
  changes: BastionChanges,
  once: (key: string, fn: () => Promise<void>) => Promise<void>,
) {
  for (const r of changes.reloads) {
    // Without systemd (the supervisor of labs and tests) there are no unit files to read again.
    if (r.how === 'daemon-reload' && ctx.services.kind !== 'systemd') continue;
    if (r.how === 'reload' && ctx.services.skipped(r.unit) !== undefined) continue;
    await once(r.unit, async () => {
      if (r.how === 'daemon-reload') await ctx.exec('systemctl', ['daemon-reload']);
      else if (r.how === 'firewalld') await ctx.exec('firewall-cmd', firewallCmd.reload());
      else {
        await ctx.services.reload(r.unit);
        if (!(await ctx.services.isActive(r.unit))) throw new Error(`${r.unit} is not running after its reload`);
      }
    });
  }
}

// The bastion's daemons on the new files; a config refused or a daemon that does not come back
// puts the old files back (and reloads them) before the failure is reported.
async function filesAndDaemons(
  ctx: AgentContext,
  steps: OperationSteps,
  dir: string,
  next: NewSite,
  changes: BastionChanges,
) {
  const root = ctx.paths.root;
  const write = changes.write.filter((w) => !isAgentFile(w.path));
  const remove = changes.remove.filter((r) => !isAgentFile(r.path)).map((r) => r.path);
  const backups = join(dir, 'backup');
  await steps.progress(`writing ${write.length} file(s), removing ${remove.length}`);
  await steps.once('backup', () => backUp(root, backups, [...write.map((w) => w.path), ...remove]));
  await steps.once('files', () =>
    installFiles(
      root,
      write.map((w) => ({ path: w.path, mode: w.mode, content: content(next, w.path) })),
      remove,
    ),
  );
  const restore = async (why: string, command?: string): Promise<never> => {
    await rollBack(root, backups);
    await reloadAll(ctx, changes, (_k, fn) => fn().catch(() => undefined));
    throw new PhaseError(`${why}; the old files are back and their daemons reloaded`, command ? { command } : {});
  };
  for (const [program, args] of configChecks(root, [...write.map((w) => w.path), ...remove], ctx.os)) {
    await steps.progress(`checking with ${program}`);
    await ctx
      .exec(program, args)
      .catch((err: Error & { command?: string }) =>
        restore(`${program} refuses the new config: ${err.message.split('\n')[0]}`, err.command),
      );
  }
  await steps.progress(`reloading ${changes.reloads.map((r) => r.unit).join(', ') || 'nothing'}`);
  await reloadAll(ctx, changes, (unit, fn) => steps.once(`reload/${unit}`, fn)).catch((err: Error) =>
    restore(`reloading: ${err.message.split('\n')[0]}`),
  );
}

// The agent's own files last: from here the bastion runs the new site.
async function commit(ctx: AgentContext, dir: string, next: NewSite, changes: BastionChanges) {
  const root = ctx.paths.root;
  const write = changes.write.filter((w) => isAgentFile(w.path));
  const remove = changes.remove.filter((r) => isAgentFile(r.path)).map((r) => r.path);
  const extra = [];
  const sealed = fileIn(next, `bundle${SEALED_SECRETS}`);
  if (sealed) extra.push({ path: SEALED_SECRETS, mode: 0o600, content: sealed });
  extra.push({ path: AGENT_FILES.manifest, mode: 0o600, content: fileIn(next, MANIFEST)! });
  // The new secrets, resealed to this bastion when staged, become the ones the agent reads.
  if (next.manifest.sealed) await copyAtomic(stagedSecretsFile(dir), ctx.paths.resealedSecrets, 0o600);
  await installFiles(
    root,
    [...write.map((w) => ({ path: w.path, mode: w.mode, content: content(next, w.path) })), ...extra],
    remove,
  );
}

export const apply: Operation = {
  kind: 'apply',
  title: "apply the edited site: the bastion's files and daemons, then the nodes",
  async blocker(ctx, by, asked) {
    if (by !== 'command') return 'apply runs only when fyr-agent apply --yes asks for it';
    if (typeof asked.staged !== 'string' || typeof asked.renderHash !== 'string')
      return 'no staged site: run fyr-agent apply --yes';
    if (!ctx.store.state.finishedAt) return 'the cluster is not installed yet';
    return undefined;
  },
  async run(ctx, op, steps) {
    const dir = String(op.options?.staged);
    if (op.facts.committed) {
      await rm(dir, { recursive: true, force: true });
      return op.facts.committed;
    }
    const { next, secrets } = await readStaged(ctx.exec, dir);
    if (next.renderHash !== op.options?.renderHash)
      throw new PhaseError(`the staged site in ${dir} is not the one planned; run fyr-agent apply again`);
    const installed = await readInstalled(ctx.paths);
    const refused = checkNewSite(installed, next);
    const plan = makePlan({
      old: installed.site,
      new: next.site,
      from: installed.renderHash,
      to: next.renderHash,
      passwordChanged: changedPasswords(ctx.secrets, secrets),
    });
    const refusals = [...refused, ...plan.refusals.map((r) => `${r.subject}: ${r.reason}`)];
    if (refusals.length > 0) throw new PhaseError(`refused:\n  ${refusals.join('\n  ')}`);
    const changes = bastionChanges(installed.manifest, next.manifest.files, installed.os);
    await filesAndDaemons(ctx, steps, dir, next, changes);
    // The nodes are changed under the new site: the CSR rule must know an added node, and its
    // BMC password is in the new secrets (a removed node's only in the old ones).
    const held = ctx.secrets;
    await applyNodes(
      {
        ...ctx,
        site: next.site,
        secrets,
        bmc: (node) => bmcDriver(node, secrets.bmc[node.name] ?? held.bmc[node.name], ctx.exec),
      },
      plan,
      steps,
    );
    await steps.progress('recording the new site (etc/fyr)');
    await steps.once('commit', () => commit(ctx, dir, next, changes));
    ctx.site = next.site;
    ctx.secrets = secrets;
    const c = plan.counts;
    const summary = `applied site ${next.renderHash.slice(0, 12)}: ${c.add} added, ${c.remove} removed, ${c.change} changed; ${changes.write.length} file(s) written, ${changes.remove.length} removed${changes.reloads.length ? `; ${changes.reloads.map((r) => r.unit).join(', ')} reloaded` : ''}`;
    await steps.fact('committed', summary);
    await rm(dir, { recursive: true, force: true });
    return summary;
  },
};
