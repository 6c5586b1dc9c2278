// The keeper's approver and its etcd backup against the fake cluster, through the real argv of
// the oc double (test/doubles/cluster/) and a real etcd: nodes join only through the site's
// CSRs, a stranger's never; a backup waits out the first 24 h and a control-plane rollout,
// saying why; one taken on a Ready control plane is brought over, checked and kept, and the
// node's copy removed.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSnapshot } from '../../../src/agent/backups/etcd-snapshot.js';
import { listBackups } from '../../../src/agent/backups/store.js';
import { lookAtCluster } from '../../../src/agent/cluster/look.js';
import { recordHealth } from '../../../src/agent/keeper/state.js';
import { NODE_BOOTSTRAPPER } from '../../../src/agent/cluster/csr.js';
import type { AgentContext } from '../../../src/agent/context.js';
import type { Exec } from '../../../src/agent/exec.js';
import { runOperation } from '../../../src/agent/keeper/operations.js';
import { backup } from '../../../src/agent/operations/backup.js';
import { loadState, StateStore } from '../../../src/agent/state.js';
import { approvals, fileCsr, setApi, setNodeNotReady, setOperatorCondition } from '../../doubles/cluster/index.mjs';
import type { Etcd } from '../../helpers/etcd.js';
import { clusterContext, NODES, type ClusterContext } from '../../helpers/cluster-context.js';

interface Ctx {
  dir: string;
  doubles: string;
  etcd?: Etcd;
  ctx: AgentContext;
  site?: ClusterContext;
}
const test = suite<Ctx>('agent :: operations :: backup', {
  dir: '',
  doubles: '',
  ctx: undefined as unknown as AgentContext,
});

test.before.each(async (c) => {
  c.site = await clusterContext();
  ({ dir: c.dir, doubles: c.doubles, etcd: c.etcd, ctx: c.ctx } = c.site);
});
test.after.each(async (c) => c.site?.close());

const joinNodes = (c: Ctx) => c.site!.joinNodes();

test("the site's nodes join through the approver; a stranger's CSR is recorded, never approved", async (c) => {
  const stranger = fileCsr(c.doubles, {
    username: NODE_BOOTSTRAPPER,
    commonName: 'system:node:intruder',
    organization: 'system:nodes',
  });
  await joinNodes(c);
  const counts = approvals(c.doubles);
  assert.is(counts[stranger], undefined);
  assert.is(Object.keys(counts).length, 2 * NODES.length, 'a client and a serving CSR per node');
  for (const n of Object.values(counts)) assert.is(n, 1);
  const keeper = c.ctx.store.state.keeper!;
  assert.equal(
    keeper.csrRefused.map((r) => [r.name, r.requester, r.requestedName, r.reason]),
    [[stranger, NODE_BOOTSTRAPPER, 'system:node:intruder', 'intruder is not a node of this site']],
  );
  assert.equal(
    keeper.csrApproved
      .filter((a) => a.kind === 'serving')
      .map((a) => a.node)
      .sort(),
    ['cp-0', 'cp-1', 'cp-2'],
  );
});

test('no backup in the first 24 h after install, nor while the control plane rolls out', async (c) => {
  await joinNodes(c);
  c.ctx.store.state.finishedAt = new Date(Date.now() - 3600_000).toISOString();
  const early = await runOperation(c.ctx, backup, 'command', () => undefined, { keepSkipped: true });
  assert.is(early.record.status, 'skipped');
  assert.match(String(early.record.error), /^the first backup is taken from 20\d\d-.*, 24 h after the install/);
  c.ctx.store.state.finishedAt = new Date(Date.now() - 48 * 3600_000).toISOString();
  setOperatorCondition(c.doubles, 'kube-apiserver', 'Progressing', 'True', {
    reason: 'NodeInstaller',
    message: 'NodeInstallerProgressing: 1 node is at revision 7; 2 nodes are at revision 8',
  });
  const rolling = await runOperation(c.ctx, backup, 'schedule');
  assert.is(rolling.record.status, 'skipped');
  assert.is(rolling.record.error, 'kube-apiserver is progressing (a backup during a rollout is not reliable)');
  assert.equal(await listBackups(c.ctx.paths.backupsDir), []);
});

