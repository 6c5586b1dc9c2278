// The status view and its three forms: the JSON API and the page through Fastify's inject, the
// terminal text; each state a technician meets, durations, escaping, and a view that carries
// nothing the state file does not.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NODE_STEPS, PHASES, freshState, type AgentState } from '../../src/agent/state.js';
import { buildStatusApp } from '../../src/agent/status/app.js';
import { statusHtml } from '../../src/agent/status/html.js';
import { statusText } from '../../src/agent/status/text.js';
import { formatDate, formatDuration } from '../../src/agent/time.js';
import { statusView, type StatusView } from '../../src/agent/status/view.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';
import { CRAFTED, type Crafted } from './status-states.js';

const status = suite<{ dir: string }>('agent :: status', { dir: '' });
status.before.each(async (c) => {
  c.dir = await makeTmpdir();
});
status.after.each(async (c) => removeTmpdir(c.dir));

function sample() {
  const s = freshState(
    'edge.example.com',
    [
      {
        name: 'cp-0',
        role: 'control-plane',
        mac: '52:54:00:00:00:10',
        ip: '192.168.8.10',
        bmc: 'redfish',
        power: 'on',
        seen: { dhcp: '2026-11-22T00:05:00Z', kernel: '2026-11-22T00:05:10Z' },
      },
    ],
    new Date('2026-11-22T00:00:00Z'),
  );
  s.phases.preflight = {
    status: 'done',
    attempts: 1,
    startedAt: '2026-11-22T00:00:00Z',
    finishedAt: '2026-11-22T00:01:00Z',
  };
  s.phases.network = {
    status: 'failed',
    attempts: 2,
    error: 'firewalld has no active zone fyr-lan <script>',
    command: 'firewall-cmd --reload',
  };
  s.unknownMacs = [
    {
      mac: '52:54:00:de:ad:01',
      ip: '192.168.8.150',
      firstSeen: '2026-11-22T00:06:00Z',
      lastSeen: '2026-11-22T00:06:00Z',
    },
  ];
  return s;
}

// The three forms of one crafted state.
function forms(c: Crafted): { view: StatusView; text: string; html: string } {
  const view = statusView(c.state, c.now);
  return { view, text: statusText(view), html: statusHtml(view) };
}

status('GET /api/status: phases, nodes, unknown MACs and the elapsed time', async (c) => {
  const file = join(c.dir, 'state.json');
  await writeFile(file, JSON.stringify(sample()));
  const app = buildStatusApp(file, () => new Date('2026-11-22T01:02:03Z'));
  const r = await app.inject({ method: 'GET', url: '/api/status' });
  assert.is(r.statusCode, 200);
  const v = r.json();
  assert.is(v.state, 'failed');
  assert.is(v.current, 'network');
  assert.is(v.elapsedSeconds, 3723);
  assert.is(v.at, '2026-11-22T01:02:03.000Z');
  assert.equal(v.phases.map((p: { name: string; status: string }) => `${p.name}:${p.status}`).slice(0, 4), [
    'locked:pending',
    'preflight:done',
    'network:failed',
    'services:pending',
  ]);
  assert.is(v.phases[1].seconds, 60);
  assert.is(v.phases[2].command, 'firewall-cmd --reload');
  assert.is(v.phasesDone, 1);
  assert.is(v.nodes[0].step, 'kernel');
  assert.is(v.unknownMacs[0].mac, '52:54:00:de:ad:01');
  assert.is(v.keeper, undefined);
  await app.close();
});

