// OLM as the agent drives it: objects applied from a file, the catalog source waited READY, and
// a subscription followed to its install plan (approved only when it installs what the stick
// carries) and its CSV Succeeded. Every wait names the object and its own status message.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OperatorCatalog } from '../../formats/operator-catalog.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { ocJson, ocOptions } from '../cluster/oc.js';
import type { Condition } from '../cluster/objects.js';
import { PhaseError, type AgentContext } from '../context.js';
import { oc } from '../tools.js';
import { manifestText, MARKETPLACE, subscriptionObjects, type Obj, type Subscribed } from './objects.js';

export type Progress = (detail: string) => Promise<void>;

// CSV failures OLM does not retry (operator-lifecycle-manager pkg/controller/operators/olm:
// the OperatorGroup cannot host it).
const FINAL_CSV_REASONS = [
  'UnsupportedOperatorGroup',
  'TooManyOperatorGroups',
  'InvalidInstallModes',
  'NoOperatorGroup',
];

// operators.coreos.com/v1alpha1 shapes, as far as the agent reads them (operator-framework/api
// pkg/operators/v1alpha1/{catalogsource,subscription,installplan,clusterserviceversion}_types.go).
interface CatalogSourceSeen {
  status?: { connectionState?: { lastObservedState?: string }; message?: string; reason?: string };
}
interface SubscriptionSeen {
  status?: {
    state?: string;
    currentCSV?: string;
    installedCSV?: string;
    installPlanRef?: { name?: string };
    installplan?: { name?: string };
    conditions?: Condition[];
  };
}
interface InstallPlanSeen {
  metadata: { name: string };
  spec?: { approved?: boolean; clusterServiceVersionNames?: string[] };
  status?: { phase?: string; conditions?: Condition[]; message?: string };
}
interface CsvSeen {
  status?: { phase?: string; reason?: string; message?: string };
}

