// The status app through Fastify's inject: JSON API, page, read-only, before the first state.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { freshState } from '../../src/agent/state.js';
import { buildStatusApp } from '../../src/agent/status-app.js';
import { statusText, statusView } from '../../src/agent/status-view.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

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
  assert.equal(v.phases.map((p: { name: string; status: string }) => `${p.name}:${p.status}`).slice(0, 4), [
    'locked:pending',
    'preflight:done',
    'network:failed',
    'services:pending',
  ]);
  assert.is(v.phases[2].command, 'firewall-cmd --reload');
  assert.is(v.nodes[0].step, 'kernel');
  assert.is(v.unknownMacs[0].mac, '52:54:00:de:ad:01');
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
  assert.is((await app.inject({ method: 'POST', url: '/api/status' })).statusCode, 405);
  assert.is((await app.inject({ method: 'DELETE', url: '/' })).statusCode, 405);
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

status('the terminal view lists phases, the failure with its command, nodes and unknown MACs', () => {
  const text = statusText(statusView(sample(), new Date('2026-11-22T00:10:00Z')));
  assert.match(text, 'fyr-agent: edge.example.com: FAILED after 0h10m00s (phase network)');
  assert.match(text, '[x] preflight');
  assert.match(text, '[!] network');
  assert.match(text, 'command: firewall-cmd --reload');
  assert.match(text, /cp-0\s+control-plane\s+on\s+192\.168\.8\.10\s+dhcp kernel \. \. \./);
  assert.match(text, '52:54:00:de:ad:01 192.168.8.150');
});

status.run();