status('GET /: an HTML page that escapes what it shows; other methods are refused', async (c) => {
  const file = join(c.dir, 'state.json');
  await writeFile(file, JSON.stringify(sample()));
  const app = buildStatusApp(file);
  const page = await app.inject({ method: 'GET', url: '/' });
  assert.is(page.statusCode, 200);
  assert.match(String(page.headers['content-type']), 'text/html');
  assert.match(page.body, '<h1>edge.example.com: failed</h1>');
  assert.match(page.body, 'fyr-lan &#60;script&#62;');
  assert.not.match(page.body, '<script>');
  assert.match(page.body, '<meta http-equiv="refresh" content="10">');
  assert.match(page.body, '<meta name="viewport" content="width=device-width,initial-scale=1">');
  assert.is((await app.inject({ method: 'HEAD', url: '/' })).statusCode, 200);
  assert.is((await app.inject({ method: 'POST', url: '/api/status' })).statusCode, 405);
  assert.is((await app.inject({ method: 'DELETE', url: '/' })).statusCode, 405);
  assert.is((await app.inject({ method: 'PUT', url: '/api/status' })).statusCode, 405);
  assert.is((await app.inject({ method: 'GET', url: '/nope' })).statusCode, 404);
  await app.close();
});

status('before the agent has written any state: 503 with a plain reason', async (c) => {
  const app = buildStatusApp(join(c.dir, 'missing.json'));
  const r = await app.inject({ method: 'GET', url: '/api/status' });
  assert.is(r.statusCode, 503);
  assert.equal(r.json(), { error: 'the agent has not started yet' });
  assert.is((await app.inject({ method: 'GET', url: '/' })).statusCode, 503);
  await app.close();
});

status('the terminal view: the failure, its command and what to do first, then phases, nodes, unknown MACs', () => {
  const text = statusText(statusView(sample(), new Date('2026-11-22T00:10:00Z')));
  assert.ok(text.startsWith('fyr-agent: edge.example.com: FAILED after 10 m (phase network)\n'));
  assert.match(text, 'FAILED: network failed (phase 3 of 16, attempt 2)');
  assert.match(text, 'firewalld has no active zone fyr-lan <script>');
  assert.match(text, 'command: firewall-cmd --reload');
  assert.match(text, 'what to do: fix the cause, then: systemctl restart fyr-agent');
  assert.match(text, '[x] preflight           1 m');
  assert.match(text, '[!] network');
  assert.match(text, /cp-0\s+control-plane\s+on\s+192\.168\.8\.10\s+dhcp kernel \. \. \./);
  assert.match(text, '52:54:00:de:ad:01 192.168.8.150 first seen 2026-11-22 00:06 UTC');
  assert.match(text, 'install media: keep it in');
  assert.not.match(text, / \n/, 'no trailing blanks');
});

// ---

status('durations: two units at most, the second padded below a day, left out when zero', () => {
  const cases: Array<[number, string]> = [
    [0, '0 s'],
    [-5, '0 s'],
    [59.9, '59 s'],
    [60, '1 m'],
    [192, '3 m 12 s'],
    [605, '10 m 05 s'],
    [3599, '59 m 59 s'],
    [3600, '1 h'],
    [3900, '1 h 05 m'],
    [3959, '1 h 05 m'],
    [86399, '23 h 59 m'],
    [86400, '1 d'],
    [2 * 86400 + 3 * 3600 + 59, '2 d 3 h'],
    [400 * 86400 + 23 * 3600, '400 d 23 h'],
  ];
  for (const [s, want] of cases) assert.is(formatDuration(s), want, `${s} s`);
  assert.is(formatDate('2026-11-22T00:05:59.900Z'), '2026-11-22 00:05 UTC');
  assert.is(formatDate('not a date'), 'not a date');
});

// ---

