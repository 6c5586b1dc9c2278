// The status as a technician reads it: the same facts for the terminal (`fyr-agent status`),
// the LAN page and the JSON API. Built from the state file only, which holds no secrets.
import { NODE_STEPS, PHASES, type AgentState } from './state.js';

export interface StatusView {
  cluster: string;
  // locked: a sealed site waiting for its unlock code.
  state: 'running' | 'locked' | 'failed' | 'done';
  startedAt: string;
  updatedAt: string;
  elapsedSeconds: number;
  current?: string;
  phases: Array<{
    name: string;
    status: string;
    startedAt?: string;
    finishedAt?: string;
    attempts: number;
    detail?: string;
    error?: string;
    command?: string;
  }>;
  nodes: Array<{
    name: string;
    role: string;
    mac: string;
    ip: string;
    bmc: string;
    power: string;
    step: string;
    seen: Record<string, string>;
  }>;
  unknownMacs: AgentState['unknownMacs'];
  lastError?: AgentState['lastError'];
  // The install media is no longer read: the registry serves from the bastion's disk.
  mediaRemovable: boolean;
}

export function statusView(state: AgentState, now: Date): StatusView {
  const failed = PHASES.some((p) => state.phases[p].status === 'failed');
  const current = PHASES.find((p) => state.phases[p].status === 'running' || state.phases[p].status === 'failed');
  const end = state.finishedAt ? new Date(state.finishedAt) : now;
  return {
    cluster: state.cluster,
    state: state.finishedAt
      ? 'done'
      : failed
        ? 'failed'
        : state.phases.locked.status === 'running' &&
            /^waiting for the unlock code/.test(state.phases.locked.detail ?? '')
          ? 'locked'
          : 'running',
    startedAt: state.startedAt,
    updatedAt: state.updatedAt,
    elapsedSeconds: Math.max(0, Math.round((end.getTime() - new Date(state.startedAt).getTime()) / 1000)),
    ...(current ? { current } : {}),
    phases: PHASES.map((name) => ({ name, ...state.phases[name] })),
    mediaRemovable: state.phases['registry-copy'].status === 'done',
    nodes: state.nodes.map((n) => ({
      name: n.name,
      role: n.role,
      mac: n.mac,
      ip: n.ip,
      bmc: n.bmc,
      power: n.power,
      step: [...NODE_STEPS].reverse().find((s) => n.seen[s] !== undefined) ?? '-',
      seen: { ...n.seen },
    })),
    unknownMacs: state.unknownMacs,
    ...(state.lastError ? { lastError: state.lastError } : {}),
  };
}

const duration = (s: number) =>
  `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m${String(s % 60).padStart(2, '0')}s`;
const MARK: Record<string, string> = { done: '[x]', running: '[>]', failed: '[!]', pending: '[ ]' };

export function statusText(v: StatusView): string {
  const lines = [
    `fyr-agent: ${v.cluster}: ${v.state.toUpperCase()} after ${duration(v.elapsedSeconds)}${v.current && v.state !== 'done' ? ` (phase ${v.current})` : ''}`,
    '',
  ];
  for (const p of v.phases) {
    lines.push(
      `  ${MARK[p.status] ?? '[?]'} ${p.name.padEnd(19)}${p.finishedAt && p.status === 'done' ? ` ${p.finishedAt}` : ''}${p.attempts > 1 ? ` (attempt ${p.attempts})` : ''}`,
    );
    if (p.detail && p.status !== 'done') lines.push(`        ${p.detail}`);
    if (p.error) lines.push(...p.error.split('\n').map((l) => `        ${l}`));
    if (p.command) lines.push(`        command: ${p.command}`);
  }
  lines.push('', `  ${'node'.padEnd(12)}${'role'.padEnd(15)}${'power'.padEnd(18)}${'ip'.padEnd(16)}progress`);
  for (const n of v.nodes)
    lines.push(
      `  ${n.name.padEnd(12)}${n.role.padEnd(15)}${n.power.padEnd(18)}${n.ip.padEnd(16)}${NODE_STEPS.map((s) => (n.seen[s] ? s : '.')).join(' ')}`,
    );
  lines.push(
    '',
    v.mediaRemovable
      ? '  install media: may be removed (the registry serves from the disk)'
      : '  install media: keep it in (the registry serves from it)',
  );
  if (v.unknownMacs.length > 0) {
    lines.push('', '  machines that PXE-booted but are not in the site file:');
    for (const u of v.unknownMacs) lines.push(`    ${u.mac}${u.ip ? ` ${u.ip}` : ''} first seen ${u.firstSeen}`);
  }
  return `${lines.join('\n')}\n`;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function statusHtml(v: StatusView): string {
  const rows = v.phases.map(
    (p) =>
      `<tr class="${esc(p.status)}"><td>${esc(p.name)}</td><td>${esc(p.status)}</td><td>${esc(p.finishedAt ?? p.startedAt ?? '')}</td><td>${esc(p.detail ?? '')}${p.error ? `<pre>${esc(p.error)}</pre>` : ''}${p.command ? `<pre>${esc(p.command)}</pre>` : ''}</td></tr>`,
  );
  const nodes = v.nodes.map(
    (n) =>
      `<tr><td>${esc(n.name)}</td><td>${esc(n.role)}</td><td>${esc(n.mac)}</td><td>${esc(n.ip)}</td><td>${esc(n.power)}</td>${NODE_STEPS.map((s) => `<td>${n.seen[s] ? '&#10003;' : ''}</td>`).join('')}</tr>`,
  );
  const unknown = v.unknownMacs.map(
    (u) => `<li>${esc(u.mac)} ${esc(u.ip ?? '')} (first seen ${esc(u.firstSeen)})</li>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="10"><title>fyr: ${esc(v.cluster)}</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:left}tr.failed{background:#fdd}tr.running{background:#ffd}tr.done{color:#555}pre{margin:0;white-space:pre-wrap}</style></head>
<body><h1>${esc(v.cluster)}: ${esc(v.state)}</h1><p>Started ${esc(v.startedAt)}, ${esc(duration(v.elapsedSeconds))} ago; updated ${esc(v.updatedAt)}. JSON: <a href="/api/status">/api/status</a></p>
<p class="media">${v.mediaRemovable ? 'The install media <strong>may be removed</strong>: the registry serves from the bastion&#39;s disk.' : 'Keep the install media in: the registry serves from it.'}</p>
<h2>Phases</h2><table><tr><th>phase</th><th>status</th><th>time</th><th>detail</th></tr>${rows.join('')}</table>
<h2>Nodes</h2><table><tr><th>node</th><th>role</th><th>MAC</th><th>IP</th><th>power</th>${NODE_STEPS.map((s) => `<th>${s}</th>`).join('')}</tr>${nodes.join('')}</table>
${unknown.length ? `<h2>Not in the site file</h2><ul>${unknown.join('')}</ul>` : ''}</body></html>
`;
}
