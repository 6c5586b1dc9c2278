// The site's keeper: once the install phases are done the agent stays up and, on the site's
// schedule, looks at the cluster (look.ts), approves its own nodes' CSRs and nobody else's
// (approve.ts), and takes etcd backups onto the bastion; `fyr-agent backup` and the later
// day-2 subcommands reach it over its socket. Operations run one at a time, each journalled in
// the state file (operations.ts); an operation killed mid-way is resumed first at the next start.
import type { Server } from 'node:net';
import { approveSiteCsrs } from '../cluster/approve.js';
import { keeperOf, recordHealth } from './state.js';
import { lookAtCluster, type ClusterRead } from '../cluster/look.js';
import type { AgentContext } from '../context.js';
import { OPERATIONS } from '../operations/index.js';
import { siteAccess } from './access.js';
import { runOperation } from './operations.js';
import type { OperationKind, OperationOptions, OperationRecord } from './records.js';
import { serveRequests, type RequestOutcome } from './requests.js';

interface Request {
  kind: OperationKind;
  options: OperationOptions;
  progress: (line: string) => void;
  done: (outcome: RequestOutcome) => void;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class Keeper {
  private queue: Request[] = [];
  private wake: (() => void) | undefined;
  private busy: string | undefined;
  // The subcommand's request under way, answered if the keeper is stopped mid-way.
  private current: Request | undefined;
  private server: Server | undefined;

  // restarted: the agent started with the site already installed (the bastion booted, or the
  // agent was restarted), when a site found off is powered on (keeper.powerOn: auto).
  constructor(
    private readonly ctx: AgentContext,
    private readonly opts: { restarted?: boolean } = {},
  ) {}

  private get healthEveryMs(): number {
    return this.ctx.options.healthEveryMs ?? this.ctx.site.keeper.healthEverySeconds * 1000;
  }

  private get backupEveryMs(): number {
    return this.ctx.options.backupEveryMs ?? this.ctx.site.backups.everySeconds * 1000;
  }

  // A subcommand's request: queued, run when the keeper is free, its outcome sent back.
  request(
    kind: OperationKind,
    progress: (line: string) => void,
    options: OperationOptions = {},
  ): Promise<RequestOutcome> {
    return new Promise((resolve) => {
      if (this.busy) progress(`waiting: ${this.busy} is under way`);
      this.queue.push({ kind, options, progress, done: resolve });
      this.wake?.();
    });
  }

  private async settle(): Promise<void> {
    const { ctx } = this;
    const every = this.backupEveryMs;
    await ctx.store.update((s) => {
      const k = keeperOf(ctx, s);
      k.healthEverySeconds = Math.round(this.healthEveryMs / 1000);
      k.backups = {
        enabled: ctx.site.backups.enabled,
        everySeconds: Math.round(every / 1000),
        keep: ctx.site.backups.keep,
      };
      if (!k.backups.enabled) delete k.nextBackupAt;
      else if (!k.nextBackupAt) {
        const installed = Date.parse(s.finishedAt ?? ctx.now().toISOString());
        k.nextBackupAt = iso(
          k.lastBackup ? Date.parse(k.lastBackup.takenAt) + every : installed + ctx.options.firstBackupAfterMs,
        );
      }
    });
  }

  private async look(): Promise<void> {
    const { ctx } = this;
    let seen: ClusterRead | undefined;
    const health = await lookAtCluster(ctx, (read) => (seen = read));
    await recordHealth(ctx, health);
    const access = await siteAccess(ctx);
    await ctx.store.update((s) => {
      keeperOf(ctx, s).access = access;
    });
    if (health.error) {
      ctx.log(`keeper: the cluster cannot be reached: ${health.error.split('\n')[0]}`);
      return;
    }
    // Serving certificates renewed after an outage are not approved by the cluster (UPI).
    await approveSiteCsrs(ctx, 'keeper', seen).catch((err: Error) => ctx.log(`keeper: CSRs: ${err.message}`));
    const notReady = (health.nodes ?? []).filter((n) => !n.ready).map((n) => n.name);
    ctx.log(
      `keeper: ${health.version ?? '?'}; ${(health.nodes ?? []).length - notReady.length}/${(health.nodes ?? []).length} nodes Ready${notReady.length ? ` (not: ${notReady.join(', ')})` : ''}; ${(health.operatorsInTrouble ?? []).length} operator(s) in trouble`,
    );
  }

  private async operate(
    kind: OperationKind,
    by: 'schedule' | 'command',
    progress: (l: string) => void,
    resume?: OperationRecord,
    asked: OperationOptions = {},
  ) {
    this.busy = kind;
    try {
      const outcome = await runOperation(this.ctx, OPERATIONS[kind], by, progress, {
        keepSkipped: by === 'command',
        asked,
        ...(resume ? { resume } : {}),
      });
      if (kind === 'backup') await this.afterBackup(outcome.record);
      if (kind === 'shutdown' && outcome.record.status === 'done' && outcome.record.options?.bastion === true)
        await this.bastionOff();
      return outcome;
    } finally {
      this.busy = undefined;
    }
  }

  // The schedule after a backup, whoever asked for it: the next one a period after a done one;
  // after a failure again sooner but backing off (a backup is I/O-heavy on the control plane),
  // never later than a period; a scheduled one that may not run yet, at the next look.
  private async afterBackup(record: OperationRecord): Promise<void> {
    const { ctx } = this;
    const now = ctx.now().getTime();
    await ctx.store.update((s) => {
      const k = keeperOf(ctx, s);
      if (record.status === 'done') {
        k.nextBackupAt = iso(Date.parse(record.facts.takenAt ?? iso(now)) + this.backupEveryMs);
        delete k.backupWaiting;
        delete k.backupFailures;
      } else if (record.status === 'failed') {
        k.backupFailures = (k.backupFailures ?? 0) + 1;
        const wait = Math.min(this.backupEveryMs, this.healthEveryMs * 2 ** (k.backupFailures - 1));
        k.nextBackupAt = iso(now + wait);
        k.backupWaiting = `the last try failed (${record.error ?? 'no reason given'}); again at ${k.nextBackupAt}`;
      } else if (record.status === 'skipped' && record.by === 'schedule') {
        k.backupWaiting = record.error ?? 'waiting';
        k.nextBackupAt = iso(now + this.healthEveryMs);
      }
    });
  }

  // After a finished shutdown --bastion: the bastion goes last. Outside the operation's
  // journal, so no resumed shutdown can power the bastion off a second time.
  private async bastionOff(): Promise<void> {
    const { ctx } = this;
    ctx.log('shutdown: the nodes are off; powering the bastion off');
    await ctx.services
      .powerOff()
      .catch((err: Error) => ctx.log(`shutdown: cannot power the bastion off: ${err.message}`));
  }

  // At a restart: a site shut down by fyr-agent shutdown, or nodes off that should be on, are
  // powered on by a power-on operation (keeper.powerOn: auto), or waited for (manual).
  private async powerOnAtStart(): Promise<boolean> {
    const { ctx } = this;
    const power = ctx.store.state.keeper?.power;
    if (power?.state === 'shutting-down') return false;
    let why: string | undefined;
    if (power?.state === 'shut-down') why = `the site was shut down by fyr-agent shutdown (${power.since})`;
    else {
      const off: string[] = [];
      for (const n of ctx.site.nodes) {
        try {
          const driver = ctx.bmc(n);
          if (driver && (await driver.powerState()) === 'Off') off.push(n.name);
        } catch (err) {
          ctx.log(`keeper: ${n.name}: ${(err as Error).message}`);
        }
      }
      if (off.length > 0) why = `${off.join(', ')} ${off.length > 1 ? 'are' : 'is'} off`;
    }
    if (!why) return false;
    if (ctx.site.keeper.powerOn === 'manual') {
      ctx.log(`keeper: ${why}; keeper.powerOn is manual: fyr-agent power-on brings the site back`);
      return false;
    }
    ctx.log(`keeper: ${why}; powering the site on (keeper.powerOn: auto)`);
    await this.operate('power-on', 'schedule', () => undefined);
    return true;
  }

  private sleep(ms: number): Promise<void> {
    if (this.queue.length > 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
      this.ctx.sleep(Math.max(0, ms)).then(() => this.wake?.(), reject);
    });
  }