status('installing: the running phase and its detail on top, durations, not timestamps', () => {
  const { view, text, html } = forms(CRAFTED.installing());
  assert.is(view.state, 'running');
  assert.is(view.current, 'watch');
  assert.is(view.phases.find((p) => p.name === 'watch')!.seconds, 252);
  assert.is(view.phases.find((p) => p.name === 'power')!.seconds, 120);
  assert.is(view.phases.find((p) => p.name === 'pivot')!.seconds, undefined);
  assert.ok(text.startsWith('fyr-agent: edge.example.com: RUNNING for 20 m 12 s (phase watch)\n'));
  assert.match(text, '  RUNNING: watch (phase 9 of 16)\n    waiting for cp-1 (rootfs), cp-2');
  assert.match(text, 'running for 4 m 12 s; 8 of 16 phases done');
  assert.match(text, '[>] watch               4 m 12 s so far');
  assert.not.match(text, /T\d\d:\d\d:\d\d/, 'no raw ISO timestamps');
  assert.match(html, '<h1>edge.example.com: running</h1>');
  assert.match(
    html,
    /<section class="banner t-info"><span class="badge t-info">RUNNING<\/span><h2>watch \(phase 9 of 16\)<\/h2>/,
  );
  assert.match(html, 'waiting for cp-1 (rootfs), cp-2 (not seen yet');
  assert.match(html, '4 m 12 s so far');
  assert.match(html, '52:54:00:de:ad:01');
  assert.not.match(html, /T\d\d:\d\d:\d\d/);
});

status('failed: the error, the command and what to do, in all three forms', () => {
  const { view, text, html } = forms(CRAFTED.failed());
  assert.is(view.state, 'failed');
  assert.is(view.lastError?.command, 'systemctl start haproxy.service');
  assert.match(text, 'FAILED: services failed (phase 4 of 16, attempt 2)');
  assert.match(text, '    command: systemctl start haproxy.service');
  assert.match(text, 'what to do: fix the cause, then: systemctl restart fyr-agent');
  assert.match(html, '<span class="badge t-error">FAILED</span><h2>services failed (phase 4 of 16, attempt 2)</h2>');
  assert.match(
    html,
    '<pre>haproxy did not accept on 6443 after 60 s &#60;script&#62;alert(1)&#60;/script&#62;\nlast log line',
  );
  assert.match(html, '<pre>systemctl start haproxy.service</pre>');
  assert.match(html, '<strong>What to do:</strong> fix the cause, then: <code>systemctl restart fyr-agent</code>');
  assert.not.match(html, '<script>');
});

status('locked: the site waits for its unlock code, at the console or over SSH', () => {
  const { view, text, html } = forms(CRAFTED.locked());
  assert.is(view.state, 'locked');
  assert.ok(text.startsWith('fyr-agent: edge.example.com: LOCKED for 7 m 05 s'));
  assert.match(text, "type the site's unlock code at the bastion's console, or over SSH: fyr-agent unlock");
  assert.match(html, '<span class="badge t-warning">LOCKED</span><h2>The site waits for its unlock code</h2>');
  assert.match(html, '<code>fyr-agent unlock</code>');
});

status('a done phase that cannot be set up again after a restart: stopped, with what to do', () => {
  const s = CRAFTED.installing().state;
  s.phases.watch = { status: 'pending', attempts: 0 };
  s.lastError = {
    phase: 'payload',
    at: '2026-11-22T00:30:00Z',
    message: 'cannot set up again after a restart: podman run failed',
    command: 'podman run registry',
  };
  const v = statusView(s, new Date('2026-11-22T00:31:00Z'));
  assert.is(v.state, 'running');
  assert.is(v.stopped, true);
  const text = statusText(v);
  assert.match(text, 'STOPPED: payload could not be set up again (2026-11-22 00:30 UTC)');
  assert.match(text, 'command: podman run registry');
  assert.match(
    statusHtml(v),
    '<strong>What to do:</strong> fix the cause, then: <code>systemctl restart fyr-agent</code>',
  );

  // Started again and past it: running, not stopped.
  s.phases.watch = { status: 'running', attempts: 1, startedAt: '2026-11-22T00:32:00Z' };
  assert.is(statusView(s, new Date('2026-11-22T00:33:00Z')).stopped, false);
  // A phase that failed, then ran again and succeeded, keeps lastError until the end: not stopped.
  s.lastError = { phase: 'payload', at: '2026-11-22T00:05:00Z', message: 'podman pull failed' };
  s.phases.watch = { status: 'pending', attempts: 0 };
  const later = statusView(s, new Date('2026-11-22T00:33:00Z'));
  assert.is(later.stopped, false);
  assert.match(statusText(later), 'RUNNING');
});

