// The status page's cards for an installed site, from what the keeper last saw: the cluster,
// its nodes and operators, the backups, the certificates, CSRs, operations and next steps.
import type { KeeperView } from './keeper-view.js';
import { badge, card, esc, link, type Tone } from './style.js';
import { formatDate, formatDuration } from '../time.js';
import type { StatusView } from './view.js';
import {
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

const OP_TONE: Record<string, Tone> = { done: 'ok', running: 'info', failed: 'error', skipped: 'muted' };

export function clusterCard(k: KeeperView): string {
  const looked =
    k.lookedSecondsAgo !== undefined
      ? `looked ${formatDuration(k.lookedSecondsAgo)} ago, one look every ${formatDuration(k.healthEverySeconds)}`
      : 'not looked at yet';
  if (k.unreachable) {
    const since = k.unreachable.since
      ? `since ${formatDate(k.unreachable.since)} (${formatDuration(k.unreachable.sinceSeconds ?? 0)})`
      : `since the keeper started ${formatDate(k.startedAt)}`;
    return card(
      'Cluster',
      `<p class="big">${badge('error', 'UNREACHABLE')} ${esc(since)}</p><pre>${esc(k.unreachable.error)}</pre><p class="small">${esc(looked)}</p>`,
      ' t-error',
    );
  }
  const rows = k.conditions.map(
    (c) =>
      `<tr><td>${esc(c.type)}</td><td>${badge(c.level === 'ok' ? 'ok' : c.level, c.status)}</td><td>${esc(c.message ?? c.reason ?? '')}</td></tr>`,
  );
  const bad = k.conditions.some((c) => c.level === 'error');
  return card(
    'Cluster',
    `<p class="big">OpenShift ${esc(k.version ?? '(version not known)')}${
      k.desiredVersion ? ` ${badge('info', 'UPDATING')} to ${esc(k.desiredVersion)}` : ''
    }</p>${rows.length ? `<table>${rows.join('')}</table>` : ''}<p class="small">${esc(looked)}</p>`,
    bad ? ' t-error' : '',
  );
}

export function clusterNodesCard(k: KeeperView): string {
  if (k.nodes.length === 0 && k.missingNodes.length === 0)
    return card(
      'Nodes',
      `<p class="small">${k.unreachable ? 'not known while the API does not answer' : 'none seen yet'}</p>`,
    );
  const rows = [
    ...k.nodes.map(
      (n) =>
        `<tr><td class="nw"><strong>${esc(n.name)}</strong><br><span class="small">${esc(n.role)}</span></td><td>${n.ready ? badge('ok', 'READY') : badge('error', 'NOT READY')}${
          n.unschedulable ? ` ${badge('warning', 'CORDONED')}` : ''
        }${n.ready ? '' : `<br><span class="small">${esc(`${nodeSince(n).trim()}${n.reason ? `: ${n.reason}` : ''}`)}</span>`}</td></tr>`,
    ),
    ...k.missingNodes.map(
      (n) => `<tr><td class="nw"><strong>${esc(n)}</strong></td><td>${badge('error', 'NOT IN THE CLUSTER')}</td></tr>`,
    ),
  ];
  const bad = k.nodes.some((n) => !n.ready) || k.missingNodes.length > 0;
  return card('Nodes', `<table>${rows.join('')}</table>`, bad ? ' t-error' : '');
}

export function operatorsCard(k: KeeperView): string {
  const o = k.operators;
  if (!o) return card('Operators', `<p class="small">not known while the API does not answer</p>`);
  const bad = o.inTrouble.some((x) => x.level === 'error');
  const head =
    o.inTrouble.length === 0
      ? badge('ok', 'ALL AVAILABLE')
      : badge(bad ? 'error' : 'info', bad ? 'TROUBLE' : 'SETTLING');
  const list = o.inTrouble.map(
    (x) =>
      `<li><strong>${esc(x.name)}</strong> ${badge(x.level, operatorTrouble(x).toUpperCase())}${x.message ? `<br><span class="small">${esc(x.message)}</span>` : ''}</li>`,
  );
  return card(
    'Operators',
    `<p>${head} ${esc(operatorsSentence(k))}</p>${list.length ? `<ul class="plain">${list.join('')}</ul>` : ''}`,
    bad ? ' t-error' : '',
  );
}

export function backupsCard(k: KeeperView): string {
  const b = k.backups;
  const [tone, word]: [Tone, string] = !b.enabled
    ? ['muted', 'OFF']
    : b.stale
      ? ['warning', 'WARNING']
      : b.last
        ? ['ok', 'OK']
        : ['info', 'NONE YET'];
  const facts = [
    ...(b.last
      ? [
          ['size', `${bytes(b.last.bytes)} of ${b.last.version}`],
          ['taken on', b.last.node],
          ['kept in', b.last.dir],
        ]
      : []),
    ...(b.enabled ? [['keeps', `the last ${b.keep}`]] : []),
    ...(b.enabled && b.nextAt ? [['next', formatDate(b.nextAt)]] : []),
    ...(b.waiting ? [['waiting', b.waiting]] : []),
  ];
  return card(
    'Backups',
    `<p>${badge(tone, word)} ${esc(backupSentence(k))}</p>${
      facts.length ? `<dl>${facts.map(([t, d]) => `<dt>${esc(t!)}</dt><dd>${esc(d!)}</dd>`).join('')}</dl>` : ''
    }`,
    b.stale ? ' t-warning' : '',
  );
}

export function certificatesCard(k: KeeperView): string {
  const c = k.certificates;
  if (!c) return card('Certificates', `<p class="small">${esc(certificateSentence(k))}</p>`);
  const word = c.level === 'ok' ? 'OK' : c.level === 'error' ? 'EXPIRED' : 'WARNING';
  return card(
    'Certificates',
    `<p>${badge(c.level, word)} ${esc(certificateSentence(k))}.</p>${
      c.level === 'ok'
        ? ''
        : `<p class="small">If the site is shut down, start it again before then: the cluster renews these certificates only while it runs.</p>`
    }`,
    c.level === 'ok' ? '' : ` t-${c.level}`,
  );
}

export function csrCard(k: KeeperView): string {
  if (k.csrRefused.length === 0 && !k.pendingCsrs) return '';
  const list = k.csrRefused.map(
    (c) =>
      `<li>${badge('warning', 'NOT APPROVED')} <code>${esc(c.name)}</code><br>${esc(c.reason)}<br><span class="small">requested by ${esc(c.requester)}${
        c.requestedName ? ` for ${esc(c.requestedName)}` : ''
      }, since ${esc(formatDate(c.firstSeen))}</span></li>`,
  );
  return card(
    'Certificate signing requests',
    `${k.pendingCsrs ? `<p>${k.pendingCsrs} pending</p>` : ''}${list.length ? `<ul class="plain">${list.join('')}</ul>` : ''}`,
    list.length ? ' t-warning' : '',
  );
}

export function powerCard(k: KeeperView): string {
  const p = k.power;
  if (!p) return '';
  const rows = p.nodes.map(
    (n) =>
      `<li><strong>${esc(n.name)}</strong> ${esc(n.step)}${n.note ? `<br><span class="small">${esc(n.note)}</span>` : ''}</li>`,
  );
  const steps = p.steps.map(
    (x) =>
      `<li>${esc(x.step)} <span class="small">${x.seconds !== undefined ? esc(formatDuration(x.seconds)) : '…'}</span></li>`,
  );
  return card(
    'Power',
    `<p><strong>${esc(POWER_WORDS[p.state])}</strong> since ${esc(formatDate(p.since))}</p>${
      rows.length ? `<ul class="plain">${rows.join('')}</ul>` : ''
    }${steps.length ? `<p class="small">Steps:</p><ul class="plain">${steps.join('')}</ul>` : ''}`,
    p.state === 'running' ? '' : ' t-warning',
  );
}

export function operationsCard(k: KeeperView): string {
  if (!k.operation && k.history.length === 0) return '';
  const o = k.operation;
  const now = o
    ? `<p>${badge(OP_TONE[o.status] ?? 'muted', o.status.toUpperCase())} <strong>${esc(operationSentence(o, false))}</strong></p>${
        o.detail ? `<p>${esc(o.detail)}</p>` : ''
      }${o.error ? `<pre>${esc(o.error)}</pre>` : ''}${o.command ? `<pre>${esc(o.command)}</pre>` : ''}`
    : '';
  const past = k.history.map(
    (h) =>
      `<li>${badge(OP_TONE[h.status] ?? 'muted', h.status.toUpperCase())} ${esc(operationSentence(h, false))}${h.error ? `<br><span class="small">${esc(h.error)}</span>` : ''}</li>`,
  );
  return card(
    'Operations',
    `${now}${past.length ? `<p class="small">Recent:</p><ul class="plain">${past.join('')}</ul>` : ''}`,
  );
}

export function accessCard(v: StatusView, k: KeeperView): string {
  const a = k.access;
  if (!a) return '';
  const dns = dnsRecords(v).map(
    (r) =>
      `<li><code class="nw">${esc(r.name)}</code> <span class="small">${esc(r.type)}</span> ${esc(dnsTarget(r, k))}</li>`,
  );
  return card(
    'Next steps',
    `<dl><dt>Console</dt><dd>${link(a.consoleUrl)}</dd><dt>API</dt><dd>${link(a.apiUrl)}</dd>
<dt>kubeconfig</dt><dd><code>${esc(a.kubeconfig)}</code> on the bastion</dd>
<dt>kubeadmin</dt><dd>the password is in <code>${esc(a.kubeadminPassword)}</code> on the bastion</dd></dl>
<p>The WAN side&#39;s DNS needs these records, pointed at the bastion&#39;s WAN address (${
      a.wanAddress ? `<code>${esc(a.wanAddress)}</code>` : esc(`the address of ${a.wanInterface}, not known yet`)
    }):</p><ul class="plain">${dns.join('')}</ul>`,
    ' wide',
  );
}
