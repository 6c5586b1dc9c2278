// The sentences the terminal and the page share, made from a status view, so both say the same
// thing the same way. Plain text: the page escapes them.
import type { SitePower } from '../keeper/records.js';
import type { Attention, KeeperView } from './keeper-view.js';
import { formatDate, formatDuration } from '../time.js';
import type { StatusView } from './view.js';

// One thing that needs a person, as a sentence.
export function attentionSentence(a: Attention, k: KeeperView): string {
  switch (a.about) {
    case 'api': {
      const u = k.unreachable;
      const since = u?.since
        ? `unreachable since ${formatDate(u.since)} (${formatDuration(u.sinceSeconds ?? 0)})`
        : `unreachable, not reached since the keeper started ${formatDate(k.startedAt)}`;
      return `The API is ${since}: ${u?.error ?? ''}`;
    }
    case 'keeper':
      return `The last look at the cluster was ${formatDuration(k.lookedSecondsAgo ?? 0)} ago (one every ${formatDuration(k.healthEverySeconds)}): is fyr-agent running?`;
    case 'cluster': {
      const c = k.conditions.find((x) => x.type === a.name);
      const what =
        c?.status === 'Unknown'
          ? `${a.name} is Unknown`
          : a.name === 'Available'
            ? 'is not Available'
            : `is ${a.name ?? ''}`;
      return `The cluster version ${what}${c?.message ? `: ${c.message}` : ''}`;
    }
    case 'node': {
      const n = k.nodes.find((x) => x.name === a.name);
      if (!n) return `Node ${a.name ?? ''} of the site file is not in the cluster`;
      if (!n.ready) return `Node ${n.name} is NOT READY${nodeSince(n)}${n.reason ? `: ${n.reason}` : ''}`;
      return `Node ${n.name} is cordoned: no new pods run there`;
    }
    case 'operator': {
      const o = k.operators?.inTrouble.find((x) => x.name === a.name);
      return `Operator ${a.name ?? ''} is ${operatorTrouble(o)}${o?.message ? `: ${o.message}` : ''}`;
    }
    case 'csr': {
      const c = k.csrRefused.find((x) => x.name === a.name);
      return `CSR ${a.name ?? ''}${c?.requestedName ? ` for ${c.requestedName}` : ''} not approved: ${c?.reason ?? ''}`;
    }
    case 'certificates':
      return certificateSentence(k);
    case 'backup':
      return backupSentence(k);
    case 'operation': {
      const o = k.operation?.status === 'failed' ? k.operation : k.history[0];
      return `The ${o?.kind ?? 'last'} operation ${k.operation ? 'failed' : 'last failed'}${o?.finishedAt ? ` ${formatDate(o.finishedAt)}` : ''}: ${o?.error ?? ''}`;
    }
  }
}

// " since <date> (<duration>)" for a node's Ready condition, when it is known.
export function nodeSince(n: { since?: string; sinceSeconds?: number }): string {
  return n.since ? ` since ${formatDate(n.since)} (${formatDuration(n.sinceSeconds ?? 0)})` : '';
}

// What is wrong with an operator, in words.
export function operatorTrouble(
  o: { available: boolean; degraded: boolean; progressing: boolean } | undefined,
): string {
  if (!o) return 'in trouble';
  const words = [
    ...(o.available ? [] : ['not available']),
    ...(o.degraded ? ['degraded'] : []),
    ...(o.progressing ? ['progressing'] : []),
  ];
  return words.join(', ') || 'in trouble';
}

// The operators in one phrase: all available, or how many are not.
export function operatorsSentence(k: KeeperView): string {
  const o = k.operators;
  if (!o) return 'not known (no answer from the API)';
  const total = o.total !== undefined ? `${o.total} ` : '';
  if (o.inTrouble.length === 0) return `all ${total}operators available`;
  return `${o.inTrouble.length}${o.total !== undefined ? ` of ${o.total}` : ''} not settled`;
}

// The date the cluster must be running by, and how far off it is.
export function certificateSentence(k: KeeperView): string {
  const c = k.certificates;
  if (!c) return 'not known yet';
  const days = (n: number) => `${n} ${n === 1 ? 'day' : 'days'}`;
  const when = c.daysLeft < 0 ? `${days(-c.daysLeft)} ago` : `in ${days(c.daysLeft)}`;
  return `The cluster must be running by ${formatDate(c.notAfter)} (${when}) to renew its certificates`;
}

// The last backup and its age against the schedule, or why there is none.
export function backupSentence(k: KeeperView): string {
  const b = k.backups;
  if (!b.enabled) return 'Backups are off for this site';
  const every = `one every ${formatDuration(b.everySeconds)}`;
  if (!b.last) return `No backup yet (${every})`;
  const age = `${formatDuration(b.last.ageSeconds)} ago`;
  return b.stale
    ? `The last backup is old: ${formatDate(b.last.takenAt)}, ${age} (${every})`
    : `Last backup ${formatDate(b.last.takenAt)}, ${age} (${every})`;
}

// A size in binary units ("812 MiB").
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let x = n;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i += 1;
  }
  return `${i === 0 || x >= 100 ? Math.round(x) : x.toFixed(1)} ${units[i]}`;
}

// An operation in a line: what, by whom, when, how long (its status too, unless a badge says it).
export function operationSentence(o: KeeperView['history'][number], withStatus = true): string {
  const when = o.finishedAt ? formatDate(o.finishedAt) : `started ${formatDate(o.startedAt)}`;
  const how =
    o.status === 'running'
      ? `running for ${formatDuration(o.seconds)}`
      : `${withStatus ? `${o.status}, ` : ''}took ${formatDuration(o.seconds)}`;
  return `${o.kind} (by ${o.by}) ${when}: ${how}`;
}

// The DNS records the WAN side needs: the keeper's, else the three every site needs.
export function dnsRecords(v: StatusView): Array<{ name: string; type: string; value?: string }> {
  const given = v.keeper?.access?.dnsRecords ?? [];
  if (given.length > 0) return given;
  return ['api', '*.apps', 'bastion'].map((h) => ({ name: `${h}.${v.cluster}`, type: 'A' }));
}

// The WAN address a DNS record points at, or what stands in for it.
export function dnsTarget(r: { value?: string }, k: KeeperView): string {
  const a = k.access;
  return r.value ?? a?.wanAddress ?? `the address of ${a?.wanInterface ?? 'the WAN interface'}, not known yet`;
}

export const INSTALL_MEDIA_GONE = 'may be removed (the registry serves from the disk)';
export const INSTALL_MEDIA_KEEP = 'keep it in (the registry serves from it)';

// The site's power state as both views say it.
export const POWER_WORDS: Record<SitePower['state'], string> = {
  'shutting-down': 'SHUTTING DOWN',
  'shut-down': 'SHUT DOWN by fyr-agent shutdown',
  'powering-on': 'POWERING ON',
  running: 'ON',
};

// Storage in a few words: its type, the default class and the capacity the cluster reports.
export function storageWords(s: { type: string; storageClass: string; capacityBytes?: number }): string {
  const cap = s.capacityBytes !== undefined ? `, ${bytes(s.capacityBytes)}` : '';
  return `${s.type === 'lvms' ? 'LVM Storage' : 'OpenShift Data Foundation'}; default StorageClass ${s.storageClass}${cap}`;
}
