// An etcd backup onto the bastion (day2.md §3.1): the cluster's own cluster-backup.sh on one
// Ready control-plane node (through `oc debug node/<n> -- chroot /host`), both files brought
// to the bastion and checked (size, sha256, the snapshot's own hash and bbolt meta, the
// resources' gzip), kept under /var/lib/fyr/backups/<id>/, the node's copy removed, and the
// oldest beyond `keep` pruned. Each step is journalled: killed anywhere, it resumes without a
// second snapshot.
import { chmod, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { checkSnapshot } from '../backups/etcd-snapshot.js';
import {
  backupSummary,
  checkGzip,
  ensureBackupsDir,
  fileSum,
  listBackups,
  PARTIAL,
  pruneBackups,
  syncFiles,
  writeBackupRecord,
  BACKUP_FORMAT,
  type BackupFile,
} from '../backups/store.js';
import { backupBlocker, lookAtCluster } from '../cluster/look.js';
import { ocOptions } from '../cluster/oc.js';
import { PhaseError, type AgentContext } from '../context.js';
import { exists } from '../files.js';
import { keeperOf, recordHealth } from '../keeper/state.js';
import type { Operation, OperationSteps } from '../keeper/operations.js';
import type { OperationRecord } from '../keeper/records.js';
import { oc } from '../tools.js';

// Where the node keeps its copy until the bastion has it (the documented place, day2.md §3.1).
const NODE_DIR = '/home/core/assets/backup';
const SNAPSHOT = /^snapshot_[0-9_-]+(__POSSIBLY_DIRTY__)?\.db$/;
const RESOURCES = /^static_kuberesources_[0-9_-]+(__POSSIBLY_DIRTY__)?\.tar\.gz$/;

// Why no backup may be taken now: too soon after install, or the cluster not ready for one.
export async function backupNotNow(ctx: AgentContext): Promise<string | undefined> {
  const installed = ctx.store.state.finishedAt;
  if (!installed) return 'the cluster is not installed yet';
  const from = Date.parse(installed) + ctx.options.firstBackupAfterMs;
  if (ctx.now().getTime() < from)
    return `the first backup is taken from ${new Date(from).toISOString()}, ${Math.round(ctx.options.firstBackupAfterMs / 3_600_000)} h after the install (the bootstrap certificates rotate then; a backup before holds certificates that expire)`;
  const health = await lookAtCluster(ctx);
  await recordHealth(ctx, health);
  return backupBlocker(health);
}

// What the node's backup directory holds. The directory is made first (cluster-backup.sh makes
// it anyway), so a listing that fails is a failure to reach the node, never "nothing there".
async function nodeListing(ctx: AgentContext, node: string, dir: string): Promise<string[]> {
  await ctx.exec('oc', oc.hostMakeDir(node, dir), ocOptions(ctx));
  const r = await ctx.exec('oc', oc.hostList(node, dir), ocOptions(ctx));
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

const whole = (names: readonly string[]) => names.some((n) => SNAPSHOT.test(n)) && names.some((n) => RESOURCES.test(n));

// Brings the node's files over into `partial`, checks them and makes the backup whole there.
async function fetchAndCheck(
  ctx: AgentContext,
  op: OperationRecord,
  steps: OperationSteps,
  at: { node: string; remote: string; partial: string },
): Promise<void> {
  const { node, remote, partial } = at;
  const names = await nodeListing(ctx, node, remote);
  const snapshot = names.find((n) => SNAPSHOT.test(n));
  const resources = names.find((n) => RESOURCES.test(n));
  if (!snapshot || !resources)
    throw new PhaseError(
      `${node}:${remote} does not hold a snapshot and the static resources (${names.join(', ') || 'nothing'})`,
    );
  await mkdir(partial, { recursive: true, mode: 0o700 });
  for (const name of [snapshot, resources]) {
    await steps.progress(`bringing ${name} from ${node}`);
    await steps.once(`fetch/${name}`, async () => {
      await ctx.exec(
        'oc',
        oc.hostCat(node, `${remote}/${name}`),
        ocOptions(ctx, { stdoutFile: join(partial, name), timeoutMs: ctx.options.backupTimeoutMs }),
      );
      // The static resources may hold the etcd encryption keys: root's alone.
      await chmod(join(partial, name), 0o600);
    });
  }
  await steps.progress('checking the snapshot and the static resources');
  const files: BackupFile[] = [];
  for (const [name, kind] of [
    [snapshot, 'snapshot'],
    [resources, 'static-resources'],
  ] as const) {
    const sum = await fileSum(join(partial, name));
    if (sum.bytes === 0) throw new PhaseError(`${name} came over empty`);
    files.push({ name, kind, ...sum });
  }
  const check = await checkSnapshot(join(partial, snapshot));
  if (!check.ok) throw new PhaseError(`the snapshot ${snapshot} is damaged: ${check.problem}`);
  const gz = await checkGzip(join(partial, resources));
  if (gz) throw new PhaseError(`${resources} is ${gz}`);
  await writeBackupRecord(partial, {
    format: BACKUP_FORMAT,
    id: op.id,
    cluster: ctx.site.cluster.fqdn,
    takenAt: op.facts.takenAt!,
    node,
    version: op.facts.version!,
    files,
    snapshot: { dbBytes: check.dbBytes ?? 0, revisionTx: String(check.txid ?? '') },
  });
  // On the disk before it is called a backup: a power cut after the rename keeps whole files.
  await syncFiles(
    partial,
    files.map((f) => f.name),
  );
}

export const backup: Operation = {
  kind: 'backup',
  title: "etcd snapshot and static resources with the cluster's cluster-backup.sh, kept on the bastion",
  blocker: (ctx) => backupNotNow(ctx),
  async run(ctx, op, steps) {
    const health = ctx.store.state.keeper?.health;
    const node =
      op.facts.node ??
      (await steps.fact(
        'node',
        (health?.nodes ?? []).find((n) => n.role === 'control-plane' && n.ready)?.name ??
          (() => {
            throw new PhaseError('no control-plane node is Ready');
          })(),
      ));
    const version = op.facts.version ?? (await steps.fact('version', health?.version ?? 'unknown'));
    const remote = op.facts.remote ?? (await steps.fact('remote', `${NODE_DIR}/fyr-${op.id}`));
    op.facts.takenAt ?? (await steps.fact('takenAt', ctx.now().toISOString()));
    await ensureBackupsDir(ctx.paths.backupsDir);
    const final = join(ctx.paths.backupsDir, op.id);
    const partial = `${final}${PARTIAL}`;
    try {
      // Kept already (killed after the rename): what is left is the node's copy and the pruning.
      if (!(await exists(final))) {
        await steps.once(
          'snapshot',
          async () => {
            await steps.progress(`cluster-backup.sh on ${node} into ${remote}`);
            // A run killed half-way leaves part of a directory: start it clean.
            await ctx.exec('oc', oc.hostRemove(node, remote), ocOptions(ctx));
            await ctx.exec(
              'oc',
              oc.clusterBackup(node, remote),
              ocOptions(ctx, { timeoutMs: ctx.options.backupTimeoutMs }),
            );
          },
          async () => whole(await nodeListing(ctx, node, remote)),
        );
        await fetchAndCheck(ctx, op, steps, { node, remote, partial });
        await steps.once(
          'keep',
          async () => {
            await rename(partial, final);
            await syncFiles(ctx.paths.backupsDir, []);
          },
          () => exists(final),
        );
      }
      await steps.progress(`removing the copy on ${node}`);
      await steps.once('node-copy-removed', async () => {
        await ctx.exec('oc', oc.hostRemove(node, remote), ocOptions(ctx));
      });
    } catch (err) {
      // Failed for good (not stopped): nothing half-made stays, on the node (its copy holds the
      // encryption keys and fills its disk) nor here. Best effort: the node may be the problem.
      if (!ctx.signal.aborted) {
        await ctx.exec('oc', oc.hostRemove(node, remote), ocOptions(ctx)).catch(() => undefined);
        await rm(partial, { recursive: true, force: true });
      }
      throw err;
    }
    const removed = await pruneBackups(ctx.paths.backupsDir, keeperOf(ctx, ctx.store.state).backups.keep, op.id);
    const kept = await listBackups(ctx.paths.backupsDir);
    const mine = kept.find((b) => b.id === op.id);
    await ctx.store.update((s) => {
      const k = keeperOf(ctx, s);
      if (mine) k.lastBackup = backupSummary(mine.dir, mine.record);
    });
    const mb = ((mine?.bytes ?? 0) / 1e6).toFixed(1);
    return `backup ${op.id} of ${version} from ${node} (${mb} MB, snapshot checked) in ${final}; ${kept.length} kept${removed.length ? `, removed ${removed.join(', ')}` : ''}`;
  },
};
