// The nodes' part of fyr-agent apply against the fake cluster behind real BMC protocols: a worker
// added from an edited site (the cluster's pointer ignition and the Tang MachineConfig published,
// PXE on for its MAC only, one-time PXE boot and power-on, its ignition fetch seen in the access
// log, its own CSRs approved until Ready, PXE off again), a worker removed (cordon, drain, delete,
// powered off through its BMC), a control-plane replacement refused, and a kill mid-way resumed.
import { createServer, type Server } from 'node:http';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plan } from '../../../src/agent/apply/plan.js';
import type { BmcDriver } from '../../../src/agent/bmc/index.js';
import type { AgentContext } from '../../../src/agent/context.js';
import { runOperation, type Operation } from '../../../src/agent/keeper/operations.js';
import { applyNodes, WORKER_TANG_MANIFEST } from '../../../src/agent/operations/apply-nodes.js';
import type { AgentNode } from '../../../src/agent/site.js';
import { loadState, StateStore } from '../../../src/agent/state.js';
import { addMachine, approvals, machines, objects } from '../../doubles/cluster/index.mjs';
import { bmcSite, isReady, type BmcSite } from '../../helpers/bmc-site.js';

interface Ctx {
  site: BmcSite;
  tang?: Server;
  w1: AgentNode;
}
const test = suite<Ctx>('agent :: operations :: apply nodes', {} as Ctx);

const W1 = { name: 'w-1', role: 'worker', ip: '192.168.8.21' } as const;
const dashed = (mac: string) => mac.replace(/:/g, '-');

// A real tangd advertisement, served where the agent asks for it (the bastion's LAN address:7500).
async function tangServer(dir: string): Promise<Server> {
  const db = join(dir, 'tang');
  await mkdir(db);
  await execa('/usr/libexec/tangd-keygen', [db]);
  const reply = await execa('/usr/libexec/tangd', [db], { input: 'GET /adv HTTP/1.1\r\nHost: bastion\r\n\r\n' });
  const adv = String(reply.stdout).split('\r\n\r\n').slice(1).join('\r\n\r\n');
  const server = createServer((_req, res) => res.end(adv));
  await new Promise<void>((ok) => server.listen(7500, '127.0.0.1', ok));
  return server;
}

test.before.each(async (c) => {
  c.site = await bmcSite();
  const { ctx } = c.site;
  c.tang = await tangServer(c.site.dir);
  // The new machine is racked: its BMC answers, it is off, and its PXE boot (the chassis'
  // on-boot program) fetches the worker ignition from the bastion, as the access log records it.
  c.w1 = await c.site.rack(W1, 4, false);
  await writeFile(
    join(c.site.machineDir('w-1'), 'on-boot'),
    `#!/bin/sh\n[ "$1" = pxe ] || exit 0\nls '${ctx.paths.tftpRoot}/pxelinux.cfg' '${ctx.paths.tftpRoot}/uefi' > '${c.site.machineDir('w-1')}/menus-at-boot'\nmkdir -p "$(dirname '${ctx.paths.httpLog}')"\necho '${W1.ip} - - [06/Dec/2026:19:00:00 +0000] "GET /ignition/worker.ign HTTP/1.1" 200 1741 "-" "Ignition/2.19"' >> '${ctx.paths.httpLog}'\n`,
    { mode: 0o755 },
  );
  addMachine(c.site.doubles, { name: 'w-1', ip: W1.ip, role: 'worker', chassis: c.site.machineDir('w-1') });
  // Every node's PXE menus, as the bundle lays them out; the worker Tang MachineConfig.
  for (const n of [...ctx.site.nodes, c.w1]) {
    await mkdir(join(ctx.paths.tftpRoot, 'pxelinux.cfg'), { recursive: true });
    await mkdir(join(ctx.paths.tftpRoot, 'uefi'), { recursive: true });
    await writeFile(join(ctx.paths.tftpRoot, 'pxelinux.cfg', `01-${dashed(n.mac)}`), `# ${n.name}\n`);
    await writeFile(join(ctx.paths.tftpRoot, 'uefi', `grub.cfg-01-${dashed(n.mac)}`), `# ${n.name}\n`);
  }
  await mkdir(ctx.paths.manifestsDir, { recursive: true });
  await writeFile(
    join(ctx.paths.manifestsDir, WORKER_TANG_MANIFEST),
    'apiVersion: machineconfiguration.openshift.io/v1\nkind: MachineConfig\nmetadata:\n  name: 99-worker-tang-disk-encryption\n  labels:\n    machineconfiguration.openshift.io/role: worker\nspec:\n  config:\n    ignition:\n      version: 3.2.0\n    storage:\n      luks:\n      - name: root\n        device: /dev/disk/by-partlabel/root\n        clevis:\n          tang:\n          - url: http://127.0.0.1:7500\n            thumbprint: "@@FYR:tang-thumbprint@@"\n        wipeVolume: true\n',
  );
  (ctx.site as { diskEncryption: { tang: boolean } }).diskEncryption.tang = true;
});

