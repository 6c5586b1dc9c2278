// The status page as a browser shows it: the real status app serves each crafted state file on
// loopback, Debian's headless Chromium shoots it at a laptop's and a phone's width into
// out/dashboard/<state>-<width>.png, and the page's text carries the state's facts.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildStatusApp } from '../../src/agent/status/app.js';
import { chromiumArgs, screenshot, type WindowSize } from '../lab/screenshot.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';
import { CRAFTED } from './status-states.js';

const OUT = 'out/dashboard';
const SIZES: WindowSize[] = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
];

// What each state's page must say, in its text (tags removed, entities read).
const FACTS: Record<keyof typeof CRAFTED, Array<string | RegExp>> = {
  installing: [
    'edge.example.com: running',
    'RUNNING',
    'watch (phase 9 of 16)',
    'waiting for cp-1 (rootfs), cp-2 (not seen yet',
    'running for 4 m 12 s',
    '8 of 16 phases done',
    '52:54:00:de:ad:01',
    'KEEP IT IN',
  ],
  failed: [
    'FAILED',
    'services failed (phase 4 of 16, attempt 2)',
    'haproxy did not accept on 6443 after 60 s <script>alert(1)</script>',
    'systemctl start haproxy.service',
    'What to do: fix the cause, then: systemctl restart fyr-agent',
  ],
  locked: ['LOCKED', 'The site waits for its unlock code', "bastion's console", 'fyr-agent unlock'],
  healthy: [
    'HEALTHY',
    'The cluster is healthy',
    'OpenShift 4.16.3',
    'Done applying 4.16.3',
    'all 33 operators available',
    /cp-0control-plane\s*READY/,
    'Last backup 2026-11-24 02:03 UTC, 9 h 57 m ago',
    'The cluster must be running by 2027-11-21 01:00 UTC (in 361 days)',
    'https://console-openshift-console.apps.edge.example.com',
    '/var/lib/fyr/auth/kubeadmin-password',
    '*.apps.edge.example.com',
    'Install timeline',
    'MAY BE REMOVED',
  ],
  trouble: [
    'NEEDS ATTENTION',
    'Node cp-1 is NOT READY since 2026-11-24 11:13 UTC (47 m): KubeletNotReady',
    'CORDONED',
    'Operator ingress is degraded',
    '1 of 2 replicas <b>unavailable</b>',
    'CSR csr-<script>x</script> for system:node:edge-9 not approved: edge-9 is not a node of this site',
    'The last backup is old',
    'WARNING',
    'in 20 days',
    'operators are progressing (machine-config)',
  ],
  unreachable: [
    'UNREACHABLE',
    'The API is unreachable since 2026-11-24 09:55 UTC (2 h 05 m)',
    'connect: connection refused',
  ],
  'backups-off': ['HEALTHY', 'Backups are off for this site', 'OFF', 'the address of eno1, not known yet'],
  operation: ['RUNNING', 'backup (by command)', 'running for 2 m 10 s', 'copying the etcd snapshot from cp-0'],
};

// A PNG's width and height from its IHDR chunk.
function pngSize(png: Buffer): WindowSize {
  assert.equal([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
  assert.is(png.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const pageText = (html: string) =>
  html
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<[^>]*>/g, '')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

const dashboard = suite<{ dir: string }>('agent :: dashboard', { dir: '' });
dashboard.before.each(async (c) => {
  c.dir = await makeTmpdir();
});
dashboard.after.each(async (c) => removeTmpdir(c.dir));

dashboard('the screenshot helper asks Chromium for the window size it is given', () => {
  const argv = chromiumArgs('/tmp/p', 'http://127.0.0.1:1/', '/out/x.png', { width: 390, height: 844 });
  assert.ok(argv.includes('--window-size=390,844'));
  assert.not.ok(argv.some((a) => a.startsWith('--window-size=1100')));
});

for (const name of Object.keys(CRAFTED) as Array<keyof typeof CRAFTED>) {
  dashboard(`${name}: the page says its facts and is shot at ${SIZES.map((s) => s.width).join(' and ')}`, async (c) => {
    const { state, now } = CRAFTED[name]();
    const file = join(c.dir, 'state.json');
    await writeFile(file, JSON.stringify(state));
    const app = buildStatusApp(file, () => now);
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const res = await fetch(`${address}/`);
      assert.is(res.status, 200);
      const html = await res.text();
      assert.not.match(html, /<script/i, 'no script on the page, nor from the state');
      assert.not.match(html, /(src|href)="(?!\/api\/status"|https:\/\/[a-z.-]+(:6443)?")/, 'no other request');
      const text = pageText(html);
      for (const fact of FACTS[name]) assert.match(text, fact, `${name}: ${String(fact)}`);
      // Both widths at once: a picture takes Chromium a few seconds to start and shoot.
      await Promise.all(
        SIZES.map(async (size) => {
          const png = join(OUT, `${name}-${size.width}.png`);
          assert.ok(await screenshot(undefined, `${address}/`, png, size), `${png} was written`);
          const got = pngSize(await readFile(png));
          assert.is(got.width, size.width, `${png} is ${size.width} wide`);
          assert.is(got.height, size.height, `${png} is ${size.height} high`);
        }),
      );
    } finally {
      await app.close();
    }
  });
}

dashboard.run();
