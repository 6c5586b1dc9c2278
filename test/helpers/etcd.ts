// A real etcd (Debian's etcd-server 3.4) for the fake cluster's backups: one member on
// 127.0.0.1 with free ports, in a network namespace when asked, holding a few hundred keys so a
// snapshot has content. stop() kills it and removes its data; it is safe to call twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';

export interface Etcd {
  endpoint: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startEtcd(o: { dir: string; netns?: string; keys?: number }): Promise<Etcd> {
  const inNs = (cmd: string, args: string[]): [string, string[]] =>
    o.netns ? ['ip', ['netns', 'exec', o.netns, cmd, ...args]] : [cmd, args];
  const keys = o.keys ?? 300;
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    // A fresh namespace has every port free; on the host ask the kernel for free ones.
    const [client, peer] = o.netns
      ? [20_000 + Math.floor(Math.random() * 20_000), 40_000 + Math.floor(Math.random() * 20_000)]
      : [await freePort(), await freePort()];
    const data = await mkdtemp(join(o.dir, 'etcd-'));
    const endpoint = `http://127.0.0.1:${client}`;
    const log = join(data, 'etcd.log');
    const fd = openSync(log, 'a');
    const [cmd, args] = inNs('etcd', [
      '--name',
      'fake',
      '--data-dir',
      join(data, 'member-data'),
      '--listen-client-urls',
      endpoint,
      '--advertise-client-urls',
      endpoint,
      '--listen-peer-urls',
      `http://127.0.0.1:${peer}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${peer}`,
      '--initial-cluster',
      `fake=http://127.0.0.1:${peer}`,
      '--initial-cluster-state',
      'new',
      '--max-txn-ops',
      String(Math.max(128, keys)),
    ]);
    const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      if (!exited) {
        child.kill('SIGTERM');
        for (let i = 0; i < 50 && !exited; i++) await sleep(100);
        if (!exited) child.kill('SIGKILL');
        for (let i = 0; i < 20 && !exited; i++) await sleep(100);
      }
      await rm(data, { recursive: true, force: true });
    };
    try {
      const deadline = Date.now() + 20_000;
      let healthy = false;
      while (!exited && Date.now() < deadline) {
        const [hc, ha] = inNs('etcdctl', ['--endpoints', endpoint, 'endpoint', 'health']);
        const r = await execa(hc, ha, { reject: false, env: { ETCDCTL_API: '3' } });
        if (r.exitCode === 0) {
          healthy = true;
          break;
        }
        await sleep(200);
      }
      if (!healthy) throw new Error(`etcd did not become healthy: ${await readFile(log, 'utf8').catch(() => '')}`);
      // One transaction of puts: no compares, the puts, no failure requests.
      const puts = Array.from(
        { length: keys },
        (_, i) => `put /kubernetes.io/configmaps/fake/cm-${String(i).padStart(4, '0')} value-${i}-${'x'.repeat(64)}`,
      );
      const [tc, ta] = inNs('etcdctl', ['--endpoints', endpoint, 'txn']);
      await execa(tc, ta, { input: `\n${puts.join('\n')}\n\n\n`, env: { ETCDCTL_API: '3' } });
      return { endpoint, stop };
    } catch (err) {
      lastError = (err as Error).message;
      await stop();
    }
  }
  throw new Error(`cannot start etcd: ${lastError}`);
}