status('installed before the keeper has written anything: done, the install folded away', () => {
  const s = CRAFTED.healthy().state;
  delete s.keeper;
  const { view, text, html } = forms({ state: s, now: new Date('2026-11-22T02:00:00Z') });
  assert.is(view.state, 'done');
  assert.is(view.keeper, undefined);
  assert.is(view.finishedSecondsAgo, 46 * 60);
  assert.ok(text.startsWith('fyr-agent: edge.example.com: DONE, installed 46 m ago (took 1 h 14 m)\n'));
  assert.match(text, 'The keeper has not started yet.');
  assert.match(text, 'install media: may be removed');
  // What the lab looks for in a finished agent's status.
  assert.match(text, /cp-1\s+control-plane\s+on\s+192\.168\.8\.11\s+dhcp kernel initramfs rootfs ignition/);
  assert.match(html, '<h1>edge.example.com: done</h1>');
  assert.match(html, '<details><summary>Install timeline: 16 of 16 phases done, took 1 h 14 m');
});

// ---

status('installed, healthy: version, conditions, nodes, operators, backup, certificates, next steps', () => {
  const { view, text, html } = forms(CRAFTED.healthy());
  const k = view.keeper!;
  assert.is(k.health, 'healthy');
  assert.equal(k.attention, []);
  assert.is(k.version, '4.16.3');
  assert.equal(
    k.conditions.map((c) => `${c.type}=${c.status}:${c.level}`),
    ['Available=True:ok', 'Progressing=False:ok', 'Failing=False:ok'],
  );
  assert.equal(k.operators, { total: 33, inTrouble: [] });
  assert.is(k.backups.last?.ageSeconds, 9 * 3600 + 57 * 60);
  assert.is(k.backups.stale, false);
  assert.equal(k.certificates, { notAfter: '2027-11-21T01:00:00Z', daysLeft: 361, level: 'ok' });
  assert.is(k.lookedSecondsAgo, 25);
  assert.is(k.history.length, 2);

  assert.ok(
    text.startsWith('fyr-agent: edge.example.com: DONE, installed 2 d 10 h ago (took 1 h 14 m); cluster healthy\n'),
  );
  assert.match(text, 'OpenShift 4.16.3, 3 of 3 nodes Ready, all 33 operators available, last backup 9 h 57 m ago');
  assert.match(text, /cluster\s+4\.16\.3; looked 25 s ago/);
  assert.match(text, /Available\s+True\s+Done applying 4\.16\.3/);
  assert.match(text, /cp-0\s+control-plane\s+Ready/);
  assert.match(text, 'all 33 operators available');
  assert.match(text, 'The cluster must be running by 2027-11-21 01:00 UTC (in 361 days)');
  assert.match(text, 'Last backup 2026-11-24 02:03 UTC, 9 h 57 m ago (one every 1 d)');
  assert.match(text, '812 MiB of 4.16.3 from cp-0, in /var/lib/fyr/backups/b-20261124');
  assert.match(text, 'backup (by schedule) 2026-11-24 02:03 UTC: done, took 3 m 12 s');
  assert.match(text, /console\s+https:\/\/console-openshift-console\.apps\.edge\.example\.com/);
  assert.match(text, /kubeconfig\s+\/var\/lib\/fyr\/auth\/kubeconfig \(on the bastion\)/);
  assert.match(text, /kubeadmin\s+password in \/var\/lib\/fyr\/auth\/kubeadmin-password \(on the bastion\)/);
  assert.match(text, /\*\.apps\.edge\.example\.com\s+A\s+203\.0\.113\.7/);
  assert.match(text, /bastion\.edge\.example\.com\s+A\s+203\.0\.113\.7/);
  assert.match(text, 'install timeline (took 1 h 14 m, finished 2026-11-22 01:14 UTC):');

  assert.match(html, '<span class="badge t-ok">HEALTHY</span><h2>The cluster is healthy</h2>');
  assert.match(html, 'OpenShift 4.16.3');
  assert.match(html, '<span class="badge t-ok">READY</span>');
  assert.match(html, '<span class="badge t-ok">ALL AVAILABLE</span> all 33 operators available');
  assert.match(html, '<span class="badge t-ok">OK</span> Last backup 2026-11-24 02:03 UTC');
  assert.match(
    html,
    '<a href="https://console-openshift-console.apps.edge.example.com">https://console-openshift-console.apps.edge.example.com</a>',
  );
  assert.match(html, '<code>/var/lib/fyr/auth/kubeadmin-password</code> on the bastion');
  assert.match(html, '<code class="nw">*.apps.edge.example.com</code>');
  assert.match(html, /<details><summary>Install timeline[^<]*<\/summary>.*cp-2/s);
});

