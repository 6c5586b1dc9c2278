// The installed site in the status view: what the keeper last saw (its looks at the cluster,
// its backups and operations), with what needs a person picked out and given a level.
import type {
  BackupSummary,
  ConditionSeen,
  CsrRefused,
  KeeperState,
  NodeSeen,
  OperationRecord,
  OperatorSeen,
  SiteAccess,
  SitePower,
} from '../keeper/records.js';
import { backupLate } from '../keeper/records.js';
import { secondsSince } from '../time.js';

// How a fact reads: fine, worth knowing, needs a person soon, needs a person now.
export type Level = 'ok' | 'info' | 'warning' | 'error';

// Something on an installed site that needs a person; `name` says which node, operator, CSR.
export interface Attention {
  level: 'warning' | 'error';
  about: 'api' | 'keeper' | 'cluster' | 'node' | 'operator' | 'csr' | 'backup' | 'certificates' | 'operation';
  name?: string;
}

export interface ConditionView extends ConditionSeen {
  type: 'Available' | 'Progressing' | 'Failing';
  level: Level;
}

export interface OperationView extends OperationRecord {
  // How long it took, or has been running.
  seconds: number;
}

// The installed site as the keeper last saw it.
export interface KeeperView {
  startedAt: string;
  // healthy: nothing needs a person; attention: something below does; unreachable: the last
  // look did not reach the API; unknown: no look yet; shut-down: fyr-agent shutdown did it.
  health: 'healthy' | 'attention' | 'unreachable' | 'unknown' | 'shut-down';
  attention: Attention[];
  healthEverySeconds: number;
  lookedAt?: string;
  lookedSecondsAgo?: number;
  // The last look is older than three periods: the keeper may not be running.
  lookStale: boolean;
  lastGoodLookAt?: string;
  // The last look failed: its error, and since when the API has not answered.
  unreachable?: { error: string; since?: string; sinceSeconds?: number };
  version?: string;
  desiredVersion?: string;
  conditions: ConditionView[];
  nodes: Array<NodeSeen & { sinceSeconds?: number }>;
  // Nodes of the site file the cluster does not list (only when the API answered).
  missingNodes: string[];
  operators?: { total?: number; inTrouble: Array<OperatorSeen & { level: Level }> };
  pendingCsrs?: number;
  csrRefused: CsrRefused[];
  // The cluster must be running by then, to renew its certificates itself.
  certificates?: { notAfter: string; daysLeft: number; level: Level };
  backups: {
    enabled: boolean;
    everySeconds: number;
    keep: number;
    last?: BackupSummary & { ageSeconds: number };
    // Older than twice the period, or none yet although one was due.
    stale: boolean;
    nextAt?: string;
    waiting?: string;
  };
  operation?: OperationView;
  // The last few finished, newest first.
  history: OperationView[];
  access?: SiteAccess;
  // The site's power when a shutdown or power-on has been run: each node's step, the steps' times.
  power?: SitePower;
}

// How many finished operations the view shows.
export const HISTORY_SHOWN = 5;
// Under this many days left, the certificates' date is a warning.
export const CERT_WARN_DAYS = 30;

function operationView(o: OperationRecord, now: Date): OperationView {
  return {
    ...o,
    facts: { ...o.facts },
    seconds: Math.max(0, secondsSince(o.startedAt, o.finishedAt ? new Date(o.finishedAt) : now)),
  };
}

const conditionLevel = (type: ConditionView['type'], status: string): Level => {
  if (status === 'Unknown') return 'warning';
  if (type === 'Available') return status === 'True' ? 'ok' : 'error';
  if (type === 'Failing') return status === 'True' ? 'error' : 'ok';
  return status === 'True' ? 'info' : 'ok';
};

