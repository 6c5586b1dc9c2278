// oc as the agent runs it against the installed cluster: the admin kubeconfig the installer
// wrote, a bounded time per call, JSON answers parsed.
import type { AgentContext } from '../context.js';
import type { ExecOptions } from '../exec.js';

const CALL_MS = 90_000;

export function ocOptions(ctx: AgentContext, more: ExecOptions = {}): ExecOptions {
  return { timeoutMs: CALL_MS, signal: ctx.signal, ...more, env: { KUBECONFIG: ctx.paths.kubeconfig, ...more.env } };
}

export async function ocJson<T>(ctx: AgentContext, args: readonly string[]): Promise<T> {
  const { stdout } = await ctx.exec('oc', args, ocOptions(ctx));
  try {
    return JSON.parse(stdout) as T;
  } catch {
    throw new Error(`oc ${args.slice(0, 3).join(' ')} did not answer JSON`);
  }
}
