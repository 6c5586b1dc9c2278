// The keeper's part of the state file, created on first need (the install's CSR approvals may
// come before the keeper starts), and the record of each look at the cluster.
import type { AgentContext } from '../context.js';
import { newKeeperState, type HealthRecord, type KeeperState } from './records.js';

export function keeperOf(ctx: Pick<AgentContext, 'site' | 'now'>, state: { keeper?: KeeperState }): KeeperState {
  state.keeper ??= newKeeperState(ctx.site, ctx.now());
  return state.keeper;
}

export async function recordHealth(ctx: AgentContext, health: HealthRecord): Promise<void> {
  await ctx.store.update((s) => {
    const k = keeperOf(ctx, s);
    const before = k.health;
    // Unreachable is when the certificate date matters most: the last one known stays.
    k.health =
      health.error && before
        ? {
            ...health,
            ...(before.version ? { version: before.version } : {}),
            ...(before.certificatesNotAfter ? { certificatesNotAfter: before.certificatesNotAfter } : {}),
          }
        : health;
    if (!health.error) k.lastGoodLookAt = health.at;
  });
}
