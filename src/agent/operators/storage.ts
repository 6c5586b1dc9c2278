// Storage once its operator is in: the LVMCluster, or ODF's LocalVolumeSet and StorageCluster,
// waited Ready; its StorageClass made the only default; the image registry put on a claim of
// it; the capacity the cluster reports. Each effect is journalled, so a kill resumes after it.
import type { AgentSite } from '../site.js';
import { ocJson, ocOptions } from '../cluster/oc.js';
import type { Condition, List, Node } from '../cluster/objects.js';
import { PhaseError, type AgentContext } from '../context.js';
import { oc } from '../tools.js';
import {
  DEFAULT_CLASS_ANNOTATION,
  defaultClassPatch,
  localVolumeSet,
  lvmCluster,
  lvmsStorageClass,
  THIN_OVERPROVISION,
  ODF_BLOCK_CLASS,
  ODF_CEPH_CLUSTER,
  ODF_CLUSTER,
  ODF_FILE_CLASS,
  odfNodePatch,
  REGISTRY_CLAIM,
  REGISTRY_NAMESPACE,
  registryClaim,
  registryPatch,
  storageCluster,
  type StorageNodeOnCluster,
} from './objects.js';
import { applyObjects, waitFor, type Progress } from './olm.js';
import type { Subscribed } from './objects.js';

export interface StorageResult {
  storageClass: string;
  // What the cluster reports, when it does (LVMS per node, Ceph for the cluster).
  capacityBytes?: number;
}

interface StatusSeen {
  status?: {
    // LVMCluster: per device class, per node, the volume group's state and why it failed
    // (lvm-operator api/v1alpha1/lvmcluster_types.go DeviceClassStatus, NodeStatus).
    deviceClassStatuses?: Array<{
      name?: string;
      nodeStatus?: Array<{ node?: string; status?: string; reason?: string }>;
    }>;
    state?: string;
    phase?: string;
    message?: string;
    conditions?: Condition[];
    ceph?: { capacity?: { bytesTotal?: number } };
  };
}
interface StorageClassSeen {
  metadata: { name: string; annotations?: Record<string, string> };
}

// The site's storage nodes by their names in the cluster (a node may be registered by its
// short name or its FQDN).
async function storageNodes(ctx: AgentContext, site: AgentSite): Promise<StorageNodeOnCluster[]> {
  const nodes = await ocJson<List<Node>>(ctx, oc.nodes());
  return site.storage.nodes.map((s) => {
    const n = site.nodes.find((x) => x.name === s.name);
    const seen = (nodes.items ?? []).find((x) => x.metadata.name === s.name || x.metadata.name === n?.fqdn);
    if (!seen) throw new PhaseError(`storage node ${s.name} is not a node of the cluster`, { retryable: true });
    return { node: seen.metadata.name, devices: s.devices };
  });
}

// The status words of an LVMCluster or StorageCluster, and its own message.
function said(kind: string, name: string, o: StatusSeen): string {
  const word = o.status?.state ?? o.status?.phase ?? 'not reporting yet';
  const bad = (o.status?.conditions ?? []).find((c) => c.status !== 'True' && c.message);
  const message = o.status?.message ?? bad?.message;
  const nodes = (o.status?.deviceClassStatuses ?? []).flatMap((dc) =>
    (dc.nodeStatus ?? []).filter((n) => n.reason).map((n) => `${n.node ?? '?'} (${dc.name ?? '?'}): ${n.reason}`),
  );
  return `${kind} ${name} is ${word}${message ? `: ${message}` : ''}${nodes.length > 0 ? `; ${nodes.join('; ')}` : ''}`;
}

// An operator's kinds are served once its InstallPlan completes (its CRDs installed), which can
// be after the CSV we waited for (ODF: odf-operator installs ocs-operator, the StorageCluster's
// owner, itself): wait until the API lists the kind before applying one.
async function waitServed(ctx: AgentContext, namespace: string, resource: string): Promise<void> {
  await waitFor(ctx, ctx.options.operatorTimeoutMs, async () => {
    try {
      await ocJson(ctx, oc.getAllIn(namespace, resource));
      return { done: undefined };
    } catch (err) {
      return { why: `the cluster does not serve ${resource} yet (${(err as Error).message.split('\n')[0]})` };
    }
  });
}

