// The agent's whole memory: one JSON file, replaced atomically (write, fsync, rename, fsync of
// the directory) after every step, so a power cut or kill -9 resumes where it stopped.
import { open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { KeeperState } from './keeper/records.js';
import { AgentInputError } from './site.js';

export const PHASES = [
  'locked',
  'preflight',
  'network',
  'services',
  'payload',
  'install-config',
  'bootstrap-vm',
  'power',
  'watch',
  'bootstrap-complete',
  'pivot',
  'finish',
  'registry-copy',
  // Day 2 begins: the stick's catalog, storage, then the site's other operators (each skipped
  // when the site asks for none).
  'catalog',
  'storage',
  'operators',
] as const;
export type PhaseName = (typeof PHASES)[number];

export type PhaseStatus = 'pending' | 'running' | 'done' | 'failed';

export interface PhaseRecord {
  status: PhaseStatus;
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  // What the phase is doing now, for the status page.
  detail?: string;
  error?: string;
  // The command that failed, as argv words with secrets masked.
  command?: string;
}

// Where a node is in its install, as seen from the bastion.
export const NODE_STEPS = ['dhcp', 'kernel', 'initramfs', 'rootfs', 'ignition'] as const;
export type NodeStep = (typeof NODE_STEPS)[number];

export type PowerState = 'pending' | 'requested' | 'on' | 'waiting-for-tech';

export interface NodeRecord {
  name: string;
  role: string;
  mac: string;
  ip: string;
  bmc: string;
  power: PowerState;
  // First time each step was seen.
  seen: Partial<Record<NodeStep, string>>;
}

export interface UnknownMac {
  mac: string;
  ip?: string;
  firstSeen: string;
  lastSeen: string;
}

// What the storage phase left: the default StorageClass, and the capacity the cluster reports.
export interface StorageRecord {
  type: 'lvms' | 'odf';
  storageClass: string;
  capacityBytes?: number;
  readyAt: string;
}

// An operator installed from the stick's catalog.
export interface OperatorRecord {
  name: string;
  csv: string;
  namespace: string;
  at: string;
}

// The state file's format. A change an older agent would misread takes the next number, with
// its step from the one before in MIGRATIONS; an agent refuses a file newer than it knows.
export const STATE_FORMAT = 'fyr-agent-state/1';
const STATE_VERSION = 1;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Migration = (state: any) => void;
// MIGRATIONS[n] turns a format-n file into format n+1 (none yet: format 1 is the first).
const MIGRATIONS: Record<number, Migration> = {};

export interface AgentState {
  format: typeof STATE_FORMAT;
  cluster: string;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  phases: Record<PhaseName, PhaseRecord>;
  nodes: NodeRecord[];
  unknownMacs: UnknownMac[];
  // Side effects already done, by key, with when: the journal that keeps them to once.
  effects: Record<string, string>;
  lastError?: { phase: PhaseName; at: string; message: string; command?: string };
  storage?: StorageRecord;
  operators?: OperatorRecord[];
  // The registry tree the bastion serves since the last delta upgrade merged into it (absent:
  // the install's, as release.json records it).
  servedTree?: { sha256: string; files: number };
  // Each upgrade done from a stick.
  upgrades?: Array<{ from: string; to: string; image: string; at: string }>;
  // Once installed: the keeper's looks, CSR decisions, operations and backups.
  keeper?: KeeperState;
}

export function freshState(cluster: string, nodes: NodeRecord[], now: Date): AgentState {
  const phases = Object.fromEntries(PHASES.map((p) => [p, { status: 'pending', attempts: 0 }])) as Record<
    PhaseName,
    PhaseRecord
  >;
  const at = now.toISOString();
  return {
    format: STATE_FORMAT,
    cluster,
    startedAt: at,
    updatedAt: at,
    phases,
    nodes,
    unknownMacs: [],
    effects: {},
  };
}

export async function loadState(path: string): Promise<AgentState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let state: AgentState;
  try {
    state = JSON.parse(text) as AgentState;
  } catch (err) {
    throw new AgentInputError(
      `${path}: the state file is damaged (${(err as Error).message}); move it aside to start over, which repeats every phase`,
    );
  }
  migrate(path, state);
  // A phase added since the file was written starts pending.
  for (const p of PHASES) state.phases[p] ??= { status: 'pending', attempts: 0 };
  return state;
}

// Brings an older format up to this agent's, step by step; refuses a newer one (written by a
// newer agent, e.g. one an upgrade stick installed: this one would lose what it does not know).
export function migrate(
  path: string,
  state: { format?: unknown },
  migrations = MIGRATIONS,
  current = STATE_VERSION,
): void {
  const n = Number(/^fyr-agent-state\/([1-9][0-9]*)$/.exec(String(state?.format))?.[1]);
  if (!Number.isInteger(n))
    throw new AgentInputError(`${path}: not an agent state file (format ${String(state?.format)})`);
  if (n > current)
    throw new AgentInputError(
      `${path}: written by a newer fyr-agent (state format ${n}; this one knows ${current}): run the newer agent, never this one on it`,
    );
  for (let v = n; v < current; v++) {
    const step = migrations[v];
    if (!step) throw new AgentInputError(`${path}: state format ${v} cannot be read by this agent (no migration)`);
    step(state);
    state.format = `fyr-agent-state/${v + 1}`;
  }
}

export async function saveState(path: string, state: AgentState, now: Date): Promise<void> {
  state.updatedAt = now.toISOString();
  await writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  // The rename is durable only once the directory entry is on disk.
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

// The state kept in memory and on disk together: every change is saved before it counts.
// Saves run one after another and each writes the state as it is when it starts, so
// concurrent updates (nodes powered on in parallel) can never leave an older snapshot on
// disk after a newer one.
export class StateStore {
  private saving: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    public state: AgentState,
    private readonly now: () => Date,
  ) {}

  async update(change: (state: AgentState) => void): Promise<void> {
    change(this.state);
    const save = this.saving.then(() => saveState(this.path, this.state, this.now()));
    this.saving = save.catch(() => undefined);
    await save;
  }

  done(effect: string): boolean {
    return this.state.effects[effect] !== undefined;
  }

  async record(effect: string): Promise<void> {
    await this.update((s) => {
      s.effects[effect] = this.now().toISOString();
    });
  }
}