status('installed, in trouble: a NotReady node, a degraded operator, a refused CSR, a stale backup', () => {
  const { view, text, html } = forms(CRAFTED.trouble());
  const k = view.keeper!;
  assert.is(k.health, 'attention');
  assert.equal(
    k.attention.map((a) => `${a.level}:${a.about}:${a.name ?? ''}`),
    [
      'error:node:cp-1',
      'error:operator:ingress',
      'warning:csr:csr-<script>x</script>',
      'warning:certificates:',
      'warning:backup:',
    ],
  );
  assert.equal(k.nodes[1], {
    name: 'cp-1',
    role: 'control-plane',
    ready: false,
    since: '2026-11-24T11:13:00.000Z',
    sinceSeconds: 47 * 60,
    reason: 'KubeletNotReady',
    unschedulable: true,
    siteNode: 'cp-1',
  });
  assert.equal(
    k.operators!.inTrouble.map((o) => `${o.name}:${o.level}`),
    ['ingress:error', 'machine-config:info'],
  );
  assert.is(k.backups.stale, true);
  assert.is(k.certificates?.daysLeft, 20);
  assert.is(k.certificates?.level, 'warning');

  assert.match(text, 'DONE, installed 2 d 10 h ago (took 1 h 14 m); cluster needs attention');
  assert.match(text, 'NEEDS ATTENTION: 5 things need attention');
  assert.match(text, '! Node cp-1 is NOT READY since 2026-11-24 11:13 UTC (47 m): KubeletNotReady');
  assert.match(text, 'NOT READY since 2026-11-24 11:13 UTC (47 m): KubeletNotReady, CORDONED');
  assert.match(text, '! Operator ingress is degraded: The "default" ingress controller');
  assert.match(text, 'machine-config: progressing: Working towards 4.16.3');
  assert.match(text, '2 of 33 not settled');
  assert.match(
    text,
    'csr-<script>x</script>: NOT APPROVED: edge-9 is not a node of this site (requested by system:serviceaccount:openshift-machine-config-operator:node-bootstrapper for system:node:edge-9',
  );
  assert.match(text, 'The last backup is old: 2026-11-21 02:03 UTC, 3 d 9 h ago (one every 1 d)  WARNING');
  assert.match(text, 'waiting: operators are progressing (machine-config)');
  assert.match(
    text,
    'The cluster must be running by 2026-12-14 13:00 UTC (in 20 days) to renew its certificates  WARNING',
  );

  assert.match(html, '<span class="badge t-error">NEEDS ATTENTION</span><h2>5 things need attention</h2>');
  assert.match(html, '<span class="badge t-error">NOT READY</span> <span class="badge t-warning">CORDONED</span>');
  assert.match(html, '<span class="badge t-error">DEGRADED</span>');
  assert.match(html, '1 of 2 replicas &#60;b&#62;unavailable&#60;/b&#62;');
  assert.match(
    html,
    '<span class="badge t-warning">NOT APPROVED</span> <code>csr-&#60;script&#62;x&#60;/script&#62;</code>',
  );
  assert.match(html, 'edge-9 is not a node of this site');
  assert.match(html, '<span class="badge t-warning">WARNING</span> The last backup is old');
  assert.match(
    html,
    '<span class="badge t-warning">WARNING</span> The cluster must be running by 2026-12-14 13:00 UTC (in 20 days)',
  );
  assert.not.match(html, /<(script|b)>/);
});

