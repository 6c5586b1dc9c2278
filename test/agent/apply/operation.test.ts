// The keeper's apply operation on a bastion root in a temporary directory: the staged site read
// back and checked, the files written and checked by the real programs, the daemons reloaded
// (a fake service manager), the agent's own files last; a daemon that does not come back rolls
// the files back; failed node steps leave the site unrecorded; a kill after the files resumes.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { siteFromFiles, type NewSite } from '../../../src/agent/apply/source.js';
import { stagedDir, stageSite } from '../../../src/agent/apply/stage.js';
import { DEFAULT_OPTIONS, type AgentContext } from '../../../src/agent/context.js';
import { exec, type Exec } from '../../../src/agent/exec.js';
import { exists } from '../../../src/agent/files.js';
import { runOperation } from '../../../src/agent/keeper/operations.js';
import { apply } from '../../../src/agent/operations/apply.js';
import { bastionPaths } from '../../../src/agent/paths.js';
import { freshState, StateStore } from '../../../src/agent/state.js';
import { makeTmpdir, removeTmpdir } from '../../helpers/tmpdir.js';
import { layBastion, release, siteArea } from './fixture.js';

interface Ctx {
  dir: string;
  ctx: AgentContext;
  old: NewSite;
  reloads: string[];
  commands: string[];
  down: Set<string>;
}
const test = suite<Ctx>('apply :: operation', {} as Ctx);

const PRINTER = (t: string) =>
  t.replace(
    '    - { name: tor-switch, mac: "00:1b:21:3a:4f:01", ip: 172.20.0.2 }\n',
    '    - { name: tor-switch, mac: "00:1b:21:3a:4f:01", ip: 172.20.0.2 }\n    - { name: printer, mac: "00:1b:21:3a:4f:02", ip: 172.20.0.3 }\n',
  );

test.before.each(async (c) => {
  c.dir = await makeTmpdir();
  c.reloads = [];
  c.commands = [];
  c.down = new Set();
  const paths = bastionPaths(join(c.dir, 'root'));
  c.old = siteFromFiles(await siteArea(c.dir, 'ipmi-nat'), 'old');
  await layBastion(paths.root, c.old);
  await mkdir(paths.stateDir, { recursive: true });
  const state = freshState(c.old.site.cluster.fqdn, [], new Date());
  state.finishedAt = new Date(Date.now() - 3600_000).toISOString();
  // The checks are the real programs; systemctl and firewall-cmd are recorded.
  const run: Exec = async (file, args, options) => {
    if (file === 'systemctl' || file === 'firewall-cmd') {
      c.commands.push([file, ...args].join(' '));
      return { stdout: '', stderr: '', exitCode: 0 } as Awaited<ReturnType<Exec>>;
    }
    return exec(file, args, options);
  };
  c.ctx = {
    paths,
    os: 'rhel9',
    site: c.old.site,
    secrets: JSON.parse(c.old.files.find((f) => f.path === 'bundle/etc/fyr/bmc-secrets.json')!.content.toString()),
    sealed: false,
    release: release(),
    services: {
      kind: 'fake',
      reload: async (unit: string) => void c.reloads.push(unit),
      isActive: async (unit: string) => !c.down.has(unit),
      skipped: () => undefined,
    },
    exec: run,
    store: new StateStore(paths.stateFile, state, () => new Date()),
    options: DEFAULT_OPTIONS,
    now: () => new Date(),
    log: () => undefined,
    signal: new AbortController().signal,
  } as unknown as AgentContext;
});
test.after.each(async (c) => removeTmpdir(c.dir));

async function staged(c: Ctx, edit: (t: string) => string): Promise<{ next: NewSite; asked: Record<string, string> }> {
  const next = siteFromFiles(await siteArea(join(c.dir, 'next'), 'ipmi-nat', { edit }), 'new', release());
  const dir = stagedDir(c.ctx.paths.stateDir, next.renderHash);
  await stageSite(c.ctx.exec, dir, next, { bmc: {} });
  return { next, asked: { staged: dir, renderHash: next.renderHash } };
}

const bytes = (n: NewSite, p: string) => n.files.find((f) => f.path === `bundle${p}`)!.content;

test('settings only: files written and checked, dhcpd and named reloaded, the site recorded last', async (c) => {
  const { next, asked } = await staged(c, (t) => `${PRINTER(t)}keeper:\n  healthEvery: 10m\n`);
  const heard: string[] = [];
  const out = await runOperation(c.ctx, apply, 'command', (l) => heard.push(l), { asked });
  assert.is(out.record.status, 'done', out.record.error);
  assert.is(
    out.summary,
    `applied site ${next.renderHash.slice(0, 12)}: 0 added, 0 removed, 2 changed; 4 file(s) written, 0 removed; dhcpd, named reloaded`,
  );
  assert.equal(c.reloads, ['dhcpd', 'named']);
  const root = c.ctx.paths.root;
  assert.equal(await readFile(join(root, 'etc/dhcp/dhcpd.conf')), bytes(next, '/etc/dhcp/dhcpd.conf'));
  assert.equal(await readFile(join(root, 'etc/fyr/site.json')), bytes(next, '/etc/fyr/site.json'));
  assert.equal(await readFile(c.ctx.paths.manifestJson), next.files.find((f) => f.path === 'manifest.json')!.content);
  assert.is(c.ctx.site.keeper.healthEverySeconds, 600);
  assert.not.ok(await exists(asked.staged!), 'the staged site is removed at the end');
  assert.ok(
    heard.some((l) => l === 'checking with dhcpd'),
    heard.join('\n'),
  );
});

