// What the keeper writes into the state file once the site is installed: its last look at the
// cluster, the CSRs it approved and the ones it would not, its day-2 operations (one at a time,
// each with a journal like a phase) and the backups it keeps. The status page and
// `fyr-agent status` read only these; none of them holds a secret.

// One condition as the cluster reported it (status "True", "False" or "Unknown").
export interface ConditionSeen {
  status: string;
  reason?: string;
  message?: string;
  since?: string;
}

export interface OperatorSeen {
  name: string;
  available: boolean;
  degraded: boolean;
  progressing: boolean;
  // The message of the condition that puts it in trouble (Degraded, else Available=False).
  message?: string;
}

export interface NodeSeen {
  name: string;
  // control-plane | worker (from the node-role labels).
  role: string;
  ready: boolean;
  // Since when Ready has been as it is, and why (the Ready condition's reason).
  since?: string;
  reason?: string;
  // Cordoned (spec.unschedulable).
  unschedulable: boolean;
  // The site file's node it is, if any.
  siteNode?: string;
}

// One look at the cluster. `error` set: the look failed (the API down); the rest is absent
// but the version and the certificate date, kept from the last look that reached the API.
export interface HealthRecord {
  at: string;
  error?: string;
  version?: string;
  // Set while an update is under way (status.desired differs from the version installed).
  desiredVersion?: string;
  available?: ConditionSeen;
  progressing?: ConditionSeen;
  failing?: ConditionSeen;
  operatorsTotal?: number;
  // Only the operators not Available, Degraded or Progressing.
  operatorsInTrouble?: OperatorSeen[];
  nodes?: NodeSeen[];
  pendingCsrs?: number;
  // kube-apiserver-to-kubelet-signer's not-after: the cluster must be running again by then.
  certificatesNotAfter?: string;
}

// A CSR the keeper did not approve, and why; shown until it is approved or gone.
export interface CsrRefused {
  name: string;
  requester: string;
  signer: string;
  // The name the CSR asks for (its subject CN), when it could be read.
  requestedName?: string;
  reason: string;
  firstSeen: string;
  lastSeen: string;
}

export interface CsrApproved {
  name: string;
  node: string;
  kind: 'client' | 'serving';
  at: string;
}

export const OPERATION_KINDS = ['backup', 'shutdown', 'power-on', 'apply', 'upgrade'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

// What the subcommand asked for (--force, --bastion, ...): flat strings and booleans only.
export type OperationOptions = Record<string, string | boolean>;

// A day-2 operation: started by the schedule or by a fyr-agent subcommand, one at a time.
// Its side effects are journalled in AgentState.effects under `<kind>/<id>/...`, so a kill
// anywhere resumes it without doing one twice.
export interface OperationRecord {
  id: string;
  kind: OperationKind;
  by: 'schedule' | 'command';
  status: 'running' | 'done' | 'failed' | 'skipped';
  startedAt: string;
  finishedAt?: string;
  detail?: string;
  error?: string;
  command?: string;
  // Operation-specific facts kept across a restart (the backup's node and directories).
  facts: Record<string, string>;
  // As the subcommand asked (kept, so a resumed operation does what was asked).
  options?: OperationOptions;
}

// One node's step in a shutdown or power-on, for the status page and fyr-agent status.
export interface NodePower {
  name: string;
  role: string;
  step: string;
  at: string;
  // What happened that the operator should know (a hard power-off, a manual BMC).
  note?: string;
}

// The site's power as the keeper drives it. `shut-down` is only ever set by fyr-agent
// shutdown: at the bastion's next boot it means "power the site on" (keeper.powerOn).
export interface SitePower {
  state: 'shutting-down' | 'shut-down' | 'powering-on' | 'running';
  since: string;
  nodes: NodePower[];
  // The last shutdown's or power-on's steps with their times.
  steps: Array<{ step: string; startedAt: string; seconds?: number }>;
}

// A backup kept on the bastion, as its backup.json records it.
export interface BackupSummary {
  id: string;
  takenAt: string;
  dir: string;
  node: string;
  version: string;
  bytes: number;
}

export interface KeeperState {
  startedAt: string;
  // The site's settings as the keeper runs them (the status page judges ages by them).
  healthEverySeconds: number;
  backups: { enabled: boolean; everySeconds: number; keep: number };
  health?: HealthRecord;
  // When the last look that reached the API was (health.at may be a failed one).
  lastGoodLookAt?: string;
  csrRefused: CsrRefused[];
  // The most recent approvals (bounded).
  csrApproved: CsrApproved[];
  operation?: OperationRecord;
  // The last operations finished (bounded, newest first).
  history: OperationRecord[];
  lastBackup?: BackupSummary;
  nextBackupAt?: string;
  // Why the last scheduled backup did not run (too early, operators progressing, a failure).
  backupWaiting?: string;
  // Backups failed in a row: the next try backs off.
  backupFailures?: number;
  // What the status page shows as next steps (no secrets: paths, URLs, DNS records).
  access?: SiteAccess;
  power?: SitePower;
}

export interface SiteAccess {
  consoleUrl: string;
  apiUrl: string;
  kubeconfig: string;
  kubeadminPassword: string;
  // The bastion's WAN address, when it has one (read from the interface: DHCP or static).
  wanInterface: string;
  wanAddress?: string;
  // What the WAN side's DNS needs, pointed at the bastion's WAN address.
  dnsRecords: Array<{ name: string; type: 'A'; value?: string }>;
}

// How many finished operations, approvals and refusals the state keeps.
export const KEEP_HISTORY = 20;
export const KEEP_APPROVED = 50;

// A backup is late when the newest is older than twice the schedule; with none yet, once the
// first was due a whole period ago. One rule for the dashboard and fyr-agent backups.
export function backupLate(
  k: Pick<KeeperState, 'backups' | 'nextBackupAt'>,
  newestTakenAt: string | undefined,
  now: Date,
): boolean {
  if (!k.backups.enabled) return false;
  const every = k.backups.everySeconds * 1000;
  if (newestTakenAt !== undefined) return now.getTime() - Date.parse(newestTakenAt) > 2 * every;
  return k.nextBackupAt !== undefined && now.getTime() - Date.parse(k.nextBackupAt) > every;
}

// The keeper's record as it starts (or as the install's CSR approvals first need it).
export function newKeeperState(
  settings: { keeper: { healthEverySeconds: number }; backups: KeeperState['backups'] },
  now: Date,
): KeeperState {
  return {
    startedAt: now.toISOString(),
    healthEverySeconds: settings.keeper.healthEverySeconds,
    backups: { ...settings.backups },
    csrRefused: [],
    csrApproved: [],
    history: [],
  };
}