status('installed, the API unreachable: since when, the error, and what to check', () => {
  const { view, text, html } = forms(CRAFTED.unreachable());
  const k = view.keeper!;
  assert.is(k.health, 'unreachable');
  assert.equal(k.unreachable, {
    error: 'Get "https://api.edge.example.com:6443/version": dial tcp 192.168.8.1:6443: connect: connection refused',
    since: '2026-11-24T09:55:00.000Z',
    sinceSeconds: 2 * 3600 + 5 * 60,
  });
  assert.is(k.version, undefined);
  assert.is(k.operators, undefined);
  assert.match(text, 'cluster unreachable');
  assert.match(text, 'The API is unreachable since 2026-11-24 09:55 UTC (2 h 05 m): Get "https://api.edge.example.com');
  assert.match(text, /nodes\s+not known while the API does not answer/);
  assert.match(text, 'what to do: check that the nodes are on and reach the bastion');
  assert.match(html, '<span class="badge t-error">UNREACHABLE</span><h2>The cluster API does not answer</h2>');
  assert.match(html, 'since 2026-11-24 09:55 UTC (2 h 05 m)');

  // Never reached since the keeper started.
  const c = CRAFTED.unreachable();
  delete c.state.keeper!.lastGoodLookAt;
  const never = statusText(statusView(c.state, c.now));
  assert.match(never, 'The API is unreachable, not reached since the keeper started 2026-11-22 01:30 UTC');
});

status('installed, backups off; the WAN address not known yet', () => {
  const { view, text, html } = forms(CRAFTED['backups-off']());
  const k = view.keeper!;
  assert.is(k.health, 'healthy');
  assert.is(k.backups.enabled, false);
  assert.is(k.backups.stale, false);
  assert.match(text, /backups\s+Backups are off for this site\n/);
  assert.match(text, "point these at the bastion's WAN address (eno1: not known yet):");
  assert.match(text, /api\.edge\.example\.com\s+A\s+the address of eno1, not known yet/);
  assert.match(html, '<span class="badge t-muted">OFF</span> Backups are off for this site');
  assert.match(html, 'pointed at the bastion&#39;s WAN address (the address of eno1, not known yet)');
});

status('installed, a backup under way: in the banner and with its detail', () => {
  const { view, text, html } = forms(CRAFTED.operation());
  const k = view.keeper!;
  assert.is(k.operation?.status, 'running');
  assert.is(k.operation?.seconds, 130);
  assert.match(text, 'A backup is under way (by command, for 2 m 10 s): copying the etcd snapshot from cp-0');
  assert.match(
    text,
    /operation\s+backup \(by command\) started 2026-11-24 11:57 UTC: running for 2 m 10 s\n\s+copying the etcd/,
  );
  assert.match(
    html,
    '<span class="badge t-info">RUNNING</span> <strong>backup (by command) started 2026-11-24 11:57 UTC: running for 2 m 10 s</strong>',
  );
  assert.match(html, '<p>copying the etcd snapshot from cp-0 (412 MiB of 812 MiB)</p>');
});

