// A site with power for the agent's day-2 tests: control planes behind the Redfish double and
// workers behind OpenIPMI's real ipmi_sim (each in front of a chassis directory), the fake
// cluster's machines on those chassis, the agent's context on a temporary bastion root with the
// oc double first in PATH. The nodes join through the agent's own CSR approver, as at install.
import type { ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bmcDriver } from '../../src/agent/bmc/index.js';
import { approveSiteCsrs } from '../../src/agent/cluster/approve.js';
import { DEFAULT_OPTIONS, type AgentContext } from '../../src/agent/context.js';
import { exec, type Exec } from '../../src/agent/exec.js';
import { bastionPaths } from '../../src/agent/paths.js';
import type { AgentNode } from '../../src/agent/site.js';
import { freshState, StateStore } from '../../src/agent/state.js';
import { doublesBin } from '../doubles/bundle.mjs';
import { initCluster, objects, setApi } from '../doubles/cluster/index.mjs';
import { startIpmiSim, startRedfish } from './bmcs.js';
import { makeTmpdir, removeTmpdir } from './tmpdir.js';

const BIN = doublesBin();
export const BMC_PASSWORD = 'bmc-pass-1';

export interface SiteNodeSpec {
  name: string;
  role: 'control-plane' | 'worker';
  ip: string;
}

export const SITE_NODES: readonly SiteNodeSpec[] = [
  { name: 'cp-0', role: 'control-plane', ip: '192.168.8.10' },
  { name: 'cp-1', role: 'control-plane', ip: '192.168.8.11' },
  { name: 'cp-2', role: 'control-plane', ip: '192.168.8.12' },
  { name: 'w-0', role: 'worker', ip: '192.168.8.20' },
];

