// BMCs on loopback for the agent's tests: the Redfish double and OpenIPMI's real ipmi_sim, each
// in front of a machine directory (the chassis the doubles share: power, boot, events).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ipmiSimFiles } from './ipmi-sim.js';

const run = promisify(execFile);
const DOUBLES = resolve('test/doubles');

export interface Bmc {
  child: ChildProcess;
  port: number;
}

// A self-signed EC certificate for CN (an IP address also goes in as its subjectAltName), in
// DIR as CN.crt and CN.key.
export async function selfSignedCert(dir: string, cn: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${cn}.crt`);
  const key = join(dir, `${cn}.key`);
  const ip = /^[0-9.]+$/.test(cn) ? ['-addext', `subjectAltName=IP:${cn}`] : [];
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${cn}`,
    ...ip,
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { cert, key };
}

export async function startRedfish(o: {
  machine: string;
  name: string;
  password: string;
  env?: Record<string, string>;
}): Promise<Bmc> {
  await mkdir(o.machine, { recursive: true });
  const { cert, key } = await selfSignedCert(o.machine, '127.0.0.1');
  await writeFile(join(o.machine, 'bmc-password'), o.password);
  const child = spawn(
    process.execPath,
    [
      join(DOUBLES, 'redfish-bmc.mjs'),
      '--listen',
      '127.0.0.1:0',
      '--cert',
      cert,
      '--key',
      key,
      '--user',
      'admin',
      '--password-file',
      join(o.machine, 'bmc-password'),
      '--machine',
      o.machine,
      '--name',
      o.name,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...o.env } },
  );
  const port = await new Promise<number>((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`redfish-bmc.mjs exited ${code}`)));
    child.stdout!.once('data', (d: Buffer) => ok(Number(/listening (\d+)/.exec(String(d))![1])));
  });
  return { child, port };
}

export async function startIpmiSim(o: {
  machine: string;
  name: string;
  port: number;
  password: string;
  env?: Record<string, string>;
}): Promise<Bmc> {
  await mkdir(o.machine, { recursive: true });
  const sim = ipmiSimFiles({
    name: o.name.replace(/[^a-z0-9]/gi, ''),
    address: '127.0.0.1',
    port: o.port,
    username: 'admin',
    password: o.password,
    machine: o.machine,
  });
  await writeFile(join(o.machine, 'lan.conf'), sim.lanConf);
  await writeFile(join(o.machine, 'sim.emu'), sim.emu);
  const child = spawn(
    'ipmi_sim',
    ['-c', join(o.machine, 'lan.conf'), '-f', join(o.machine, 'sim.emu'), '-s', join(o.machine, 'state'), '-n'],
    { stdio: 'ignore', env: { ...process.env, ...o.env } },
  );
  // ipmi_sim says nothing when it is ready: ask until it answers.
  for (let i = 0; i < 50; i++) {
    const r = await run('ipmitool', [
      '-I',
      'lanplus',
      '-H',
      '127.0.0.1',
      '-p',
      String(o.port),
      '-U',
      'admin',
      '-P',
      o.password,
      // ipmi_sim does not answer ipmitool's cipher-suite question: name the suite.
      '-C',
      '3',
      '-N',
      '1',
      '-R',
      '2',
      'chassis',
      'power',
      'status',
    ]).catch(() => undefined);
    if (r) return { child, port: o.port };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`ipmi_sim on 127.0.0.1:${o.port} never answered`);
}