test('a daemon that does not come back: the old files back, reloaded again, and said so', async (c) => {
  const before = await readFile(join(c.ctx.paths.root, 'etc/dhcp/dhcpd.conf'));
  c.down.add('dhcpd');
  const { asked } = await staged(c, PRINTER);
  const out = await runOperation(c.ctx, apply, 'command', () => undefined, { asked });
  assert.is(out.record.status, 'failed');
  assert.is(
    out.record.error,
    'reloading: dhcpd is not running after its reload; the old files are back and their daemons reloaded',
  );
  assert.equal(await readFile(join(c.ctx.paths.root, 'etc/dhcp/dhcpd.conf')), before);
  // dhcpd refused; then every daemon the change touched, on the old files.
  assert.equal(c.reloads, ['dhcpd', 'dhcpd', 'named']);
  assert.equal(
    await readFile(c.ctx.paths.siteJson),
    c.old.files.find((f) => f.path === 'bundle/etc/fyr/site.json')!.content,
  );
});

test('node changes: the files are written, the site is not recorded until the nodes are done', async (c) => {
  const { next, asked } = await staged(c, (t) => t.replace('mac: b8ca3a6e1004', 'mac: b8ca3a6e1014'));
  const out = await runOperation(c.ctx, apply, 'command', () => undefined, { asked });
  assert.is(out.record.status, 'failed');
  // The node steps need the cluster (no oc here): they fail, and nothing says the site is applied.
  assert.match(`${out.record.error} ${out.record.command}`, /\boc\b/);
  const root = c.ctx.paths.root;
  assert.equal(await readFile(join(root, 'etc/dhcp/dhcpd.conf')), bytes(next, '/etc/dhcp/dhcpd.conf'));
  assert.ok(await exists(join(root, 'var/lib/tftpboot/pxelinux.cfg/01-b8-ca-3a-6e-10-14')));
  assert.equal(
    await readFile(c.ctx.paths.siteJson),
    c.old.files.find((f) => f.path === 'bundle/etc/fyr/site.json')!.content,
  );
  assert.is(c.ctx.site, c.old.site);
});

test('refused in the keeper too: a site for another cluster staged behind its back', async (c) => {
  const { asked } = await staged(c, (t) => t.replace('name: plant', 'name: mill'));
  const out = await runOperation(c.ctx, apply, 'command', () => undefined, { asked });
  assert.is(out.record.status, 'failed');
  assert.match(out.record.error ?? '', /^refused:\n {2}the new site is for cluster mill\.corp\.example\.net/);
  assert.equal(c.reloads, []);
});

test('killed while reloading: resumed as it was asked, without writing the files again', async (c) => {
  const { next, asked } = await staged(c, PRINTER);
  const killed = new AbortController();
  (c.ctx as { signal: AbortSignal }).signal = killed.signal;
  const services = c.ctx.services as { reload: (u: string) => Promise<void> };
  const reload = services.reload;
  services.reload = async () => {
    killed.abort();
    throw new Error('killed');
  };
  await runOperation(c.ctx, apply, 'command', () => undefined, { asked }).then(
    () => assert.unreachable('a stopped operation stays running'),
    () => undefined,
  );
  const interrupted = c.ctx.store.state.keeper!.operation!;
  assert.is(interrupted.status, 'running');
  assert.equal(interrupted.options, asked);
  // The files step is journalled: a file changed meanwhile is not written over again.
  const dhcpd = join(c.ctx.paths.root, 'etc/dhcp/dhcpd.conf');
  await writeFile(dhcpd, `${await readFile(dhcpd, 'utf8')}# seen\n`);
  (c.ctx as { signal: AbortSignal }).signal = new AbortController().signal;
  services.reload = reload;
  const out = await runOperation(c.ctx, apply, 'command', () => undefined, { resume: interrupted });
  assert.is(out.record.status, 'done', out.record.error);
  assert.match(await readFile(dhcpd, 'utf8'), /# seen\n$/);
  assert.equal(c.reloads, ['dhcpd', 'named']);
  assert.equal(await readFile(c.ctx.paths.manifestJson), next.files.find((f) => f.path === 'manifest.json')!.content);
});

test('not asked by a command, or nothing staged: skipped with the reason', async (c) => {
  const scheduled = await runOperation(c.ctx, apply, 'schedule', () => undefined, {});
  assert.is(scheduled.record.error, 'apply runs only when fyr-agent apply --yes asks for it');
  const bare = await runOperation(c.ctx, apply, 'command', () => undefined, {});
  assert.is(bare.record.error, 'no staged site: run fyr-agent apply --yes');
});

test.run();
