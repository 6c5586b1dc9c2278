// `fyr-agent status` on the bastion's terminal: the status view as plain text, the state first,
// then what needs a person, the installed cluster, the next steps and the install timeline.
import { NODE_STEPS } from '../state.js';
import { banner, headline } from './banner.js';
import type { KeeperView } from './keeper-view.js';
import { formatDate, formatDuration } from '../time.js';
import type { StatusView } from './view.js';
import {
  INSTALL_MEDIA_GONE,
  storageWords,
  INSTALL_MEDIA_KEEP,
  backupSentence,
  bytes,
  certificateSentence,
  dnsRecords,
  dnsTarget,
  nodeSince,
  operationSentence,
  operatorTrouble,
  operatorsSentence,
  POWER_WORDS,
} from './words.js';

const MARK: Record<string, string> = { done: '[x]', running: '[>]', failed: '[!]', pending: '[ ]' };
const LABEL = 14;

// A labelled block: the label on the first line, the rest under it.
function block(label: string, lines: string[]): string[] {
  return lines.map((l, i) => `  ${(i === 0 ? label : '').padEnd(LABEL)}${l}`);
}

// The whole terminal form for one view; its first line is `fyr-agent: <cluster>: <STATE> ...`.
export function statusText(v: StatusView): string {
  const lines = [headline(v), ''];
  const b = banner(v);
  lines.push(`  ${b.word}: ${b.title}`);
  for (const l of b.notes) lines.push(`    ${l}`);
  for (const l of b.problems) lines.push(`    ! ${l}`);
  if (b.error) lines.push(...b.error.split('\n').map((l) => `    ${l}`));
  if (b.command) lines.push(`    command: ${b.command}`);
  if (b.todo) lines.push(`    what to do: ${b.todo}`);
  lines.push('');
  if (v.keeper) lines.push(...keeperText(v, v.keeper), '');
  if (v.storage) lines.push(`  storage: ready, ${storageWords(v.storage)}`);
  for (const o of v.operators) lines.push(`  operator: ${o.name} ${o.csv} (${o.namespace})`);
  if (v.storage || v.operators.length > 0) lines.push('');
  lines.push(`  install media: ${v.mediaRemovable ? INSTALL_MEDIA_GONE : INSTALL_MEDIA_KEEP}`, '');
  if (v.state === 'done')
    lines.push(
      `  install timeline (took ${formatDuration(v.elapsedSeconds)}${v.finishedAt ? `, finished ${formatDate(v.finishedAt)}` : ''}):`,
    );
  lines.push(...timelineText(v));
  return `${lines.map((l) => l.trimEnd()).join('\n')}\n`;
}

function timelineText(v: StatusView): string[] {
  const lines: string[] = [];
  for (const p of v.phases) {
    const time =
      p.seconds === undefined ? '' : ` ${formatDuration(p.seconds)}${p.status === 'running' ? ' so far' : ''}`;
    lines.push(
      `  ${MARK[p.status] ?? '[?]'} ${p.name.padEnd(19)}${time}${p.attempts > 1 ? ` (attempt ${p.attempts})` : ''}`,
    );
    // The current phase's detail, error and command are at the top already.
    if (p.name === v.current) continue;
    if (p.detail && p.status !== 'done') lines.push(`        ${p.detail}`);
    if (p.error) lines.push(...p.error.split('\n').map((l) => `        ${l}`));
    if (p.command) lines.push(`        command: ${p.command}`);
  }
  lines.push('', `  ${'node'.padEnd(12)}${'role'.padEnd(15)}${'power'.padEnd(18)}${'ip'.padEnd(16)}progress`);
  for (const n of v.nodes)
    lines.push(
      `  ${n.name.padEnd(12)}${n.role.padEnd(15)}${n.power.padEnd(18)}${n.ip.padEnd(16)}${NODE_STEPS.map((s) => (n.seen[s] ? s : '.')).join(' ')}`,
    );
  if (v.unknownMacs.length > 0) {
    lines.push('', '  machines that PXE-booted but are not in the site file:');
    for (const u of v.unknownMacs)
      lines.push(`    ${u.mac}${u.ip ? ` ${u.ip}` : ''} first seen ${formatDate(u.firstSeen)}`);
  }
  return lines;
}

// The site's power: its state, each node's step, and how long each step took.
export function powerLines(p: NonNullable<KeeperView['power']>): string[] {
  const w = Math.max(0, ...p.nodes.map((n) => n.name.length)) + 2;
  return [
    `${POWER_WORDS[p.state]} since ${formatDate(p.since)}`,
    ...p.nodes.map((n) => `${n.name.padEnd(w)}${n.step}${n.note ? ` (${n.note})` : ''}`),
    ...(p.steps.length > 0
      ? [p.steps.map((x) => `${x.step} ${x.seconds !== undefined ? formatDuration(x.seconds) : '…'}`).join(', ')]
      : []),
  ];
}

