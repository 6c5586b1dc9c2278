// What a phase works with: the site, the paths, the effects behind their interfaces, and the
// state store. Phases get everything from here, so tests swap the effects, not the phases.
import type { BmcDriver } from './bmc/index.js';
import type { Exec } from './exec.js';
import type { Paths } from './paths.js';
import type { ServiceManager } from './services.js';
import type { AgentSecrets } from '../formats/agent-secrets.js';
import type { BastionOs } from '../formats/bastion-os.js';
import type { AgentNode, AgentSite, ReleaseRecord } from './site.js';
import type { PhaseName, StateStore } from './state.js';

export interface AgentOptions {
  // How many nodes are powered on at once (a power-on storm can trip a rack's breaker).
  powerParallel: number;
  pollMs: number;
  watchTimeoutMs: number;
  retryBaseMs: number;
  bootstrapDiskGiB: number;
  // After install: keep the site (true), or stop once installed.
  keeper: boolean;
  // The first backup waits this long after install: the bootstrap certificates rotate in the
  // first 24 h, and a backup before then holds ones that expire (day2.md §3.1).
  firstBackupAfterMs: number;
  // Overrides of the site's keeper.healthEvery and backups.every (labs and tests).
  healthEveryMs?: number;
  backupEveryMs?: number;
  // How long cluster-backup.sh may take on the node.
  backupTimeoutMs: number;
  // Shutdown: how long a node may take to power itself off before its BMC cuts the power, and
  // how long a worker's drain may take.
  powerOffTimeoutMs: number;
  drainTimeoutS: number;
  // Power-on: how long the API and then each node may take to come back, and the quiet time
  // the cluster must then hold (oc adm wait-for-stable-cluster) and its limit.
  apiBackTimeoutMs: number;
  nodeBackTimeoutMs: number;
  stablePeriodS: number;
  stableTimeoutS: number;
  // How long each OLM or storage wait may take (a catalog READY, a CSV Succeeded, storage Ready).
  operatorTimeoutMs: number;
  // How long one upgrade hop may take before the agent stops following it (the cluster goes on).
  upgradeHopTimeoutMs: number;
}

export const DEFAULT_OPTIONS: AgentOptions = {
  powerParallel: 3,
  pollMs: 5_000,
  watchTimeoutMs: 2 * 60 * 60_000,
  retryBaseMs: 5_000,
  bootstrapDiskGiB: 120,
  keeper: true,
  firstBackupAfterMs: 24 * 60 * 60_000,
  backupTimeoutMs: 15 * 60_000,
  powerOffTimeoutMs: 10 * 60_000,
  drainTimeoutS: 300,
  apiBackTimeoutMs: 30 * 60_000,
  nodeBackTimeoutMs: 30 * 60_000,
  stablePeriodS: 300,
  stableTimeoutS: 3600,
  operatorTimeoutMs: 30 * 60_000,
  upgradeHopTimeoutMs: 4 * 60 * 60_000,
};

export interface AgentContext {
  paths: Paths;
  // The OS the bundle was rendered for: RHEL 9 serves DHCP with dhcpd, RHEL 10 with Kea.
  os: BastionOs;
  site: AgentSite;
  // Sealed sites: empty until the locked phase (or the resealed copy at start) opens them.
  secrets: AgentSecrets;
  sealed: boolean;
  release: ReleaseRecord;
  // The directory holding the install media's files (mounted on first use).
  media(): Promise<string>;
  // Unmounts the install media if the agent mounted it: the stick may then be pulled out.
  releaseMedia(): Promise<void>;
  services: ServiceManager;
  exec: Exec;
  bmc(node: AgentNode): BmcDriver | undefined;
  store: StateStore;
  options: AgentOptions;
  log(line: string): void;
  now(): Date;
  sleep(ms: number): Promise<void>;
  signal: AbortSignal;
}

// A failure a phase reports on purpose: the reason, the command if one failed, and whether
// trying again can help.
export class PhaseError extends Error {
  constructor(
    message: string,
    readonly options: { retryable?: boolean; command?: string } = {},
  ) {
    super(message);
  }
}
PhaseError.prototype.name = 'PhaseError';

export interface Phase {
  name: PhaseName;
  title: string;
  // Attempts before the phase is marked failed (retryable errors only).
  attempts: number;
  // What must hold before the phase starts; a reason when it does not.
  precondition?(ctx: AgentContext): Promise<string | undefined>;
  run(ctx: AgentContext, progress: (detail: string) => Promise<void>): Promise<void>;
  // At each start, for a phase done before: what it set up that a reboot undoes (mounts).
  restore?(ctx: AgentContext): Promise<void>;
}

// Runs a side effect once across crashes: skipped when the journal has it, or when `already`
// finds it done (it happened, then the agent died before writing the journal).
export async function once(
  ctx: AgentContext,
  key: string,
  effect: () => Promise<void>,
  already?: () => Promise<boolean>,
): Promise<void> {
  if (ctx.store.done(key)) return;
  if (!(already && (await already()))) await effect();
  await ctx.store.record(key);
}