  async run(): Promise<void> {
    const { ctx } = this;
    await this.settle();
    this.server = await serveRequests(ctx.paths.keeperSocket, (kind, progress, options) =>
      this.request(kind, progress, options),
    );
    ctx.log(
      `keeper: keeping ${ctx.site.cluster.fqdn}: a look every ${Math.round(this.healthEveryMs / 1000)} s; ${
        ctx.site.backups.enabled
          ? `etcd backups every ${Math.round(this.backupEveryMs / 1000)} s, the newest ${ctx.site.backups.keep} kept`
          : 'etcd backups off'
      }`,
    );
    try {
      // An operation a kill interrupted is finished first, as it was started.
      const interrupted = ctx.store.state.keeper?.operation;
      if (interrupted?.status === 'running')
        await this.operate(interrupted.kind, interrupted.by, () => undefined, interrupted);
      else if (this.opts.restarted) await this.powerOnAtStart();
      let nextLook = 0;
      for (;;) {
        const now = ctx.now().getTime();
        if (now >= nextLook) {
          await this.look();
          nextLook = ctx.now().getTime() + this.healthEveryMs;
        }
        const request = this.queue.shift();
        if (request) {
          this.current = request;
          const outcome = await this.operate(request.kind, 'command', request.progress, undefined, request.options);
          this.current = undefined;
          request.done({
            status: outcome.record.status,
            id: outcome.record.id,
            ...(outcome.summary ? { summary: outcome.summary } : {}),
            ...(outcome.record.error ? { error: outcome.record.error } : {}),
          });
          continue;
        }
        const k = ctx.store.state.keeper;
        const backupAt = k?.backups.enabled && k.nextBackupAt ? Date.parse(k.nextBackupAt) : Infinity;
        if (ctx.now().getTime() >= backupAt) {
          await this.operate('backup', 'schedule', () => undefined);
          continue;
        }
        await this.sleep(Math.min(nextLook, backupAt) - ctx.now().getTime());
      }
    } finally {
      this.server?.close();
      // Whoever waits hears it: the one under way resumes at the next start, the queued do not.
      this.current?.done({
        status: 'failed',
        error: `the keeper was stopped; this ${this.current.kind} resumes when the agent starts again`,
      });
      for (const r of this.queue.splice(0)) r.done({ status: 'failed', error: 'the keeper stopped before it began' });
    }
  }
}