function keeperText(v: StatusView, k: KeeperView): string[] {
  const out: string[] = [];
  const looked =
    k.lookedSecondsAgo !== undefined
      ? `looked ${formatDuration(k.lookedSecondsAgo)} ago (one look every ${formatDuration(k.healthEverySeconds)})`
      : 'not looked at yet';
  if (k.unreachable) {
    const since = k.unreachable.since
      ? `since ${formatDate(k.unreachable.since)} (${formatDuration(k.unreachable.sinceSeconds ?? 0)})`
      : `since the keeper started ${formatDate(k.startedAt)}`;
    out.push(...block('cluster', [`UNREACHABLE ${since}; ${looked}`, k.unreachable.error]));
  } else {
    out.push(
      ...block('cluster', [
        `${k.version ?? 'version not known'}${k.desiredVersion ? `, updating to ${k.desiredVersion}` : ''}; ${looked}`,
        ...k.conditions.map(
          (c) =>
            `${c.type.padEnd(12)}${c.status.padEnd(8)}${c.message ?? c.reason ?? ''}${c.since ? ` (since ${formatDate(c.since)})` : ''}`,
        ),
      ]),
    );
  }
  if (k.nodes.length === 0 && k.missingNodes.length === 0)
    out.push(...block('nodes', [k.unreachable ? 'not known while the API does not answer' : 'none seen yet']));
  else {
    const w = Math.max(...k.nodes.map((n) => n.name.length), ...k.missingNodes.map((n) => n.length)) + 2;
    out.push(
      ...block('nodes', [
        ...k.nodes.map(
          (n) =>
            `${n.name.padEnd(w)}${n.role.padEnd(15)}${n.ready ? 'Ready' : `NOT READY${nodeSince(n)}${n.reason ? `: ${n.reason}` : ''}`}${n.unschedulable ? ', CORDONED' : ''}`,
        ),
        ...k.missingNodes.map((n) => `${n.padEnd(w)}${'?'.padEnd(15)}NOT IN THE CLUSTER`),
      ]),
    );
  }
  out.push(
    ...block('operators', [
      operatorsSentence(k),
      ...(k.operators?.inTrouble ?? []).map(
        (o) => `${o.name}: ${operatorTrouble(o)}${o.message ? `: ${o.message}` : ''}`,
      ),
    ]),
  );
  out.push(
    ...block('certificates', [
      `${certificateSentence(k)}${k.certificates?.level !== 'ok' && k.certificates ? '  WARNING' : ''}`,
    ]),
  );
  const csrs = [
    ...(k.pendingCsrs ? [`${k.pendingCsrs} pending`] : []),
    ...k.csrRefused.map(
      (c) =>
        `${c.name}: NOT APPROVED: ${c.reason} (requested by ${c.requester}${c.requestedName ? ` for ${c.requestedName}` : ''}, since ${formatDate(c.firstSeen)})`,
    ),
  ];
  if (csrs.length > 0) out.push(...block('CSRs', csrs));
  const bk = k.backups;
  out.push(
    ...block('backups', [
      `${backupSentence(k)}${bk.stale ? '  WARNING' : ''}`,
      ...(bk.last ? [`${bytes(bk.last.bytes)} of ${bk.last.version} from ${bk.last.node}, in ${bk.last.dir}`] : []),
      ...(bk.enabled && bk.nextAt ? [`next ${formatDate(bk.nextAt)}`] : []),
      ...(bk.waiting ? [`waiting: ${bk.waiting}`] : []),
    ]),
  );
  if (k.power) out.push(...block('power', powerLines(k.power)));
  if (k.operation) {
    const o = k.operation;
    out.push(
      ...block('operation', [
        operationSentence(o),
        ...(o.detail ? [o.detail] : []),
        ...(o.error ? o.error.split('\n') : []),
        ...(o.command ? [`command: ${o.command}`] : []),
      ]),
    );
  }
  if (k.history.length > 0)
    out.push(
      ...block(
        'recent',
        k.history.map((o) => `${operationSentence(o)}${o.error ? `: ${o.error.split('\n')[0]}` : ''}`),
      ),
    );
  const a = k.access;
  if (a) {
    out.push('', '  next steps');
    out.push(
      ...block('  console', [a.consoleUrl]),
      ...block('  API', [a.apiUrl]),
      ...block('  kubeconfig', [`${a.kubeconfig} (on the bastion)`]),
      ...block('  kubeadmin', [`password in ${a.kubeadminPassword} (on the bastion)`]),
      ...block('  WAN DNS', [
        `point these at the bastion's WAN address (${a.wanAddress ?? `${a.wanInterface}: not known yet`}):`,
        ...dnsRecords(v).map((r) => `${r.name.padEnd(28)}${r.type.padEnd(3)}${dnsTarget(r, k)}`),
      ]),
    );
  }
  return out;
}