async function waitReady(ctx: AgentContext, kind: string, namespace: string, name: string): Promise<StatusSeen> {
  return waitFor<StatusSeen>(ctx, ctx.options.operatorTimeoutMs, async () => {
    const o = await ocJson<StatusSeen>(ctx, oc.getNamespaced(namespace, kind.toLowerCase(), name));
    const word = o.status?.state ?? o.status?.phase;
    if (word === 'Ready') return { done: o };
    // Failed is final for LVMS (a device it cannot take); the message is the operator's.
    if (word === 'Failed') throw new PhaseError(said(kind, `${namespace}/${name}`, o));
    return { why: said(kind, `${namespace}/${name}`, o) };
  });
}

export async function installStorage(
  ctx: AgentContext,
  operator: Subscribed,
  progress: Progress,
): Promise<StorageResult> {
  const site = ctx.site;
  const nodes = await storageNodes(ctx, site);
  const type = site.storage.type;
  let storageClass: string;
  let registryClass: string;
  let capacityBytes: number | undefined;
  if (type === 'lvms') {
    const ns = operator.namespace;
    if (!ctx.store.done('storage/lvmcluster')) {
      await waitServed(ctx, ns, 'lvmcluster');
      await progress(
        `applying the LVMCluster (${nodes.length > 0 ? nodes.map((n) => `${n.node}: ${n.devices.join(', ')}`).join('; ') : 'every empty disk'})`,
      );
      await applyObjects(ctx, 'lvmcluster', [lvmCluster(ns, nodes)]);
      await ctx.store.record('storage/lvmcluster');
    }
    await progress('waiting for the LVMCluster to be Ready');
    await waitReady(ctx, 'LVMCluster', ns, 'lvmcluster');
    storageClass = registryClass = lvmsStorageClass();
    capacityBytes = await lvmsCapacity(ctx);
  } else if (type === 'odf') {
    if (!ctx.store.done('storage/odf-nodes')) {
      await progress(`labelling the storage nodes (${nodes.map((n) => n.node).join(', ')})`);
      for (const n of nodes) await ctx.exec('oc', oc.mergePatch('node', n.node, odfNodePatch()), ocOptions(ctx));
      await ctx.store.record('storage/odf-nodes');
    }
    if (!ctx.store.done('storage/localvolumeset')) {
      await waitServed(ctx, 'openshift-local-storage', 'localvolumeset');
      await progress('applying the LocalVolumeSet (localblock)');
      await applyObjects(ctx, 'localvolumeset', [localVolumeSet(nodes)]);
      await ctx.store.record('storage/localvolumeset');
    }
    if (!ctx.store.done('storage/storagecluster')) {
      await progress('waiting for ODF to install its own dependencies (ocs-operator serves the StorageCluster)');
      await waitServed(ctx, 'openshift-storage', 'storagecluster');
      await progress(`applying the StorageCluster (profile ${site.storage.profile})`);
      await applyObjects(ctx, 'storagecluster', [storageCluster(site.storage.profile, nodes)]);
      await ctx.store.record('storage/storagecluster');
    }
    await progress('waiting for the StorageCluster to be Ready (Ceph on 3 nodes takes minutes)');
    await waitReady(ctx, 'StorageCluster', 'openshift-storage', ODF_CLUSTER);
    storageClass = ODF_BLOCK_CLASS;
    registryClass = ODF_FILE_CLASS;
    capacityBytes = await cephCapacity(ctx);
  } else throw new PhaseError(`storage type ${type} has nothing to install`);
  await makeDefault(ctx, storageClass, progress);
  await registryOnClaim(ctx, registryClass, type === 'odf', progress);
  return { storageClass, ...(capacityBytes !== undefined ? { capacityBytes } : {}) };
}

