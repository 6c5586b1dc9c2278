// After install, from the stick's catalog: the catalog source (catalog), storage's operator and
// storage itself (storage), then the site's other operators (operators). Each phase does
// nothing when the site asks for nothing, and resumes from its journal after a kill.
import { ocOptions } from '../cluster/oc.js';
import { PhaseError, once, type AgentContext, type Phase } from '../context.js';
import { catalogSource, disableDefaultSources } from '../operators/objects.js';
import { applyObjects, subscribe, waitCatalogReady } from '../operators/olm.js';
import { operatorPlan, PlanError, type OperatorPlan } from '../operators/plan.js';
import { installStorage } from '../operators/storage.js';
import { registryHost } from '../registry.js';
import { oc } from '../tools.js';

function plan(ctx: AgentContext): OperatorPlan {
  try {
    return operatorPlan(ctx.site, ctx.release.operators, ctx.release.release.openshift);
  } catch (err) {
    if (err instanceof PlanError) throw new PhaseError(err.message);
    throw err;
  }
}

export const catalog: Phase = {
  name: 'catalog',
  title: "the release's operator catalog served to the cluster, the default sources off",
  attempts: 3,
  async run(ctx, progress) {
    const p = plan(ctx);
    const c = ctx.release.operators;
    if (p.empty || !c) {
      await progress(p.storageSkipped ?? 'the site asks for no storage and no operators: nothing to do');
      return;
    }
    await once(ctx, 'catalog/default-sources-off', async () => {
      await progress('turning the default OperatorHub sources off (they are on the internet)');
      await ctx.exec('oc', oc.disableDefaultSources(disableDefaultSources()), ocOptions(ctx));
    });
    await once(ctx, 'catalog/source-applied', async () => {
      await progress(`applying CatalogSource ${c.catalogSource} (${c.mirror} on the bastion's registry)`);
      await applyObjects(ctx, 'catalog-source', [catalogSource(c, registryHost(ctx))]);
    });
    await progress(`waiting for CatalogSource ${c.catalogSource} to be READY`);
    await waitCatalogReady(ctx, c);
    await progress(`CatalogSource ${c.catalogSource} is READY (${c.packages.length} packages)`);
  },
};

export const storage: Phase = {
  name: 'storage',
  title: 'storage operator installed, storage Ready, its StorageClass the default, the image registry on it',
  attempts: 3,
  async run(ctx, progress) {
    const p = plan(ctx);
    const c = ctx.release.operators;
    const op = p.storage[0];
    if (!c || !op || ctx.site.storage.type === 'none') {
      await progress(p.storageSkipped ?? 'the site asks for no storage');
      return;
    }
    for (const s of p.storage) await subscribe(ctx, s, c, progress);
    const r = await installStorage(ctx, op, progress);
    await ctx.store.update((s) => {
      s.storage = {
        type: ctx.site.storage.type as 'lvms' | 'odf',
        storageClass: r.storageClass,
        ...(r.capacityBytes !== undefined ? { capacityBytes: r.capacityBytes } : {}),
        readyAt: ctx.now().toISOString(),
      };
    });
    await recordOperators(ctx, p.storage);
    await progress(`storage ready: ${r.storageClass} is the default StorageClass`);
  },
};

export const operators: Phase = {
  name: 'operators',
  title: "the site's operators installed from the release's catalog",
  attempts: 3,
  async run(ctx, progress) {
    const p = plan(ctx);
    const c = ctx.release.operators;
    if (!c || p.operators.length === 0) {
      await progress('the site asks for no other operators');
      return;
    }
    for (const s of p.operators) await subscribe(ctx, s, c, progress);
    await recordOperators(ctx, p.operators);
    await progress(`installed: ${p.operators.map((o) => o.csv).join(', ')}`);
  },
};

async function recordOperators(ctx: AgentContext, list: OperatorPlan['operators']): Promise<void> {
  await ctx.store.update((s) => {
    const kept = (s.operators ?? []).filter((o) => !list.some((l) => l.pkg === o.name));
    s.operators = [
      ...kept,
      ...list.map((l) => ({ name: l.pkg, csv: l.csv, namespace: l.namespace, at: ctx.now().toISOString() })),
    ];
  });
}