status('installed, edge cases: no look yet, no backup long after the start, a failed operation, a missing node', () => {
  const c = CRAFTED.healthy();
  const k = c.state.keeper!;
  const noLook = structuredClone(c.state);
  delete noLook.keeper!.health;
  assert.is(statusView(noLook, c.now).keeper!.health, 'unknown');
  assert.match(statusText(statusView(noLook, c.now)), 'cluster not looked at yet');

  delete k.lastBackup;
  // None yet, and the first was due more than a period ago; one due later is no warning.
  k.nextBackupAt = '2026-11-25T00:00:00Z';
  assert.not.ok(
    statusView(c.state, c.now).keeper!.attention.some((a) => a.about === 'backup'),
    'not late before the first is due',
  );
  k.nextBackupAt = '2026-11-22T12:00:00Z';
  k.history = [
    {
      id: 'b-1',
      kind: 'backup',
      by: 'schedule',
      status: 'failed',
      startedAt: '2026-11-24T02:00:00Z',
      finishedAt: '2026-11-24T02:00:30Z',
      error: 'etcdctl snapshot save failed: context deadline exceeded',
      facts: {},
    },
  ];
  k.health!.nodes = k.health!.nodes!.filter((n) => n.name !== 'cp-2');
  k.health!.at = '2026-11-24T11:50:00Z';
  const v = statusView(c.state, c.now).keeper!;
  assert.equal(
    v.attention.map((a) => `${a.level}:${a.about}:${a.name ?? ''}`),
    ['warning:keeper:', 'error:node:cp-2', 'warning:backup:', 'warning:operation:backup'],
  );
  assert.equal(v.missingNodes, ['cp-2']);
  const text = statusText(statusView(c.state, c.now));
  assert.match(text, 'The last look at the cluster was 10 m ago (one every 1 m): is fyr-agent running?');
  assert.match(text, 'Node cp-2 of the site file is not in the cluster');
  assert.match(text, 'No backup yet (one every 1 d)');
  assert.match(text, 'The backup operation last failed 2026-11-24 02:00 UTC: etcdctl snapshot save failed');
});

// ---

