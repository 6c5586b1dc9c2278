// Network namespaces and daemons for live tests. Every namespace and process made here is
// removed in a finally block, so a failing assertion leaves nothing running.
import { execa, type ResultPromise } from 'execa';

let counter = 0;

// A unique namespace name per test run (names are global to the machine).
function nsName(tag: string): string {
  counter += 1;
  return `fyr-${tag}-${process.pid}-${counter}`.slice(0, 30);
}

async function ip(args: string[]): Promise<void> {
  await execa('ip', args);
}

export interface Netns {
  name: string;
  exec(
    cmd: string,
    args: string[],
    options?: { timeout?: number },
  ): Promise<{ stdout: string; stderr: string; exitCode: number }>;
  spawn(cmd: string, args: string[], options?: { cwd?: string; env?: Record<string, string> }): ResultPromise;
}

function handle(name: string, children: ResultPromise[]): Netns {
  return {
    name,
    async exec(cmd, args, options = {}) {
      const r = await execa('ip', ['netns', 'exec', name, cmd, ...args], {
        reject: false,
        timeout: options.timeout ?? 30_000,
      });
      return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1 };
    },
    spawn(cmd, args, options = {}) {
      const child = execa('ip', ['netns', 'exec', name, cmd, ...args], { reject: false, all: true, ...options });
      children.push(child);
      return child;
    },
  };
}

// Runs fn with fresh namespaces; tears down every child process and namespace afterwards.
export async function withNetns<T>(tags: string[], fn: (ns: Netns[]) => Promise<T>): Promise<T> {
  const names: string[] = [];
  const children: ResultPromise[] = [];
  try {
    for (const tag of tags) {
      const name = nsName(tag);
      await ip(['netns', 'add', name]);
      names.push(name);
      await ip(['-n', name, 'link', 'set', 'lo', 'up']);
    }
    return await fn(names.map((n) => handle(n, children)));
  } finally {
    for (const child of children) {
      child.kill('SIGTERM');
      await Promise.race([child, new Promise((r) => setTimeout(r, 3000))]);
      child.kill('SIGKILL');
    }
    for (const name of names) await execa('ip', ['netns', 'del', name], { reject: false });
  }
}

// A veth pair: `a` in one namespace with an address, `b` in another (or the same) namespace.
export async function linkNamespaces(
  a: { ns: Netns; ifname: string; cidr: string },
  b: { ns: Netns; ifname: string; mac?: string },
): Promise<void> {
  await ip(['link', 'add', a.ifname, 'netns', a.ns.name, 'type', 'veth', 'peer', 'name', b.ifname, 'netns', b.ns.name]);
  await ip(['-n', a.ns.name, 'addr', 'add', a.cidr, 'dev', a.ifname]);
  if (b.mac !== undefined) await ip(['-n', b.ns.name, 'link', 'set', b.ifname, 'address', b.mac]);
  await ip(['-n', a.ns.name, 'link', 'set', a.ifname, 'up']);
  await ip(['-n', b.ns.name, 'link', 'set', b.ifname, 'up']);
}

// Polls until check() returns a value, or fails with the last error after timeoutMs.
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