test.after.each(async (c) => {
  await new Promise((ok) => c.tang?.close(ok));
  await c.site?.close();
});

const plan = (nodes: Plan['nodes']): Plan => ({
  format: 'fyr-apply-plan/1',
  cluster: 'edge.example.com',
  from: 'a',
  to: 'b',
  nodes,
  settings: [],
  refusals: [],
  counts: { add: 0, remove: 0, change: 0 },
});

// applyNodes as the apply operation runs it: journalled, under the new site.
function asOperation(p: Plan): Operation {
  return { kind: 'apply', title: 'nodes', run: async (ctx, _op, steps) => (await applyNodes(ctx, p, steps), 'ok') };
}

const withSite = (c: Ctx, nodes: AgentNode[]) =>
  ({ ...c.site.ctx, site: { ...c.site.ctx.site, nodes } }) as AgentContext;

async function menus(c: Ctx): Promise<string[]> {
  const root = c.site.ctx.paths.tftpRoot;
  return [
    ...(await readdir(join(root, 'pxelinux.cfg'))).map((f) => `pxelinux.cfg/${f}`),
    ...(await readdir(join(root, 'uefi'))).map((f) => `uefi/${f}`),
  ].sort();
}

test('an added worker: ignition and Tang published, PXE for its MAC only, powered on, its own CSRs approved until Ready, PXE off', async (c) => {
  const ctx = withSite(c, [...c.site.ctx.site.nodes, c.w1]);
  const before = await menus(c);
  const out = await runOperation(
    ctx,
    asOperation(plan([{ action: 'add', name: 'w-1', role: 'worker', new: c.w1, changes: [], steps: [] }])),
    'command',
  );
  assert.is(out.record.status, 'done', out.record.error);
  const calls = await c.site.ocCalls();
  assert.ok(
    calls.includes('--namespace openshift-machine-api extract secret/worker-user-data-managed --keys=userData --to=-'),
  );
  const applied = calls.find((a) => a.startsWith('apply --filename '))!;
  assert.ok(applied, calls.join('\n'));
  const mc = await readFile(applied.slice('apply --filename '.length), 'utf8');
  assert.match(mc, /thumbprint: "[A-Za-z0-9_-]{43}"/, 'the Tang thumbprint filled in');
  // When it PXE-booted, only its own menus were there (the others set aside); after, every
  // menu is back as it was.
  const atBoot = (await readFile(join(c.site.machineDir('w-1'), 'menus-at-boot'), 'utf8'))
    .split('\n')
    .filter((l) => /^(01-|grub\.cfg-01-)[0-9a-f-]+$/.test(l));
  assert.equal(atBoot, [`01-${dashed(c.w1.mac)}`, `grub.cfg-01-${dashed(c.w1.mac)}`]);
  assert.equal(await menus(c), before);
  assert.equal(c.site.units, ['start tftp.socket', 'stop tftp.socket']);
  assert.equal(await readdir(join(ctx.paths.contentRoot, 'ignition')).catch(() => []), [], 'no ignition left served');
  assert.equal(await c.site.events('w-1'), ['power boot=pxe']);
  const w1 = objects(c.site.doubles).nodes.find((n) => n.metadata.name === 'w-1');
  assert.ok(w1 && isReady(w1), 'w-1 joined Ready');
  const approved = c.site.ctx.store.state.keeper!.csrApproved.filter((a) => a.node === 'w-1').map((a) => a.kind);
  assert.equal(approved.sort(), ['client', 'serving']);
  assert.is(Object.values(approvals(c.site.doubles)).filter((n) => n !== 1).length, 0, 'each CSR approved once');
});

