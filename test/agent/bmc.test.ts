// Both BMC drivers against BMCs on loopback: IPMI through the real ipmitool to OpenIPMI's real
// ipmi_sim (its chassis is the ipmi-chassis double), Redfish against the DMTF-shaped double.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BmcError } from '../../src/agent/bmc/index.js';
import { ipmiDriver } from '../../src/agent/bmc/ipmi.js';
import { redfishDriver } from '../../src/agent/bmc/redfish.js';
import { exec, type Exec } from '../../src/agent/exec.js';
import { startRedfish } from '../helpers/bmcs.js';
import { ipmiSimFiles } from '../helpers/ipmi-sim.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function errorOf(p: Promise<unknown>): Promise<BmcError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(err, BmcError);
  return err as BmcError;
}

interface Ctx {
  dir: string;
  children: ChildProcess[];
}
const bmc = suite<Ctx>('agent :: bmc drivers', { dir: '', children: [] });
bmc.before.each(async (c) => {
  c.dir = await makeTmpdir();
  c.children = [];
});
bmc.after.each(async (c) => {
  for (const child of c.children) child.kill('SIGKILL');
  await removeTmpdir(c.dir);
});

const events = async (dir: string) =>
  (await readFile(join(dir, 'events'), 'utf8').catch(() => '')).split('\n').filter(Boolean);

async function ipmiSim(c: Ctx, port: number, password: string): Promise<void> {
  const sim = ipmiSimFiles({
    name: 'fyrbmctest',
    address: '127.0.0.1',
    port,
    username: 'admin',
    password,
    machine: c.dir,
  });
  await writeFile(join(c.dir, 'lan.conf'), sim.lanConf);
  await writeFile(join(c.dir, 'sim.emu'), sim.emu);
  c.children.push(
    spawn('ipmi_sim', ['-c', join(c.dir, 'lan.conf'), '-f', join(c.dir, 'sim.emu'), '-s', join(c.dir, 'state'), '-n'], {
      stdio: 'ignore',
    }),
  );
  await sleep(500);
}

bmc(
  'ipmi: power state, one-time PXE boot and power on through ipmitool; the password only in the environment',
  async (c) => {
    const port = 9600 + (process.pid % 300);
    await ipmiSim(c, port, 'ipmi-pass-1');
    const seen: Array<{ args: readonly string[]; env?: Record<string, string> }> = [];
    const spy: Exec = (file, args, options) => {
      seen.push({ args, ...(options?.env ? { env: options.env } : {}) });
      return exec(file, args, options);
    };
    const driver = ipmiDriver({ address: '127.0.0.1', port, username: 'admin' }, 'ipmi-pass-1', spy);
    assert.is(await driver.powerState(), 'Off');
    await driver.pxeOnce();
    await driver.powerOn();
    assert.is(await driver.powerState(), 'On');
    assert.equal(await events(c.dir), ['power boot=pxe']);
    await driver.restart();
    assert.equal(await events(c.dir), ['power boot=pxe', 'reset boot=default'], 'the PXE boot was one time only');
    for (const call of seen) {
      assert.not.ok(
        call.args.some((a) => a.includes('ipmi-pass-1')),
        'password on the command line',
      );
      assert.is(call.env?.IPMI_PASSWORD, 'ipmi-pass-1');
    }
  },
);

bmc('ipmi: a wrong password is a clear, non-retryable error that does not show the password', async (c) => {
  const port = 9300 + (process.pid % 300);
  await ipmiSim(c, port, 'ipmi-pass-1');
  const err = await errorOf(
    ipmiDriver({ address: '127.0.0.1', port, username: 'admin' }, 'wrong-pass', exec).powerState(),
  );
  assert.match(err.message, `ipmi 127.0.0.1:${port}:`);
  assert.match(err.message, /refused the user name or password|does not answer/);
  assert.not.match(err.message, 'wrong-pass');
});

async function redfish(c: Ctx, password: string): Promise<{ port: number; ca: string }> {
  const bmc = await startRedfish({ machine: c.dir, name: 'cp-0', password });
  c.children.push(bmc.child);
  return { port: bmc.port, ca: await readFile(join(c.dir, '127.0.0.1.crt'), 'utf8') };
}

bmc('redfish: discovers the system, sets Pxe once, powers on; a node already on is restarted', async (c) => {
  const { port } = await redfish(c, 'bmc-secret');
  const driver = redfishDriver({ address: '127.0.0.1', port, username: 'admin', verifyTls: false }, 'bmc-secret');
  assert.is(await driver.powerState(), 'Off');
  await driver.pxeOnce();
  await driver.powerOn();
  assert.is(await driver.powerState(), 'On');
  await driver.pxeOnce();
  await driver.restart();
  assert.equal(await events(c.dir), ['power boot=pxe', 'reset boot=pxe']);
  const requests = (await readFile(join(c.dir, 'requests'), 'utf8')).split('\n');
  assert.ok(requests.includes('GET /redfish/v1/Systems'), 'the system was discovered');
  assert.ok(requests.includes('PATCH /redfish/v1/Systems/1'));
  assert.ok(requests.includes('POST /redfish/v1/Systems/1/Actions/ComputerSystem.Reset'));
});

bmc('redfish: wrong password (401), unknown CA with verifyTls, and no BMC at all each say what is wrong', async (c) => {
  const { port, ca } = await redfish(c, 'bmc-secret');
  const wrong = await errorOf(
    redfishDriver({ address: '127.0.0.1', port, username: 'admin', verifyTls: false }, 'nope-nope').powerState(),
  );
  assert.is(wrong.message, `redfish https://127.0.0.1:${port}: the BMC refused the user name or password (HTTP 401)`);
  assert.not.ok(wrong.retryable);
  const untrusted = await errorOf(
    redfishDriver({ address: '127.0.0.1', port, username: 'admin', verifyTls: true }, 'bmc-secret').powerState(),
  );
  assert.match(untrusted.message, 'its TLS certificate is not trusted');
  // With its CA the same BMC is trusted.
  assert.is(
    await redfishDriver(
      { address: '127.0.0.1', port, username: 'admin', verifyTls: true, ca },
      'bmc-secret',
    ).powerState(),
    'Off',
  );
  const gone = await errorOf(
    redfishDriver({ address: '127.0.0.1', port: 1, username: 'admin', verifyTls: false }, 'bmc-secret').powerState(),
  );
  assert.match(gone.message, 'the BMC does not answer (ECONNREFUSED)');
  assert.ok(gone.retryable);
});

bmc.run();
