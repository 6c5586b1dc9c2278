// The fake cluster's day-2 side, driven through the real command lines: machines with power
// (chassis directories switched by the ipmi-chassis and Redfish doubles), the node lifecycle
// and the API following it, oc adm cordon/uncordon/drain, oc delete node, the in-guest
// `shutdown` through oc debug, BMC soft-offs (real ipmi_sim and ipmitool; the Redfish double)
// with a stuck guest, a worker racked after install that joins once PXE-booted, the pointer
// ignition by oc extract, and kubelets whose certificates expired. Time runs scaled.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  addMachine,
  completeInstall,
  expireKubeletCerts,
  initCluster,
  machines,
  objects,
  setStuck,
  type FakeNode,
} from '../doubles/cluster/index.mjs';
import { chassisPowerOff, chassisPowered } from '../doubles/lib.mjs';
import { ipmiSimFiles } from '../helpers/ipmi-sim.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';
import { startRedfish } from '../helpers/bmcs.js';
import { doublesBin } from '../doubles/bundle.mjs';

const OC = join(doublesBin(), 'oc');
const CHASSIS = resolve('test/doubles/ipmi-chassis');
const STEER = resolve('test/doubles/cluster/steer.mjs');
const API = 'api.edge.example.com:6443';
const REFUSED = `The connection to the server ${API} was refused - did you specify the right host or port?\n`;
const BOOTSTRAPPER = 'system:serviceaccount:openshift-machine-config-operator:node-bootstrapper';
const NAMES: Array<[string, string, FakeNode['role']]> = [
  ['cp-0', '10.0.0.10', 'control-plane'],
  ['cp-1', '10.0.0.11', 'control-plane'],
  ['cp-2', '10.0.0.12', 'control-plane'],
  ['worker-0', '10.0.0.20', 'worker'],
  ['worker-1', '10.0.0.21', 'worker'],
];

type Obj = Record<string, any>;
interface Ctx {
  dir: string;
  doubles: string;
  install: string;
  kubeconfig: string;
  scale: number;
  children: ChildProcess[];
}
const test = suite<Ctx>('agent :: fake cluster on day 2 (power, nodes, BMCs)', {
  dir: '',
  doubles: '',
  install: '',
  kubeconfig: '',
  scale: 200,
  children: [],
});