// The keeper's state at a time, for the site's nodes (to name those the cluster lacks).
export function keeperView(k: KeeperState, siteNodes: string[], now: Date): KeeperView {
  const h = k.health;
  const attention: Attention[] = [];
  const lookedSecondsAgo = h ? secondsSince(h.at, now) : undefined;
  const lookStale = lookedSecondsAgo !== undefined && lookedSecondsAgo > 3 * k.healthEverySeconds;
  if (lookStale) attention.push({ level: 'warning', about: 'keeper' });

  const reached = h !== undefined && h.error === undefined;
  // While the site is being shut down, is off, or comes back, an API that does not answer is expected.
  const powering = k.power !== undefined && k.power.state !== 'running';
  if (h?.error !== undefined && !powering) attention.push({ level: 'error', about: 'api' });

  const conditions: ConditionView[] = [];
  if (reached) {
    for (const [type, c] of [
      ['Available', h.available],
      ['Progressing', h.progressing],
      ['Failing', h.failing],
    ] as const) {
      if (!c) continue;
      const level = conditionLevel(type, c.status);
      conditions.push({ type, ...c, level });
      if (level === 'error' || level === 'warning') attention.push({ level, about: 'cluster', name: type });
    }
  }

  const nodes = (h?.nodes ?? []).map((n) => ({
    ...n,
    ...(n.since ? { sinceSeconds: secondsSince(n.since, now) } : {}),
  }));
  if (!powering)
    for (const n of nodes) {
      if (!n.ready) attention.push({ level: 'error', about: 'node', name: n.name });
      else if (n.unschedulable) attention.push({ level: 'warning', about: 'node', name: n.name });
    }
  const inCluster = new Set(nodes.flatMap((n) => [n.name, ...(n.siteNode ? [n.siteNode] : [])]));
  const missingNodes = reached && h.nodes ? siteNodes.filter((n) => !inCluster.has(n)) : [];
  for (const n of missingNodes) attention.push({ level: 'error', about: 'node', name: n });

  const inTrouble = (h?.operatorsInTrouble ?? []).map((o) => ({
    ...o,
    level: (o.degraded || !o.available ? 'error' : 'info') as Level,
  }));
  for (const o of inTrouble)
    if (o.level === 'error') attention.push({ level: 'error', about: 'operator', name: o.name });

  for (const c of k.csrRefused) attention.push({ level: 'warning', about: 'csr', name: c.name });

  let certificates: KeeperView['certificates'];
  if (h?.certificatesNotAfter) {
    const daysLeft = Math.floor(-secondsSince(h.certificatesNotAfter, now) / 86400);
    const level: Level = daysLeft < 0 ? 'error' : daysLeft < CERT_WARN_DAYS ? 'warning' : 'ok';
    certificates = { notAfter: h.certificatesNotAfter, daysLeft, level };
    if (level !== 'ok') attention.push({ level, about: 'certificates' });
  }

  const last = k.lastBackup ? { ...k.lastBackup, ageSeconds: secondsSince(k.lastBackup.takenAt, now) } : undefined;
  const stale = backupLate(k, last?.takenAt, now);
  if (stale) attention.push({ level: 'warning', about: 'backup' });

  const operation = k.operation ? operationView(k.operation, now) : undefined;
  if (operation?.status === 'failed') attention.push({ level: 'error', about: 'operation', name: operation.kind });
  const history = k.history.slice(0, HISTORY_SHOWN).map((o) => operationView(o, now));
  if (!operation && history[0]?.status === 'failed')
    attention.push({ level: 'warning', about: 'operation', name: history[0].kind });

  return {
    startedAt: k.startedAt,
    health:
      k.power?.state === 'shut-down'
        ? 'shut-down'
        : !h
          ? 'unknown'
          : !reached
            ? 'unreachable'
            : attention.length > 0
              ? 'attention'
              : 'healthy',
    attention,
    healthEverySeconds: k.healthEverySeconds,
    ...(h ? { lookedAt: h.at, lookedSecondsAgo } : {}),
    lookStale,
    ...(k.lastGoodLookAt ? { lastGoodLookAt: k.lastGoodLookAt } : {}),
    ...(h?.error !== undefined
      ? {
          unreachable: {
            error: h.error,
            ...(k.lastGoodLookAt ? { since: k.lastGoodLookAt, sinceSeconds: secondsSince(k.lastGoodLookAt, now) } : {}),
          },
        }
      : {}),
    ...(reached && h.version ? { version: h.version } : {}),
    ...(reached && h.desiredVersion ? { desiredVersion: h.desiredVersion } : {}),
    conditions,
    nodes,
    missingNodes,
    ...(reached
      ? { operators: { ...(h.operatorsTotal !== undefined ? { total: h.operatorsTotal } : {}), inTrouble } }
      : {}),
    ...(reached && h.pendingCsrs !== undefined ? { pendingCsrs: h.pendingCsrs } : {}),
    csrRefused: k.csrRefused.map((c) => ({ ...c })),
    ...(certificates ? { certificates } : {}),
    backups: {
      enabled: k.backups.enabled,
      everySeconds: k.backups.everySeconds,
      keep: k.backups.keep,
      ...(last ? { last } : {}),
      stale,
      ...(k.nextBackupAt ? { nextAt: k.nextBackupAt } : {}),
      ...(k.backupWaiting ? { waiting: k.backupWaiting } : {}),
    },
    ...(operation ? { operation } : {}),
    history,
    ...(k.access ? { access: { ...k.access, dnsRecords: k.access.dnsRecords.map((r) => ({ ...r })) } } : {}),
    ...(k.power
      ? {
          power: {
            ...k.power,
            nodes: k.power.nodes.map((n) => ({ ...n })),
            steps: k.power.steps.map((x) => ({ ...x })),
          },
        }
      : {}),
  };
}