test('the API down: the look is recorded as unreachable (the certificate date kept), the backup waits, nothing throws', async (c) => {
  await joinNodes(c);
  await recordHealth(c.ctx, await lookAtCluster(c.ctx));
  const known = c.ctx.store.state.keeper?.health?.certificatesNotAfter;
  assert.match(String(known), /^20\d\d-/);
  setApi(c.doubles, false);
  const skipped = await runOperation(c.ctx, backup, 'schedule');
  assert.is(skipped.record.status, 'skipped');
  assert.match(
    String(skipped.record.error),
    /^the cluster cannot be reached \(oc exited with 1: The connection to the server api\.edge\.example\.com:6443 was refused/,
  );
  const health = c.ctx.store.state.keeper!.health!;
  assert.ok(health.error);
  assert.is(health.certificatesNotAfter, known);
  assert.is(health.nodes, undefined);
});

test('a backup on a Ready control plane: brought over, checked, kept in 0700, the node copy removed', async (c) => {
  await joinNodes(c);
  setNodeNotReady(c.doubles, 'cp-0', { reason: 'NodeStatusUnknown' });
  const out = await runOperation(c.ctx, backup, 'command');
  assert.is(out.record.status, 'done', out.record.error);
  assert.is(out.record.facts.node, 'cp-1', 'not the NotReady node');
  const [kept] = await listBackups(c.ctx.paths.backupsDir);
  assert.is(kept?.id, out.record.id);
  assert.is((await stat(kept!.dir)).mode & 0o777, 0o700);
  assert.equal(
    kept!.record.files.map((f) => f.kind),
    ['snapshot', 'static-resources'],
  );
  const snapshot = join(kept!.dir, kept!.record.files[0]!.name);
  assert.ok((await checkSnapshot(snapshot)).ok);
  assert.is(kept!.record.version, '4.18.9');
  assert.is(c.ctx.store.state.keeper?.lastBackup?.id, out.record.id);
  const remote = join(c.doubles, 'cluster/hosts/cp-1', out.record.facts.remote!);
  assert.is(await stat(remote).catch(() => undefined), undefined, "the node's copy is gone");
  // The record holds what restoring needs and nothing more (no credentials, no cluster data).
  const record = JSON.parse(await readFile(join(kept!.dir, 'backup.json'), 'utf8'));
  assert.equal(Object.keys(record).sort(), [
    'cluster',
    'files',
    'format',
    'id',
    'node',
    'snapshot',
    'takenAt',
    'version',
  ]);
  assert.equal(
    record.files.map((f: object) => Object.keys(f).sort()),
    [
      ['bytes', 'kind', 'name', 'sha256'],
      ['bytes', 'kind', 'name', 'sha256'],
    ],
  );
  for (const f of record.files) assert.is((await stat(join(kept!.dir, f.name))).mode & 0o777, 0o600, f.name);
});

test('a backup that fails its check leaves nothing behind: not on the node, not on the bastion', async (c) => {
  await joinNodes(c);
  // The snapshot damaged on its way over (one byte flipped as it lands).
  const damaging: Exec = async (file, args, options) => {
    const r = await c.ctx.exec(file, args, options);
    if (args.includes('cat') && options?.stdoutFile && /snapshot_/.test(options.stdoutFile)) {
      const bytes = await readFile(options.stdoutFile);
      bytes[bytes.length >> 1]! ^= 1;
      await writeFile(options.stdoutFile, bytes);
    }
    return r;
  };
  const out = await runOperation({ ...c.ctx, exec: damaging } as AgentContext, backup, 'schedule');
  assert.is(out.record.status, 'failed');
  assert.match(
    String(out.record.error),
    /^the snapshot snapshot_.*\.db is damaged: the database does not match the sha256/,
  );
  const remote = join(c.doubles, 'cluster/hosts', out.record.facts.node!, out.record.facts.remote!);
  assert.is(await stat(remote).catch(() => undefined), undefined, "the node's copy is gone");
  assert.equal(await readdir(c.ctx.paths.backupsDir), []);
});

// Killed (as SIGKILL would: nothing more written) right after, or right before, the command a
// point names; then a fresh agent resumes from the state file.
const KILL_POINTS: Array<[string, 'after' | 'before', (args: readonly string[], nth: number) => boolean]> = [
  ['cluster-backup.sh ran', 'after', (a) => a.includes('/usr/local/bin/cluster-backup.sh')],
  ['the snapshot came over', 'after', (a) => a.includes('cat') && a.some((x) => /snapshot_/.test(x))],
  ['the resources came over', 'after', (a) => a.includes('cat') && a.some((x) => /static_kuberesources_/.test(x))],
  // The second rm -rf of the node's copy is the one after the backup was kept (the first cleans).
  ['the backup was kept', 'before', (a, nth) => a.includes('rm') && nth === 2],
  ["the node's copy was removed", 'after', (a, nth) => a.includes('rm') && nth === 2],
];

test('killed at any step, the resumed backup finishes it: one snapshot, one backup kept, the node copy gone', async (c) => {
  await joinNodes(c);
  for (const [point, when, matches] of KILL_POINTS) {
    let snapshots = 0;
    let removes = 0;
    let fired = false;
    const abort = new AbortController();
    const counting: Exec = async (file, args, options) => {
      if (args.includes('/usr/local/bin/cluster-backup.sh')) snapshots += 1;
      const nth = args.includes('rm') ? ++removes : 0;
      if (!fired && when === 'before' && matches(args, nth)) {
        fired = true;
        abort.abort();
        throw new Error('killed');
      }
      const r = await c.ctx.exec(file, args, options);
      if (!fired && when === 'after' && matches(args, nth)) {
        fired = true;
        abort.abort();
        throw new Error('killed');
      }
      return r;
    };
    const dying = { ...c.ctx, exec: counting, signal: abort.signal } as AgentContext;
    await runOperation(dying, backup, 'command').then(
      () => assert.unreachable(`${point}: not killed`),
      () => undefined,
    );
    const saved = (await loadState(c.ctx.paths.stateFile))!;
    const interrupted = saved.keeper!.operation!;
    assert.is(interrupted.status, 'running', point);
    const store = new StateStore(c.ctx.paths.stateFile, saved, c.ctx.now);
    const again = { ...c.ctx, store, exec: counting } as AgentContext;
    const out = await runOperation(again, backup, interrupted.by, () => undefined, { resume: interrupted });
    assert.is(out.record.status, 'done', `${point}: ${out.record.error}`);
    assert.is(snapshots, 1, `${point}: cluster-backup.sh ran once`);
    const kept = await listBackups(c.ctx.paths.backupsDir);
    assert.ok(
      kept.some((b) => b.id === interrupted.id),
      `${point}: kept`,
    );
    assert.ok(
      (await checkSnapshot(join(kept.find((b) => b.id === interrupted.id)!.dir, kept[0]!.record.files[0]!.name))).ok,
    );
    const remote = join(c.doubles, 'cluster/hosts', interrupted.facts.node!, interrupted.facts.remote!);
    assert.is(await stat(remote).catch(() => undefined), undefined, `${point}: the node's copy is gone`);
    assert.equal(Object.keys(store.state.effects), [], `${point}: the journal is cleared`);
    c.ctx.store = store;
    // The next id is the next second.
    await new Promise((r) => setTimeout(r, 1000));
  }
});

test.run();