test('a removed worker: cordoned, drained, deleted, powered off through its BMC', async (c) => {
  const w0 = c.site.ctx.site.nodes.find((n) => n.name === 'w-0')!;
  const ctx = withSite(
    c,
    c.site.ctx.site.nodes.filter((n) => n.name !== 'w-0'),
  );
  const out = await runOperation(
    ctx,
    asOperation(plan([{ action: 'remove', name: 'w-0', role: 'worker', old: w0, changes: [], steps: [] }])),
    'command',
  );
  assert.is(out.record.status, 'done', out.record.error);
  const calls = (await c.site.ocCalls()).filter((a) => /^(adm|delete)/.test(a));
  assert.equal(calls, [
    'adm cordon w-0',
    'adm drain w-0 --ignore-daemonsets --delete-emptydir-data --force --timeout=5s',
    'delete node w-0',
  ]);
  assert.not.ok(objects(c.site.doubles).nodes.some((n) => n.metadata.name === 'w-0'));
  assert.is(machines(c.site.doubles).find((m: { name: string }) => m.name === 'w-0')?.powered, false);
  assert.ok((await c.site.events('w-0')).includes('soft'), 'the ACPI power button through ipmi_sim');
});

test('a control-plane replacement is refused with the documented procedure; nothing is touched', async (c) => {
  const cp2 = c.site.ctx.site.nodes.find((n) => n.name === 'cp-2')!;
  const out = await runOperation(
    c.site.ctx,
    asOperation(
      plan([
        {
          action: 'replace',
          name: 'cp-2',
          role: 'control-plane',
          old: cp2,
          new: { ...cp2, mac: '52:54:00:00:00:99' },
          changes: [],
          steps: [],
        },
      ]),
    ),
    'command',
  );
  assert.is(out.record.status, 'failed');
  assert.match(
    String(out.record.error),
    /^cp-2: replacing a control-plane machine is not automated yet; follow "Replacing a control-plane node" in docs\/day2\.md/,
  );
  assert.equal(
    (await c.site.ocCalls()).filter((a) => !a.startsWith('get ')),
    [],
  );
});

test('killed right after the new worker was powered on, the resumed apply does not power it on again', async (c) => {
  const ctx = withSite(c, [...c.site.ctx.site.nodes, c.w1]);
  const abort = new AbortController();
  const dying = {
    ...ctx,
    signal: abort.signal,
    bmc: (n: AgentNode): BmcDriver | undefined => {
      const d = ctx.bmc(n)!;
      if (n.name !== 'w-1') return d;
      return {
        ...d,
        powerOn: async () => {
          await d.powerOn();
          abort.abort();
          throw new Error('killed');
        },
      };
    },
  } as AgentContext;
  const p = plan([{ action: 'add', name: 'w-1', role: 'worker', new: c.w1, changes: [], steps: [] }]);
  await runOperation(dying, asOperation(p), 'command').then(
    () => assert.unreachable('not killed'),
    () => undefined,
  );
  const saved = (await loadState(ctx.paths.stateFile))!;
  const store = new StateStore(ctx.paths.stateFile, saved, ctx.now);
  const out = await runOperation({ ...ctx, store } as AgentContext, asOperation(p), 'command', () => undefined, {
    resume: saved.keeper!.operation!,
  });
  assert.is(out.record.status, 'done', out.record.error);
  assert.equal(await c.site.events('w-1'), ['power boot=pxe'], 'one power-on');
  assert.ok(objects(c.site.doubles).nodes.some((n) => n.metadata.name === 'w-1' && isReady(n)));
});

test.run();
