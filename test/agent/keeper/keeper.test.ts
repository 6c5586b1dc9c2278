// The keeper's loop against the fake cluster: it looks and records what it saw, takes the
// backup that is due and schedules the next a period later, answers fyr-agent backup over its
// socket, and when it is stopped mid-way tells the waiting client so and leaves the backup to
// resume at the next start.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AgentContext } from '../../../src/agent/context.js';
import type { Exec } from '../../../src/agent/exec.js';
import { Keeper } from '../../../src/agent/keeper/keeper.js';
import { requestOperation } from '../../../src/agent/keeper/requests.js';
import { clusterContext, type ClusterContext } from '../../helpers/cluster-context.js';

const test = suite<{ site?: ClusterContext }>('agent :: keeper :: loop', {});
test.after.each(async (c) => c.site?.close());

const until = async (check: () => boolean, ms = 60_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('never happened');
    await new Promise((r) => setTimeout(r, 50));
  }
};

function keeperContext(site: ClusterContext, exec: Exec, signal: AbortSignal): AgentContext {
  return {
    ...site.ctx,
    exec,
    signal,
    options: { ...site.ctx.options, healthEveryMs: 300, firstBackupAfterMs: 0 },
    sleep: (ms: number) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, ms);
        signal.addEventListener('abort', () => (clearTimeout(t), reject(new Error('stopped'))), { once: true });
      }),
  } as AgentContext;
}

test('looks, takes the due backup and schedules the next; stopped mid-request, the client hears it', async (c) => {
  c.site = await clusterContext();
  await c.site.joinNodes();
  const stop = new AbortController();
  let snapshots = 0;
  // The second cluster-backup.sh (the requested one) is where the keeper is stopped.
  const exec: Exec = async (file, args, options) => {
    if (args.includes('/usr/local/bin/cluster-backup.sh') && ++snapshots === 2) {
      const r = await c.site!.ctx.exec(file, args, options);
      stop.abort();
      return r;
    }
    return c.site!.ctx.exec(file, args, options);
  };
  const ctx = keeperContext(c.site, exec, stop.signal);
  const running = new Keeper(ctx).run().then(
    () => 'ended',
    (e: Error) => e.message,
  );
  await until(() => Date.parse(ctx.store.state.keeper?.nextBackupAt ?? '0') > Date.now());
  const k = ctx.store.state.keeper!;
  assert.ok(k.health?.nodes?.every((n) => n.ready));
  assert.is(k.health?.version, '4.18.9');
  assert.is(k.access?.apiUrl, 'https://api.edge.example.com:6443');
  const taken = Date.parse(k.lastBackup!.takenAt);
  assert.is(Date.parse(k.nextBackupAt!), taken + 6 * 3600_000, 'the next a period after');
  const heard: string[] = [];
  const outcome = await Promise.race([
    requestOperation(ctx.paths.keeperSocket, 'backup', (l) => heard.push(l)),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the client was never answered')), 120_000)),
  ]);
  assert.is(outcome.status, 'failed');
  assert.match(String(outcome.error), 'the keeper was stopped; this backup resumes when the agent starts again');
  assert.ok(heard.some((l) => l.startsWith('cluster-backup.sh on ')));
  assert.match(await running, /stopped/, 'run() ends when stopped');
  assert.is(ctx.store.state.keeper!.operation?.status, 'running', 'left to resume');
});

test.run();
