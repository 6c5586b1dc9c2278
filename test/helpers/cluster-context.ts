// An agent context on a bastion root in a temporary directory, its oc the double in front of
// the fake cluster (test/doubles/cluster/) with a real etcd: three control-plane nodes booted,
// the API up, installed two days ago. joinNodes() lets the nodes in through the agent's own
// CSR approver, as the install's finish phase does.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { approveSiteCsrs } from '../../src/agent/cluster/approve.js';
import { DEFAULT_OPTIONS, type AgentContext } from '../../src/agent/context.js';
import { exec, type Exec } from '../../src/agent/exec.js';
import { bastionPaths } from '../../src/agent/paths.js';
import { freshState, StateStore } from '../../src/agent/state.js';
import { doublesBin } from '../doubles/bundle.mjs';
import { initCluster, objects, setApi } from '../doubles/cluster/index.mjs';
import { startEtcd, type Etcd } from './etcd.js';
import { makeTmpdir, removeTmpdir } from './tmpdir.js';

const BIN = doublesBin();
export const NODES = ['cp-0', 'cp-1', 'cp-2'].map((name, i) => ({
  name,
  fqdn: `${name}.edge.example.com`,
  ip: `192.168.8.${10 + i}`,
  role: 'control-plane',
}));

export interface ClusterContext {
  dir: string;
  doubles: string;
  etcd: Etcd;
  ctx: AgentContext;
  joinNodes(): Promise<void>;
  close(): Promise<void>;
}

export async function clusterContext(): Promise<ClusterContext> {
  const dir = await makeTmpdir();
  let etcd: Etcd | undefined;
  try {
    const doubles = join(dir, 'doubles');
    await mkdir(doubles, { recursive: true });
    etcd = await startEtcd({ dir });
    initCluster(doubles, {
      version: '4.18.9',
      nodes: NODES.map((n) => ({ name: n.name, ip: n.ip, role: 'control-plane' })),
      etcdEndpoint: etcd.endpoint,
      bootstrapApproves: false,
    });
    setApi(doubles, true);
    const paths = bastionPaths(join(dir, 'root'));
    await mkdir(join(paths.installDir, 'auth'), { recursive: true });
    await mkdir(paths.stateDir, { recursive: true });
    await writeFile(
      paths.kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://api.edge.example.com:6443\n',
    );
    const now = () => new Date();
    const state = freshState('edge.example.com', [], now());
    state.finishedAt = new Date(Date.now() - 48 * 3600_000).toISOString();
    const doublesEnv = { PATH: `${BIN}:${process.env.PATH}`, FYR_DOUBLES_DIR: doubles, FYR_DOUBLE_TIME_SCALE: '200' };
    const ctx = {
      paths,
      site: {
        cluster: { fqdn: 'edge.example.com' },
        bastion: { fqdn: 'bastion.edge.example.com' },
        network: { wan: { interface: 'fyrtest-wan0', mode: 'dhcp', dns: [] } },
        nodes: NODES,
        keeper: { healthEverySeconds: 300 },
        backups: { enabled: true, everySeconds: 21600, keep: 2 },
      },
      store: new StateStore(paths.stateFile, state, now),
      now,
      options: DEFAULT_OPTIONS,
      exec: ((file, args, options = {}) =>
        exec(file, args, { ...options, env: { ...doublesEnv, ...options.env } })) satisfies Exec,
      log: () => undefined,
      signal: new AbortController().signal,
    } as unknown as AgentContext;
    const started = etcd;
    return {
      dir,
      doubles,
      etcd: started,
      ctx,
      // The kubelets' CSRs come one after another (client, then serving): approve until Ready.
      async joinNodes() {
        for (let round = 0; round < 6; round++) {
          await approveSiteCsrs(ctx, 'test');
          const ready = objects(doubles).nodes.filter((n) =>
            n.status.conditions.some(
              (x: { type: string; status: string }) => x.type === 'Ready' && x.status === 'True',
            ),
          );
          if (ready.length === NODES.length) return;
        }
        throw new Error('the nodes never became Ready');
      },
      async close() {
        await started.stop();
        await removeTmpdir(dir);
      },
    };
  } catch (err) {
    await etcd?.stop();
    await removeTmpdir(dir);
    throw err;
  }
}

// A kill between an effect and its journal, in process: the context's exec runs the command,
// then (when `match` names it) aborts the context's signal and throws, as a SIGKILL right after
// the command would leave things. The next run gets a fresh signal (ctx.signal is replaced).
export function killSwitch(ctx: AgentContext): { killAfter(match: (args: readonly string[]) => boolean): void } {
  const c = ctx as { signal: AbortSignal; exec: Exec };
  let kill: ((args: readonly string[]) => boolean) | undefined;
  let controller = new AbortController();
  c.signal = controller.signal;
  const exec = c.exec;
  c.exec = (async (file, args, options) => {
    const r = await exec(file, args, options);
    if (kill?.(args)) {
      kill = undefined;
      controller.abort();
      controller = new AbortController();
      throw new Error('killed');
    }
    return r;
  }) satisfies Exec;
  return {
    killAfter: (match) => {
      kill = match;
    },
  };
}

// Every command the doubles were given, in order (calls.log).
export async function doubleCalls(doubles: string): Promise<string[][]> {
  return (await readFile(join(doubles, 'calls.log'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as string[]);
}