export interface BmcSite {
  dir: string;
  doubles: string;
  ctx: AgentContext;
  // The bastion powered off (services.powerOff) and the units started and stopped.
  poweredOff: number;
  units: string[];
  machineDir(name: string): string;
  // A machine with its BMC (not in the cluster): power off, Redfish for control planes, IPMI else.
  rack(n: SiteNodeSpec, index: number, powered: boolean): Promise<AgentNode>;
  ocCalls(): Promise<string[]>;
  events(name: string): Promise<string[]>;
  close(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const isReady = (n: Record<string, any>) =>
  (n.status.conditions as Array<{ type: string; status: string }>).some(
    (x) => x.type === 'Ready' && x.status === 'True',
  );

export async function bmcSite(nodes: readonly SiteNodeSpec[] = SITE_NODES, scale = '200'): Promise<BmcSite> {
  const dir = await makeTmpdir();
  const children: ChildProcess[] = [];
  const doubles = join(dir, 'doubles');
  await mkdir(doubles, { recursive: true });
  const env = { FYR_DOUBLE_TIME_SCALE: scale, FYR_DOUBLES_DIR: doubles };
  const machineDir = (name: string) => join(dir, 'machines', name);
  let ipmiPort = 9000 + (process.pid % 400) * 2;
  const rack = async (n: SiteNodeSpec, i: number, powered: boolean): Promise<AgentNode> => {
    const machine = machineDir(n.name);
    await mkdir(machine, { recursive: true });
    await writeFile(join(machine, 'power'), powered ? '1\n' : '0\n');
    await writeFile(join(machine, 'name'), `${n.name}\n`);
    const bmc =
      n.role === 'worker'
        ? await startIpmiSim({ machine, name: n.name, port: ipmiPort++, password: BMC_PASSWORD, env })
        : await startRedfish({ machine, name: n.name, password: BMC_PASSWORD, env });
    children.push(bmc.child);
    return {
      name: n.name,
      fqdn: `${n.name}.edge.example.com`,
      role: n.role,
      mac: `52:54:00:00:00:${(0x10 + i).toString(16)}`,
      ip: n.ip,
      bmc:
        n.role === 'worker'
          ? { type: 'ipmi', address: '127.0.0.1', port: bmc.port, username: 'admin', verifyTls: false, cipherSuite: 3 }
          : { type: 'redfish', address: '127.0.0.1', port: bmc.port, username: 'admin', verifyTls: false },
    } as AgentNode;
  };
  const site = { dir, doubles, poweredOff: 0, units: [] as string[] } as BmcSite;
  try {
    const agentNodes: AgentNode[] = [];
    for (const [i, n] of nodes.entries()) agentNodes.push(await rack(n, i, true));
    initCluster(doubles, {
      version: '4.18.9',
      nodes: nodes.map((n) => ({ name: n.name, ip: n.ip, role: n.role, chassis: machineDir(n.name) })),
      etcdEndpoint: 'http://127.0.0.1:9',
      bootstrapApproves: false,
    });
    setApi(doubles, true);
    const paths = bastionPaths(join(dir, 'root'));
    await mkdir(join(paths.installDir, 'auth'), { recursive: true });
    await writeFile(paths.kubeconfig, 'apiVersion: v1\nkind: Config\n');
    const now = () => new Date();
    const state = freshState('edge.example.com', [], now());
    state.finishedAt = new Date(Date.now() - 48 * 3600_000).toISOString();
    const doublesEnv = { PATH: `${BIN}:${process.env.PATH}`, ...env };
    const run: Exec = (file, args, options = {}) =>
      exec(file, args, { ...options, env: { ...doublesEnv, ...options.env } });
    const ctx = {
      paths,
      site: {
        cluster: { fqdn: 'edge.example.com' },
        network: { lan: { bastion: '127.0.0.1' } },
        diskEncryption: { tang: false },
        nodes: agentNodes,
        keeper: { healthEverySeconds: 300, powerOn: 'auto' },
        backups: { enabled: false, everySeconds: 21600, keep: 2 },
      },
      secrets: { bmc: {} },
      store: new StateStore(paths.stateFile, state, now),
      now,
      options: {
        ...DEFAULT_OPTIONS,
        pollMs: 400,
        powerOffTimeoutMs: 4000,
        drainTimeoutS: 5,
        watchTimeoutMs: 20_000,
        apiBackTimeoutMs: 20_000,
        nodeBackTimeoutMs: 20_000,
        stablePeriodS: 1,
        stableTimeoutS: 60,
      },
      exec: run,
      services: {
        kind: 'test',
        powerOff: async () => void (site.poweredOff += 1),
        start: async (unit: string) => void site.units.push(`start ${unit}`),
        stop: async (unit: string) => void site.units.push(`stop ${unit}`),
      },
      log: (l: string) => process.env.FYR_TEST_LOG && console.error(new Date().toISOString().slice(11, 23), l),
      sleep: (ms: number) => new Promise((r) => setTimeout(r, ms)),
      signal: new AbortController().signal,
    } as unknown as AgentContext;
    ctx.bmc = (node) => bmcDriver(node, BMC_PASSWORD, ctx.exec);
    Object.assign(site, {
      ctx,
      machineDir,
      rack,
      async ocCalls() {
        const text = await readFile(join(doubles, 'calls.log'), 'utf8').catch(() => '');
        return text
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as string[])
          .filter((a) => a[0] === 'oc')
          .map((a) => a.slice(1).join(' '));
      },
      async events(name: string) {
        return (await readFile(join(machineDir(name), 'events'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
      },
      async close() {
        for (const child of children) child.kill('SIGKILL');
        await removeTmpdir(dir);
      },
    });
    for (let round = 0; round < 8; round++) {
      await approveSiteCsrs(ctx, 'test');
      if (objects(doubles).nodes.filter(isReady).length === nodes.length) {
        // The tests read what the operation under test ran, not the joining.
        await writeFile(join(doubles, 'calls.log'), '');
        return site;
      }
    }
    throw new Error('the nodes never became Ready');
  } catch (err) {
    for (const child of children) child.kill('SIGKILL');
    await removeTmpdir(dir);
    throw err;
  }
}