// Only one default class: another one marked default would make claims without a class ambiguous.
async function makeDefault(ctx: AgentContext, name: string, progress: Progress): Promise<void> {
  const classes = await waitFor<StorageClassSeen[]>(ctx, ctx.options.operatorTimeoutMs, async () => {
    const list = await ocJson<List<StorageClassSeen>>(ctx, oc.getAll('storageclass'));
    const items = list.items ?? [];
    return items.some((c) => c.metadata.name === name)
      ? { done: items }
      : { why: `StorageClass ${name} does not exist yet` };
  });
  for (const c of classes) {
    const isDefault = c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true';
    if (c.metadata.name !== name && isDefault) {
      await progress(`StorageClass ${c.metadata.name} is no longer the default`);
      await ctx.exec('oc', oc.mergePatch('storageclass', c.metadata.name, defaultClassPatch(false)), ocOptions(ctx));
    }
    if (c.metadata.name === name && !isDefault) {
      await progress(`making StorageClass ${name} the default`);
      await ctx.exec('oc', oc.mergePatch('storageclass', name, defaultClassPatch(true)), ocOptions(ctx));
    }
  }
}

async function registryOnClaim(ctx: AgentContext, storageClass: string, shared: boolean, progress: Progress) {
  if (!ctx.store.done('storage/registry-claim')) {
    await progress(
      `giving the image registry a ${shared ? 'ReadWriteMany' : 'ReadWriteOnce'} volume on ${storageClass}`,
    );
    await applyObjects(ctx, 'registry-claim', [registryClaim(storageClass, shared)]);
    await ctx.store.record('storage/registry-claim');
  }
  if (!ctx.store.done('storage/registry-managed')) {
    await ctx.exec(
      'oc',
      oc.mergePatch('configs.imageregistry.operator.openshift.io', 'cluster', registryPatch(shared)),
      ocOptions(ctx),
    );
    await ctx.store.record('storage/registry-managed');
  }
  await progress(`waiting for the image registry's claim ${REGISTRY_CLAIM} to be Bound`);
  await waitFor(ctx, ctx.options.operatorTimeoutMs, async () => {
    const pvc = await ocJson<StatusSeen>(
      ctx,
      oc.getNamespaced(REGISTRY_NAMESPACE, 'persistentvolumeclaim', REGISTRY_CLAIM),
    );
    if (pvc.status?.phase === 'Bound') return { done: undefined };
    // Bound once the registry's pod uses it (WaitForFirstConsumer): its operator says why not.
    const co = await ocJson<{ status?: { conditions?: Condition[] } }>(ctx, oc.clusterOperator('image-registry')).catch(
      () => undefined,
    );
    const said = (co?.status?.conditions ?? []).find(
      (c) => (c.type === 'Degraded' && c.status === 'True') || (c.type === 'Available' && c.status !== 'True'),
    );
    return {
      why: `PersistentVolumeClaim ${REGISTRY_NAMESPACE}/${REGISTRY_CLAIM} is ${pvc.status?.phase ?? 'not there yet'}${said?.message ? `; image-registry: ${said.message}` : ''}`,
    };
  });
}

// TopoLVM's node annotations capacity.topolvm.io/<device class>, summed over nodes and classes.
// For a thin pool it is the overprovisioned free space (lvmd GetFreeBytes: ratio × pool size −
// virtual bytes used): divided by the ratio fyr sets, it is the pool's real free space.
async function lvmsCapacity(ctx: AgentContext): Promise<number | undefined> {
  const nodes = await ocJson<List<Node>>(ctx, oc.nodes());
  const values = (nodes.items ?? []).flatMap((n) =>
    Object.entries(n.metadata.annotations ?? {})
      .filter(([k, v]) => k.startsWith('capacity.topolvm.io/') && /^\d+$/.test(v))
      .map(([, v]) => Number(v) / THIN_OVERPROVISION),
  );
  return values.length > 0 ? Math.round(values.reduce((a, v) => a + v, 0)) : undefined;
}

// Rook's CephCluster status: the raw capacity of every OSD.
async function cephCapacity(ctx: AgentContext): Promise<number | undefined> {
  const cc = await ocJson<StatusSeen>(
    ctx,
    oc.getNamespaced('openshift-storage', 'cephcluster', ODF_CEPH_CLUSTER),
  ).catch(() => undefined);
  const total = cc?.status?.ceph?.capacity?.bytesTotal;
  return typeof total === 'number' ? total : undefined;
}