// Applies objects from a file under the agent's work directory (kept: what was applied last).
export async function applyObjects(ctx: AgentContext, name: string, objects: readonly Obj[]): Promise<void> {
  const dir = join(ctx.paths.workDir, 'operators');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${name}.yaml`);
  await writeFileAtomic(file, manifestText(objects), { mode: 0o600 });
  await ctx.exec('oc', oc.applyFile(file), ocOptions(ctx));
}

// Polls `look` every pollMs until it returns a value; it throws a PhaseError to stop early. At
// the limit, the last `why` is the error.
export async function waitFor<T>(
  ctx: AgentContext,
  limitMs: number,
  look: () => Promise<{ done: T } | { why: string }>,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  let why = 'not looked at yet';
  for (;;) {
    try {
      const r = await look();
      if ('done' in r) return r.done;
      why = r.why;
    } catch (err) {
      if (err instanceof PhaseError || ctx.signal.aborted) throw err;
      why = (err as Error).message.split('\n')[0] ?? String(err);
    }
    if (Date.now() >= deadline)
      throw new PhaseError(`${why} (waited ${Math.round(limitMs / 60_000)} min)`, { retryable: true });
    await ctx.sleep(ctx.options.pollMs);
  }
}

export async function waitCatalogReady(ctx: AgentContext, catalog: OperatorCatalog): Promise<void> {
  await waitFor(ctx, ctx.options.operatorTimeoutMs, async () => {
    const cs = await ocJson<CatalogSourceSeen>(
      ctx,
      oc.getNamespaced(MARKETPLACE, 'catalogsource', catalog.catalogSource),
    );
    const state = cs.status?.connectionState?.lastObservedState;
    if (state === 'READY') return { done: undefined };
    const said = cs.status?.message ?? cs.status?.reason;
    return {
      why: `CatalogSource ${MARKETPLACE}/${catalog.catalogSource} is ${state ?? 'not connected yet'}${said ? `: ${said}` : ''}`,
    };
  });
}

const failedCondition = (conditions: Condition[] | undefined) =>
  (conditions ?? []).find(
    (c) => c.status === 'True' && /Failed|Unhealthy|Invalid/.test(c.type) && !/CatalogSourcesUnhealthy/.test(c.type),
  );

// Subscribes, approves the plan that installs the stick's CSV, waits for it to succeed.
export async function subscribe(
  ctx: AgentContext,
  s: Subscribed,
  catalog: OperatorCatalog,
  progress: Progress,
): Promise<void> {
  const key = `operators/${s.namespace}/${s.pkg}`;
  const carried = new Set(catalog.packages.map((p) => p.csv));
  if (!ctx.store.done(`${key}/subscribed`)) {
    await progress(`${s.pkg}: subscribing in ${s.namespace} (channel ${s.channel}, ${s.csv}, manual approval)`);
    await applyObjects(ctx, `subscription-${s.pkg}`, subscriptionObjects(s, catalog));
    await ctx.store.record(`${key}/subscribed`);
  }
  const limit = ctx.options.operatorTimeoutMs;
  await progress(`${s.pkg}: waiting for its install plan`);
  const plan = await waitFor(ctx, limit, async () => {
    const sub = await ocJson<SubscriptionSeen>(ctx, oc.getNamespaced(s.namespace, 'subscription', s.pkg));
    const failed = failedCondition(sub.status?.conditions);
    if (failed)
      return { why: `Subscription ${s.namespace}/${s.pkg}: ${failed.type}: ${failed.message ?? failed.reason ?? ''}` };
    if (sub.status?.installedCSV === s.csv) return { done: undefined };
    const name = sub.status?.installPlanRef?.name ?? sub.status?.installplan?.name;
    if (!name)
      return {
        why: `Subscription ${s.namespace}/${s.pkg} has no install plan yet (${sub.status?.state ?? 'no state'})`,
      };
    return { done: name };
  });
  if (plan) {
    const ip = await ocJson<InstallPlanSeen>(ctx, oc.getNamespaced(s.namespace, 'installplan', plan));
    const names = ip.spec?.clusterServiceVersionNames ?? [];
    if (!names.includes(s.csv))
      throw new PhaseError(
        `InstallPlan ${s.namespace}/${plan} installs ${names.join(', ') || 'nothing'}, not ${s.csv}, the version this release carries; it is left unapproved`,
      );
    const foreign = names.filter((n) => !carried.has(n));
    if (foreign.length > 0)
      throw new PhaseError(
        `InstallPlan ${s.namespace}/${plan} would also install ${foreign.join(', ')}, which this release's catalog does not list; it is left unapproved`,
      );
    if (ip.spec?.approved !== true) {
      await progress(`${s.pkg}: approving install plan ${plan} (${names.join(', ')})`);
      await ctx.exec('oc', oc.approveInstallPlan(s.namespace, plan), ocOptions(ctx));
    }
  }
  await progress(`${s.pkg}: waiting for ${s.csv} to succeed`);
  await waitFor(ctx, limit, async () => {
    const csv = await ocJson<CsvSeen>(ctx, oc.getNamespaced(s.namespace, 'clusterserviceversion', s.csv)).catch(
      (err: Error) => {
        if (/NotFound|not found/.test(err.message)) return {} as CsvSeen;
        throw err;
      },
    );
    const phase = csv.status?.phase;
    if (phase === 'Succeeded') return { done: undefined };
    // OLM retries most failures itself (an install check timed out on slow pulls): only an
    // OperatorGroup that cannot host the operator is final.
    if (phase === 'Failed' && FINAL_CSV_REASONS.includes(csv.status?.reason ?? ''))
      throw new PhaseError(
        `ClusterServiceVersion ${s.namespace}/${s.csv} failed: ${csv.status?.reason ?? ''}${csv.status?.message ? `: ${csv.status.message}` : ''}`,
      );
    if (phase)
      return {
        why: `ClusterServiceVersion ${s.namespace}/${s.csv} is ${phase}${csv.status?.message ? `: ${csv.status.message}` : ''}`,
      };
    // No CSV yet: the plan says why (an Installed condition False, e.g. no OperatorGroup).
    const ip = plan
      ? await ocJson<InstallPlanSeen>(ctx, oc.getNamespaced(s.namespace, 'installplan', plan))
      : undefined;
    const stuck = (ip?.status?.conditions ?? []).find((c) => c.status === 'False' && c.message);
    return {
      why: `ClusterServiceVersion ${s.namespace}/${s.csv} is not there yet${ip ? ` (InstallPlan ${plan} ${ip.status?.phase ?? ''}${stuck ? `: ${stuck.message}` : ''})` : ''}`,
    };
  });
  await progress(`${s.pkg}: ${s.csv} succeeded`);
}