test.before.each(async (c) => {
  c.dir = await makeTmpdir();
  c.doubles = join(c.dir, 'doubles');
  c.install = join(c.dir, 'install');
  c.kubeconfig = join(c.install, 'auth/kubeconfig');
  c.scale = 200;
  c.children = [];
  await mkdir(join(c.install, 'auth'), { recursive: true });
  await mkdir(c.doubles, { recursive: true });
  await writeFile(
    c.kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://${API}\n  name: edge\n`,
  );
});
test.after.each(async (c) => {
  for (const child of c.children) child.kill('SIGKILL');
  await removeTmpdir(c.dir);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const env = (c: Ctx) => ({
  FYR_DOUBLES_DIR: c.doubles,
  KUBECONFIG: c.kubeconfig,
  FYR_DOUBLE_TIME_SCALE: String(c.scale),
});
const oc = (c: Ctx, args: string[]) => execa(OC, args, { reject: false, env: env(c) });
const chassis = (c: Ctx, name: string) => join(c.dir, 'machines', name);
// ipmi_sim's own calls of its chassis_control program (lanserv/bmc_chassis.c).
const ipmiChassis = (c: Ctx, name: string, ...args: string[]) =>
  execa(CHASSIS, [chassis(c, name), ...args], { env: env(c) });
const events = async (dir: string) =>
  (await readFile(join(dir, 'events'), 'utf8').catch(() => '')).split('\n').filter(Boolean);

async function json(c: Ctx, args: string[]): Promise<Obj> {
  const r = await oc(c, [...args, '-o', 'json']);
  assert.is(r.exitCode, 0, `oc ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Obj;
}
const ready = (n: Obj): Obj | undefined => (n.status.conditions as Obj[]).find((x) => x.type === 'Ready');
const node = (c: Ctx, name: string) => json(c, ['get', 'node', name]);

async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(50);
  }
}

// The pending CSRs (one oc call): a kubelet's client CSR carries CN system:node:NAME in its
// PKCS#10 request, found in the DER without an openssl call per CSR.
interface Pending {
  name: string;
  username: string;
  signer: string;
  der: Buffer;
}
async function pending(c: Ctx): Promise<Pending[]> {
  return ((await json(c, ['get', 'csr'])).items as Obj[])
    .filter((x) => !x.status.conditions)
    .map((x) => ({
      name: x.metadata.name as string,
      username: x.spec.username as string,
      signer: x.spec.signerName as string,
      der: Buffer.from(
        Buffer.from(x.spec.request as string, 'base64')
          .toString()
          .replace(/-----[A-Z ]+-----|\s/g, ''),
        'base64',
      ),
    }));
}
const clientOf = (p: Pending[], name: string) =>
  p.find((x) => x.signer === 'kubernetes.io/kube-apiserver-client-kubelet' && x.der.includes(`system:node:${name}`));
async function approve(c: Ctx, names: string[]): Promise<void> {
  const r = await oc(c, ['adm', 'certificate', 'approve', ...names]);
  assert.is(r.exitCode, 0, r.stderr);
}

// A cluster whose machines have chassis (powered on), installed, every node Ready.
async function installed(c: Ctx): Promise<void> {
  const nodes = NAMES.map(([name, ip, role]) => ({ name, ip, role, chassis: chassis(c, name) }));
  for (const n of nodes) {
    await mkdir(n.chassis, { recursive: true });
    await writeFile(join(n.chassis, 'power'), '1\n');
    await writeFile(join(n.chassis, 'name'), `${n.name}\n`);
  }
  initCluster(c.doubles, {
    version: '4.18.9',
    nodes,
    etcdEndpoint: 'http://127.0.0.1:1',
    createdAt: '2025-05-01T10:00:00Z',
  });
  completeInstall(c.doubles);
  assert.ok(objects(c.doubles).nodes.every((n) => ready(n)?.status === 'True'));
}

// Approves the named node's client CSR (filed through the bootstrap credentials), then its
// serving CSR, as the agent's scoped approver would; returns when it is Ready.
async function joins(c: Ctx, name: string): Promise<void> {
  let client: Pending | undefined;
  await until(`${name} files a client CSR`, async () => {
    client = clientOf(await pending(c), name);
    return client !== undefined;
  });
  assert.is(client!.username, BOOTSTRAPPER, 'the client CSR comes through the bootstrap credentials');
  await approve(c, [client!.name]);
  let serving: Pending | undefined;
  await until(`${name} files a serving CSR`, async () => {
    serving = (await pending(c)).find((x) => x.username === `system:node:${name}`);
    return serving !== undefined;
  });
  assert.is.not(ready(await node(c, name))?.status, 'True', 'not Ready before its serving CSR is approved');
  await approve(c, [serving!.name]);
  await until(`${name} Ready`, async () => ready(await node(c, name))?.status === 'True');
}

test('power: an off machine goes NodeStatusUnknown after the grace period, boots back Ready; no control plane, no API', async (c) => {
  c.scale = 20; // grace 2 s, boot 1 s
  await installed(c);
  const w0 = chassis(c, 'worker-0');
  chassisPowerOff(w0);
  assert.is(ready(await node(c, 'worker-0'))?.status, 'True', 'still Ready within the grace period');
  await sleep(2100);
  let n = await node(c, 'worker-0');
  assert.equal(
    [ready(n)?.status, ready(n)?.reason, ready(n)?.message],
    ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
  );
  assert.equal(
    (n.spec.taints as Obj[]).filter((t) => t.key === 'node.kubernetes.io/unreachable').map((t) => t.effect),
    ['NoSchedule', 'NoExecute'],
  );
  await ipmiChassis(c, 'worker-0', 'set', 'power', '1');
  assert.equal(await events(w0), ['off', 'power boot=default']);
  assert.is(ready(await node(c, 'worker-0'))?.status, 'Unknown', 'still booting');
  await sleep(1100);
  n = await node(c, 'worker-0');
  assert.is(ready(n)?.status, 'True', 'booted with valid certificates: Ready again');
  assert.not.ok((n.spec.taints ?? []).some((t: Obj) => t.key === 'node.kubernetes.io/unreachable'));

  for (const cp of ['cp-0', 'cp-1', 'cp-2']) chassisPowerOff(chassis(c, cp));
  const down = await oc(c, ['get', 'nodes']);
  assert.equal([down.exitCode, down.stderr], [1, REFUSED.trimEnd()]);
  // The tick ran and was kept although the API was down.
  assert.ok(
    machines(c.doubles)
      .filter((m) => m.role === 'control-plane')
      .every((m) => !m.powered && m.lastOff),
  );
  await ipmiChassis(c, 'cp-1', 'set', 'power', '1');
  assert.is((await oc(c, ['get', 'nodes'])).exitCode, 1, 'down while cp-1 boots');
  await sleep(1100);
  const up = await oc(c, ['get', 'nodes', '--no-headers']);
  assert.is(up.exitCode, 0, up.stderr);
  assert.match(up.stdout, /^cp-1 +Ready /m);
  const m = machines(c.doubles).find((x) => x.name === 'cp-1')!;
  assert.equal([m.powered, m.booted, m.boots], [true, true, 1]);
});

test('oc adm cordon/uncordon/drain as kubectl prints them; oc delete node; a deleted node rejoins only after a boot', async (c) => {
  await installed(c);
  const out = async (args: string[]) => {
    const r = await oc(c, args);
    return [r.exitCode, r.stdout, r.stderr];
  };
  assert.equal(await out(['adm', 'cordon', 'worker-0']), [0, 'node/worker-0 cordoned', '']);
  assert.equal(await out(['adm', 'cordon', 'worker-0']), [0, 'node/worker-0 already cordoned', '']);
  let n = await node(c, 'worker-0');
  assert.is(n.spec.unschedulable, true);
  assert.equal(
    (n.spec.taints as Obj[]).filter((t) => t.key === 'node.kubernetes.io/unschedulable').map((t) => t.effect),
    ['NoSchedule'],
  );
  assert.match((await oc(c, ['get', 'node', 'worker-0'])).stdout, /worker-0 +Ready,SchedulingDisabled +worker/);
  assert.equal(
    await out([
      'adm',
      'drain',
      'worker-1',
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--force',
      '--timeout=15s',
      '--disable-eviction',
    ]),
    [0, 'node/worker-1 cordoned\nnode/worker-1 drained', ''],
  );
  assert.equal(await out(['adm', 'drain', 'nope', '--ignore-daemonsets']), [
    1,
    '',
    'Error from server (NotFound): nodes "nope" not found',
  ]);
  assert.equal(await out(['adm', 'cordon']), [
    1,
    '',
    "error: USAGE: cordon NODE [flags]\nSee 'oc adm cordon -h' for help and examples",
  ]);
  assert.equal(await out(['adm', 'uncordon', 'worker-0', 'worker-1']), [
    0,
    'node/worker-0 uncordoned\nnode/worker-1 uncordoned',
    '',
  ]);
  assert.equal(await out(['adm', 'uncordon', 'worker-0']), [0, 'node/worker-0 already uncordoned', '']);
  n = await node(c, 'worker-0');
  assert.is(n.spec.unschedulable, undefined);
  assert.not.ok((n.spec.taints ?? []).some((t: Obj) => t.key === 'node.kubernetes.io/unschedulable'));

  assert.equal(await out(['delete', 'node', 'worker-1']), [0, 'node "worker-1" deleted', '']);
  assert.equal(await out(['delete', 'node', 'worker-1']), [
    1,
    '',
    'Error from server (NotFound): nodes "worker-1" not found',
  ]);
  await sleep(300);
  assert.equal(await pending(c), [], 'no re-registration while it runs on');
  assert.is(((await json(c, ['get', 'nodes'])).items as Obj[]).length, 4);
  await ipmiChassis(c, 'worker-1', 'set', 'reset', '1');
  await joins(c, 'worker-1');
});

test('oc debug … shutdown: the systemd line, the machine off after the (scaled) delay; now, -c, a bad time, a stuck guest', async (c) => {
  await installed(c);
  const debug = (name: string, ...args: string[]) =>
    oc(c, ['debug', `node/${name}`, '--', 'chroot', '/host', 'shutdown', ...args]);
  const before = Date.now();
  const r = await debug('worker-1', '-h', '1');
  assert.is(r.exitCode, 0, r.stderr);
  const m =
    /^Shutdown scheduled for (Sun|Mon|Tue|Wed|Thu|Fri|Sat) (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC, use 'shutdown -c' to cancel\.$/.exec(
      r.stdout,
    );
  assert.ok(m, r.stdout);
  const at = Date.parse(`${m![2]!.replace(' ', 'T')}Z`);
  assert.ok(at >= Math.floor(before / 1000) * 1000 + 59_000 && at <= Date.now() + 60_000, 'one minute from now');
  assert.match(r.stderr, /^Starting pod\/worker-1-debug-[a-z0-9]{5} \.\.\./);
  assert.ok(chassisPowered(chassis(c, 'worker-1')), 'not before its time');
  await until('worker-1 off', () => !chassisPowered(chassis(c, 'worker-1')), 3000);
  // The power file is written just before the event (lib.mjs chassisPowerOff): wait for both.
  await until('its event', async () => (await events(chassis(c, 'worker-1'))).length > 0, 3000);
  assert.equal(await events(chassis(c, 'worker-1')), ['off shutdown']);

  const now = await debug('cp-2', '-h', 'now');
  assert.equal([now.exitCode, now.stdout], [0, '']);
  await until('cp-2 off', () => !chassisPowered(chassis(c, 'cp-2')), 3000);

  assert.is((await debug('cp-1', '-h', '+1')).exitCode, 0);
  assert.equal((await debug('cp-1', '-c')).stdout, '');
  await sleep(600);
  assert.ok(chassisPowered(chassis(c, 'cp-1')), 'cancelled');

  const bad = await debug('cp-1', '-h', 'soon');
  assert.equal([bad.exitCode, bad.stdout], [1, 'Failed to parse time specification: soon']);
  assert.match(bad.stderr, /error: non-zero exit code from debug container$/);

  setStuck(c.doubles, 'worker-0');
  assert.is((await debug('worker-0', '-h', 'now')).exitCode, 0);
  await sleep(600);
  assert.ok(chassisPowered(chassis(c, 'worker-0')), 'a stuck guest ignores its shutdown');
  assert.equal(await events(chassis(c, 'worker-0')), []);
  const w0 = machines(c.doubles).find((x) => x.name === 'worker-0')!;
  assert.equal([w0.stuck, w0.powered], [true, true]);
  const steer = await execa('node', [STEER, c.doubles, 'stuck', 'worker-0', 'off']);
  assert.is(steer.exitCode, 0);
  assert.is(machines(c.doubles).find((x) => x.name === 'worker-0')!.stuck, false);
});

// -C 3: ipmi_sim does not answer Get Channel Cipher Suites, which costs ipmitool ~10 s a call.
async function ipmitool(port: number, ...args: string[]) {
  return execa(
    'ipmitool',
    ['-I', 'lanplus', '-H', '127.0.0.1', '-p', String(port), '-U', 'admin', '-P', 'pw', '-C', '3', ...args],
    {
      reject: false,
    },
  );
}

test('BMC offs: ipmi_sim soft and off, Redfish GracefulShutdown (PoweringOff) and ForceOff; a stuck guest needs the hard off', async (c) => {
  const dir = join(c.dir, 'ipmi');
  await mkdir(dir);
  await writeFile(join(dir, 'power'), '1\n');
  const port = 9000 + (process.pid % 300);
  const sim = ipmiSimFiles({
    name: 'fyrday2',
    address: '127.0.0.1',
    port,
    username: 'admin',
    password: 'pw',
    machine: dir,
  });
  await writeFile(join(dir, 'lan.conf'), sim.lanConf);
  await writeFile(join(dir, 'sim.emu'), sim.emu);
  c.children.push(
    spawn('ipmi_sim', ['-c', join(dir, 'lan.conf'), '-f', join(dir, 'sim.emu'), '-s', join(dir, 'state'), '-n'], {
      stdio: 'ignore',
      env: { ...process.env, FYR_DOUBLE_TIME_SCALE: '10' }, // the ACPI power-down: 0.5 s
    }),
  );
  await until('ipmi_sim answers', async () => (await ipmitool(port, 'chassis', 'power', 'status')).exitCode === 0);
  const soft = await ipmitool(port, 'chassis', 'power', 'soft');
  assert.equal([soft.exitCode, soft.stdout], [0, 'Chassis Power Control: Soft']);
  assert.equal(await events(dir), ['soft']);
  await until(
    'ACPI off',
    async () => (await ipmitool(port, 'chassis', 'power', 'status')).stdout === 'Chassis Power is off',
  );
  assert.equal(await events(dir), ['soft', 'off acpi']);
  assert.is((await ipmitool(port, 'chassis', 'power', 'on')).exitCode, 0);
  await writeFile(join(dir, 'stuck'), '1\n'); // what setStuck writes into a chassis
  assert.is((await ipmitool(port, 'chassis', 'power', 'soft')).exitCode, 0);
  await sleep(800);
  assert.is((await ipmitool(port, 'chassis', 'power', 'status')).stdout, 'Chassis Power is on', 'stuck: ACPI ignored');
  assert.is((await ipmitool(port, 'chassis', 'power', 'off')).exitCode, 0);
  assert.is((await ipmitool(port, 'chassis', 'power', 'status')).stdout, 'Chassis Power is off');
  assert.equal(await events(dir), ['soft', 'off acpi', 'power boot=default', 'soft', 'off']);

  // Redfish: the same chassis semantics over DMTF ComputerSystem.Reset.
  const rf = join(c.dir, 'redfish');
  await mkdir(rf);
  await writeFile(join(rf, 'power'), '1\n');
  const bmc = await startRedfish({ machine: rf, name: 'w', password: 'pw', env: { FYR_DOUBLE_TIME_SCALE: '10' } });
  c.children.push(bmc.child);
  const rfPort = bmc.port;
  const call = (method: string, path: string, body?: unknown) =>
    new Promise<{ status: number; json?: Obj }>((ok, fail) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: rfPort,
          method,
          path,
          rejectUnauthorized: false,
          auth: 'admin:pw',
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            ok({ status: res.statusCode!, ...(text ? { json: JSON.parse(text) as Obj } : {}) });
          });
        },
      );
      req.on('error', fail);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  const state = async () => (await call('GET', '/redfish/v1/Systems/1')).json!.PowerState as string;
  const reset = (t: string) => call('POST', '/redfish/v1/Systems/1/Actions/ComputerSystem.Reset', { ResetType: t });
  assert.is((await reset('GracefulShutdown')).status, 204);
  assert.is(await state(), 'PoweringOff');
  await until('Redfish Off', async () => (await state()) === 'Off');
  assert.is((await reset('On')).status, 204);
  await writeFile(join(rf, 'stuck'), '1\n');
  assert.is((await reset('GracefulShutdown')).status, 204);
  await sleep(800);
  assert.is(await state(), 'On', 'stuck: GracefulShutdown ignored');
  assert.is((await reset('ForceOff')).status, 204);
  assert.is(await state(), 'Off');
  assert.equal(await events(rf), ['soft', 'off acpi', 'power boot=default', 'soft', 'off']);
  assert.is((await readFile(join(rf, 'power'), 'utf8')).trim(), '0', 'the power file says 1/0 as the IPMI one');
});

test('a worker racked after install joins only once PXE-booted; oc extract prints its pointer ignition; expired kubelet certificates', async (c) => {
  await installed(c);
  const ex = await oc(c, [
    'extract',
    '-n',
    'openshift-machine-api',
    'secret/worker-user-data-managed',
    '--keys=userData',
    '--to=-',
  ]);
  assert.is(ex.exitCode, 0, ex.stderr);
  assert.is(ex.stderr, '# userData');
  const ca = await readFile(join(c.doubles, 'cluster/pki/root-ca.crt'));
  assert.is(
    ex.stdout,
    `{"ignition":{"config":{"merge":[{"source":"https://api-int.edge.example.com:22623/config/worker"}]},"security":{"tls":{"certificateAuthorities":[{"source":"data:text/plain;charset=utf-8;base64,${ca.toString('base64')}"}]}},"version":"3.2.0"}}`,
  );
  const master = await oc(c, [
    'extract',
    '-n',
    'openshift-machine-api',
    'secret/master-user-data-managed',
    '--keys=userData',
    '--to=-',
  ]);
  assert.match(master.stdout, 'https://api-int.edge.example.com:22623/config/master');
  const missing = await oc(c, ['extract', '-n', 'openshift-machine-api', 'secret/nope', '--to=-']);
  assert.equal([missing.exitCode, missing.stderr], [1, 'Error from server (NotFound): secrets "nope" not found']);

  const w2 = chassis(c, 'worker-2');
  await mkdir(w2, { recursive: true });
  await ipmiChassis(c, 'worker-2', 'set', 'power', '1'); // racked and powered before it is added
  addMachine(c.doubles, { name: 'worker-2', ip: '10.0.0.22', role: 'worker', chassis: w2 });
  await ipmiChassis(c, 'worker-2', 'set', 'reset', '1'); // a reset from disk: nothing to boot
  await sleep(400);
  assert.equal(await pending(c), [], 'not PXE-booted since it was added');
  assert.equal(machines(c.doubles).find((x) => x.name === 'worker-2')!.pending, true);
  await ipmiChassis(c, 'worker-2', 'set', 'boot', 'pxe', 'reset', '1');
  await joins(c, 'worker-2');
  const labels = (await node(c, 'worker-2')).metadata.labels as Obj;
  assert.is(labels['node-role.kubernetes.io/worker'], '');

  expireKubeletCerts(c.doubles, ['worker-0']);
  await sleep(300);
  assert.equal(await pending(c), [], 'only at its next boot');
  await ipmiChassis(c, 'worker-0', 'set', 'power', '0');
  await ipmiChassis(c, 'worker-0', 'set', 'power', '1');
  await joins(c, 'worker-0');
  assert.equal(
    machines(c.doubles).map((x) => [x.name, x.node]),
    [...NAMES.map(([n]) => [n, true]), ['worker-2', true]],
  );
});

test.run();
