// One look at the cluster's health, as the keeper records it: ClusterVersion, the operators in
// trouble, the nodes and their Ready condition, pending CSRs and the date the cluster's
// certificates need it running by (day2.md §3.4). A look that cannot reach the API is a
// record with its error, never a failure of the keeper.
import type { AgentContext } from '../context.js';
import type { ConditionSeen, HealthRecord, NodeSeen, OperatorSeen } from '../keeper/records.js';
import { oc } from '../tools.js';
import {
  condition,
  pending,
  type ClusterOperator,
  type ClusterVersion,
  type Condition,
  type Csr,
  type List,
  type Node,
} from './objects.js';
import { ocJson, ocOptions } from './oc.js';

// The operators whose rollout makes an etcd backup unreliable (cluster-backup.sh's own check).
export const CONTROL_PLANE_OPERATORS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

function seen(c: Condition | undefined): ConditionSeen | undefined {
  if (!c) return undefined;
  return {
    status: c.status,
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.message ? { message: c.message } : {}),
    ...(c.lastTransitionTime ? { since: c.lastTransitionTime } : {}),
  };
}

export function installedVersion(cv: ClusterVersion): string | undefined {
  return cv.status?.history?.find((h) => h.state === 'Completed')?.version;
}

export function operatorsSeen(list: ClusterOperator[]): OperatorSeen[] {
  return list.map((o) => {
    const is = (type: string) => condition(o.status?.conditions, type)?.status === 'True';
    const degraded = is('Degraded');
    const available = is('Available');
    const message = degraded
      ? condition(o.status?.conditions, 'Degraded')?.message
      : !available
        ? condition(o.status?.conditions, 'Available')?.message
        : is('Progressing')
          ? condition(o.status?.conditions, 'Progressing')?.message
          : undefined;
    return {
      name: o.metadata.name,
      available,
      degraded,
      progressing: is('Progressing'),
      ...(message ? { message } : {}),
    };
  });
}

export function nodesSeen(ctx: Pick<AgentContext, 'site'>, list: Node[]): NodeSeen[] {
  return list
    .map((n) => {
      const labels = n.metadata.labels ?? {};
      const ready = condition(n.status?.conditions, 'Ready');
      const site = ctx.site.nodes.find((s) => s.name === n.metadata.name || s.fqdn === n.metadata.name);
      const controlPlane =
        'node-role.kubernetes.io/master' in labels || 'node-role.kubernetes.io/control-plane' in labels;
      return {
        name: n.metadata.name,
        role: controlPlane ? 'control-plane' : 'worker',
        ready: ready?.status === 'True',
        ...(ready?.lastTransitionTime ? { since: ready.lastTransitionTime } : {}),
        ...(ready?.status !== 'True' && ready?.reason ? { reason: ready.reason } : {}),
        unschedulable: n.spec?.unschedulable === true,
        ...(site ? { siteNode: site.name } : {}),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

// What a look read that the CSR approver needs too (read once a look).
export interface ClusterRead {
  csrs: Csr[];
  nodes: Node[];
}

export async function lookAtCluster(ctx: AgentContext, read?: (seen: ClusterRead) => void): Promise<HealthRecord> {
  const at = ctx.now().toISOString();
  try {
    const [cv, operators, nodes, csrs] = [
      await ocJson<ClusterVersion>(ctx, oc.clusterVersion()),
      await ocJson<List<ClusterOperator>>(ctx, oc.clusterOperators()),
      await ocJson<List<Node>>(ctx, oc.nodes()),
      await ocJson<List<Csr>>(ctx, oc.csrs()),
    ];
    // The signer's date is worth having but not worth failing the look for.
    const notAfter = await ctx
      .exec('oc', oc.signerNotAfter(), ocOptions(ctx))
      .then((r) => r.stdout.trim())
      .catch(() => '');
    read?.({ csrs: csrs.items ?? [], nodes: nodes.items ?? [] });
    const version = installedVersion(cv);
    const desired = cv.status?.desired?.version;
    const ops = operatorsSeen(operators.items ?? []);
    const available = seen(condition(cv.status?.conditions, 'Available'));
    const progressing = seen(condition(cv.status?.conditions, 'Progressing'));
    const failing = seen(condition(cv.status?.conditions, 'Failing'));
    return {
      at,
      ...(version ? { version } : {}),
      ...(desired && desired !== version ? { desiredVersion: desired } : {}),
      ...(available ? { available } : {}),
      ...(progressing ? { progressing } : {}),
      ...(failing ? { failing } : {}),
      operatorsTotal: ops.length,
      operatorsInTrouble: ops.filter((o) => !o.available || o.degraded || o.progressing),
      nodes: nodesSeen(ctx, nodes.items ?? []),
      pendingCsrs: (csrs.items ?? []).filter(pending).length,
      ...(!Number.isNaN(Date.parse(notAfter)) ? { certificatesNotAfter: new Date(notAfter).toISOString() } : {}),
    };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return { at, error: (err as Error).message.split('\n').slice(0, 3).join('\n') };
  }
}

// Why a backup must wait, from a look: the control plane rolling out, or no Ready control plane.
export function backupBlocker(health: HealthRecord): string | undefined {
  if (health.error) return `the cluster cannot be reached (${health.error.split('\n')[0]})`;
  // An update under way: a backup now would be of neither version (restores need the same z).
  if (health.progressing?.status === 'True' || health.desiredVersion)
    return `the cluster is updating (${health.progressing?.message ?? `to ${health.desiredVersion}`})`;
  const rolling = (health.operatorsInTrouble ?? []).filter(
    (o) => o.progressing && CONTROL_PLANE_OPERATORS.includes(o.name),
  );
  if (rolling.length > 0)
    return `${rolling.map((o) => o.name).join(', ')} ${rolling.length > 1 ? 'are' : 'is'} progressing (a backup during a rollout is not reliable)`;
  if (!(health.nodes ?? []).some((n) => n.role === 'control-plane' && n.ready)) return 'no control-plane node is Ready';
  return undefined;
}