status('every form escapes what comes from the state: a node or CSR named <script> stays text', () => {
  const c = CRAFTED.trouble();
  c.state.cluster = 'edge<script>.example.com';
  c.state.keeper!.health!.nodes![0]!.name = '<script>alert("node")</script>';
  c.state.keeper!.access!.consoleUrl = 'javascript:alert(1)';
  c.state.nodes[0]!.name = '<img src=x onerror=alert(1)>';
  const html = statusHtml(statusView(c.state, c.now));
  assert.not.match(html, /<script/i);
  assert.not.match(html, /<img/i);
  assert.not.match(html, 'href="javascript');
  assert.match(html, '&#60;script&#62;alert(&#34;node&#34;)&#60;/script&#62;');
  assert.match(html, '<h1>edge&#60;script&#62;.example.com: done</h1>');
  assert.match(html, 'javascript:alert(1)');
  // The page asks for nothing else: no script, no stylesheet, no image, no font.
  for (const name of Object.keys(CRAFTED) as Array<keyof typeof CRAFTED>) {
    const page = statusHtml(statusView(CRAFTED[name]().state, CRAFTED[name]().now));
    assert.not.match(page, /<(script|link|img|iframe|object)\b|url\(|@import/i, name);
  }
});

// Every string the state holds, its keys included.
function strings(x: unknown, into = new Set<string>()): Set<string> {
  if (typeof x === 'string') into.add(x);
  else if (Array.isArray(x)) for (const y of x) strings(y, into);
  else if (x && typeof x === 'object')
    for (const [k, y] of Object.entries(x)) {
      into.add(k);
      strings(y, into);
    }
  return into;
}

// The words of the view's own enumerations.
const WORDS = new Set([
  ...['running', 'locked', 'failed', 'done', 'pending', '-'],
  ...['ok', 'info', 'warning', 'error'],
  ...['healthy', 'attention', 'unreachable', 'unknown'],
  ...['api', 'keeper', 'cluster', 'node', 'operator', 'csr', 'backup', 'certificates', 'operation'],
  ...['Available', 'Progressing', 'Failing'],
  ...PHASES,
  ...NODE_STEPS,
]);

status('the view carries nothing the state does not: its strings are the state own, times and enumerations', () => {
  for (const name of Object.keys(CRAFTED) as Array<keyof typeof CRAFTED>) {
    const { state, now } = CRAFTED[name]();
    const known = strings(state);
    const view = JSON.parse(JSON.stringify(statusView(state, now))) as StatusView;
    const extra = [...strings(view)].filter(
      (s) => !known.has(s) && !WORDS.has(s) && s !== now.toISOString() && !isViewKey(s),
    );
    assert.equal(extra, [], `${name}: strings not from the state`);
  }
});

// The view's own field names (keys, not values).
const VIEW_KEYS = new Set([
  ...['state', 'stopped', 'at', 'elapsedSeconds', 'finishedSecondsAgo', 'current', 'phasesDone', 'seconds'],
  ...['step', 'mediaRemovable', 'keeper', 'health', 'attention', 'level', 'about', 'lookedAt', 'lookedSecondsAgo'],
  ...['lookStale', 'unreachable', 'since', 'sinceSeconds', 'conditions', 'type', 'missingNodes', 'operators'],
  ...['total', 'inTrouble', 'certificates', 'daysLeft', 'notAfter', 'backups', 'last', 'ageSeconds', 'stale'],
  ...['nextAt', 'waiting'],
]);
const isViewKey = (s: string) => VIEW_KEYS.has(s);

status('the JSON API is the view: the same object the terminal and the page are made from', async (c) => {
  for (const name of ['healthy', 'trouble'] as const) {
    const { state, now } = CRAFTED[name]();
    const file = join(c.dir, `${name}.json`);
    await writeFile(file, JSON.stringify(state));
    const app = buildStatusApp(file, () => now);
    const r = await app.inject({ method: 'GET', url: '/api/status' });
    assert.equal(r.json(), JSON.parse(JSON.stringify(statusView(state, now))));
    await app.close();
  }
});

status('the first line of the text form is fyr-agent: <cluster>: <STATE> in every state', () => {
  const want: Record<keyof typeof CRAFTED, string> = {
    installing: 'RUNNING',
    failed: 'FAILED',
    locked: 'LOCKED',
    healthy: 'DONE',
    trouble: 'DONE',
    unreachable: 'DONE',
    'backups-off': 'DONE',
    operation: 'DONE',
  };
  for (const name of Object.keys(CRAFTED) as Array<keyof typeof CRAFTED>) {
    const { state, now } = CRAFTED[name]();
    assert.ok(statusText(statusView(state, now)).startsWith(`fyr-agent: edge.example.com: ${want[name]}`), name);
  }
});

// A state as written before the keeper existed reads the same.
status('a state file without keeper records still renders', () => {
  const s: AgentState = JSON.parse(JSON.stringify(CRAFTED.healthy().state));
  delete s.keeper;
  assert.ok(statusHtml(statusView(s, new Date())).includes('Install timeline'));
});

status('storage and operators from the stick: the default StorageClass, the capacity, each CSV', () => {
  const c = CRAFTED.healthy();
  c.state.storage = {
    type: 'lvms',
    storageClass: 'lvms-vg1',
    capacityBytes: 3 * 600 * 1024 ** 3,
    readyAt: '2026-11-22T01:30:00Z',
  };
  c.state.operators = [
    { name: 'lvms-operator', csv: 'lvms-operator.v4.18.3', namespace: 'openshift-storage', at: '2026-11-22T01:25:00Z' },
  ];
  const { view, text, html } = forms(c);
  assert.equal(view.storage?.storageClass, 'lvms-vg1');
  assert.match(text, '  storage: ready, LVM Storage; default StorageClass lvms-vg1, 1.8 TiB\n');
  assert.match(text, '  operator: lvms-operator lvms-operator.v4.18.3 (openshift-storage)\n');
  assert.match(html, 'STORAGE READY</span> LVM Storage; default StorageClass lvms-vg1, 1.8 TiB');
  assert.match(html, '<code>lvms-operator.v4.18.3</code>');
  // Without either, neither says a word.
  const { text: plain, html: plainHtml } = forms(CRAFTED.healthy());
  assert.not.match(plain, 'storage:');
  assert.not.match(plainHtml, 'Storage and operators');
});

status.run();
