// The status page on the LAN: the status view as one self-contained HTML page (its CSS inline,
// no script, no other request), refreshed by the browser every 10 s. Everything from the state
// is escaped; each state is shown by a word with its colour, never by the colour alone.
import { NODE_STEPS } from '../state.js';
import { banner } from './banner.js';
import {
  accessCard,
  backupsCard,
  certificatesCard,
  clusterCard,
  clusterNodesCard,
  csrCard,
  operationsCard,
  operatorsCard,
  powerCard,
} from './keeper-html.js';
import type { KeeperView } from './keeper-view.js';
import { badge, card, CSS, esc, type Tone } from './style.js';
import { storageWords } from './words.js';
import { formatDate, formatDuration } from '../time.js';
import type { PhaseView, StatusView } from './view.js';

const PHASE_TONE: Record<string, Tone> = { done: 'ok', running: 'info', failed: 'error', pending: 'muted' };
// The commands a sentence names, set as code.
const commands = (html: string) =>
  html.replace(/systemctl restart fyr-agent|fyr-agent unlock/g, (c) => `<code>${c}</code>`);

// The whole page for one view.
export function statusHtml(v: StatusView): string {
  const body = v.keeper ? installedBody(v, v.keeper) : v.state === 'done' ? doneBody(v) : installingBody(v);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="10"><title>${esc(banner(v).word)} · ${esc(v.cluster)} · fyr</title>
<style>${CSS}</style></head>
<body><header><div class="wrap"><h1>${esc(v.cluster)}: ${esc(v.state)}</h1>
<p class="meta">${esc(
    v.finishedAt ? `Installed ${formatDate(v.finishedAt)}` : `Install started ${formatDate(v.startedAt)}`,
  )} · state saved ${esc(formatDate(v.updatedAt))} · this page refreshes every 10 s · <a href="/api/status">JSON</a></p></div></header>
<main class="wrap">${bannerHtml(v)}${body}</main>
<footer class="wrap">Read-only, from the agent&#39;s state file on the bastion. As of ${esc(formatDate(v.at))}.</footer>
</body></html>
`;
}

function bannerHtml(v: StatusView): string {
  const b = banner(v);
  const notes = b.notes.map((l, i) => `<p${i === 0 && v.state === 'running' ? ' class="lead"' : ''}>${esc(l)}</p>`);
  const problems = b.problems.length ? `<ul>${b.problems.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` : '';
  return `<section class="banner t-${b.level}">${badge(b.level, b.word)}<h2>${esc(b.title)}</h2>${problems}${notes.join('')}${
    b.error ? `<pre>${esc(b.error)}</pre>` : ''
  }${b.command ? `<p>The command:</p><pre>${esc(b.command)}</pre>` : ''}${
    b.todo ? `<p class="todo"><strong>What to do:</strong> ${commands(esc(b.todo))}</p>` : ''
  }</section>`;
}

function installingBody(v: StatusView): string {
  return `<div class="cols"><section class="card"><h2>Phases</h2><p>${v.phasesDone} of ${v.phases.length} done, ${esc(
    formatDuration(v.elapsedSeconds),
  )} since the start</p>
${stepsBar(v.phases)}${phasesTable(v.phases, v.current)}</section>
<div class="stack">${unknownCard(v)}${nodesCard(v)}${mediaCard(v)}</div></div>`;
}

function doneBody(v: StatusView): string {
  return `<div class="grid">${mediaCard(v)}</div>${timeline(v)}`;
}

function stepsBar(phases: PhaseView[]): string {
  return `<ol class="steps" aria-hidden="true">${phases
    .map((p) => `<li class="t-${PHASE_TONE[p.status] ?? 'muted'}" title="${esc(`${p.name}: ${p.status}`)}"></li>`)
    .join('')}</ol>`;
}

// The phases, each with its time and, under its name, what it does or why it failed (the
// current one's is in the banner already).
function phasesTable(phases: PhaseView[], current?: string): string {
  const rows = phases.map((p) => {
    const time =
      p.seconds === undefined ? '' : `${formatDuration(p.seconds)}${p.status === 'running' ? ' so far' : ''}`;
    const extra =
      p.name === current
        ? []
        : [
            p.detail && p.status !== 'done' ? `<br><span class="small">${esc(p.detail)}</span>` : '',
            p.error ? `<pre>${esc(p.error)}</pre>` : '',
            p.command ? `<pre>${esc(p.command)}</pre>` : '',
          ];
    const attempts = p.attempts > 1 ? ` <span class="small">attempt ${p.attempts}</span>` : '';
    return `<tr class="t-${esc(p.status)}"><td>${esc(p.name)}${attempts}${extra.join('')}</td><td>${badge(PHASE_TONE[p.status] ?? 'muted', p.status)}</td><td class="num">${esc(time)}</td></tr>`;
  });
  return `<table><tr><th>phase</th><th>status</th><th>time</th></tr>${rows.join('')}</table>`;
}

function nodesCard(v: StatusView): string {
  const rows = v.nodes.map(
    (n) =>
      `<tr><td class="nw"><strong>${esc(n.name)}</strong><br><span class="small">${esc(n.role)}</span></td><td>${esc(n.ip)}<br><span class="small">${esc(n.mac)}</span></td><td>${powerBadge(n.power)}</td></tr><tr class="sub"><td colspan="3">${NODE_STEPS.map(
        (s) => `<span class="seen${n.seen[s] ? '' : ' no'}">${n.seen[s] ? '&#10003;' : '&#183;'}&#160;${s}</span>`,
      ).join(' ')}</td></tr>`,
  );
  return card(
    'Nodes: install progress',
    `<table><tr><th>node</th><th>address</th><th>power</th></tr>${rows.join('')}</table>`,
  );
}

const POWER: Record<string, [Tone, string]> = {
  pending: ['muted', 'NOT YET'],
  requested: ['info', 'REQUESTED'],
  on: ['ok', 'ON'],
  'waiting-for-tech': ['warning', 'WAITING FOR THE TECH'],
};
const powerBadge = (power: string) => badge(...(POWER[power] ?? ['muted', power]));

function mediaCard(v: StatusView): string {
  return card(
    'Install media',
    `<p class="media">${
      v.mediaRemovable
        ? `${badge('ok', 'MAY BE REMOVED')} The registry serves from the bastion&#39;s disk.`
        : `${badge('info', 'KEEP IT IN')} The registry serves from it.`
    }</p>`,
  );
}

function storageCard(v: StatusView): string {
  if (!v.storage && v.operators.length === 0) return '';
  const storage = v.storage ? `<p>${badge('ok', 'STORAGE READY')} ${esc(storageWords(v.storage))}</p>` : '';
  const ops =
    v.operators.length > 0
      ? `<ul class="plain">${v.operators.map((o) => `<li><code>${esc(o.csv)}</code> <span class="small">${esc(o.namespace)}</span></li>`).join('')}</ul>`
      : '';
  return card('Storage and operators', `${storage}${ops}`);
}

function unknownCard(v: StatusView): string {
  if (v.unknownMacs.length === 0) return '';
  return card(
    'Not in the site file',
    `<p>${badge('warning', 'UNKNOWN')} These machines PXE-booted but the site does not know them:</p><ul class="plain">${v.unknownMacs
      .map(
        (u) =>
          `<li><code>${esc(u.mac)}</code> ${esc(u.ip ?? '')} <span class="small">first seen ${esc(formatDate(u.firstSeen))}</span></li>`,
      )
      .join('')}</ul>`,
    ' t-warning',
  );
}

function timeline(v: StatusView): string {
  return `<details><summary>Install timeline: ${v.phasesDone} of ${v.phases.length} phases done, took ${esc(formatDuration(v.elapsedSeconds))}${
    v.finishedAt ? `, finished ${esc(formatDate(v.finishedAt))}` : ''
  }</summary><div class="cols">${card('Phases', phasesTable(v.phases))}<div class="stack">${nodesCard(v)}${unknownCard(v)}</div></div></details>`;
}

function installedBody(v: StatusView, k: KeeperView): string {
  return `<div class="grid">${clusterCard(k)}${clusterNodesCard(k)}${operatorsCard(k)}${backupsCard(k)}${certificatesCard(k)}${csrCard(k)}${powerCard(k)}${operationsCard(k)}${storageCard(v)}${mediaCard(v)}${accessCard(v, k)}</div>${timeline(v)}`;
}
