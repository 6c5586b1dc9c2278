// The status as a technician reads it: the same facts for the terminal (`fyr-agent status`),
// the LAN page and the JSON API, built by one pure function from the state file and the time.
// The state file holds no secrets, and the view carries nothing else: its strings are the
// state's own, timestamps, and the words of its enumerations; sentences are the renderers'.
import { NODE_STEPS, PHASES, type AgentState, type PhaseRecord } from '../state.js';
import { keeperView, type KeeperView } from './keeper-view.js';
import { secondsSince } from '../time.js';

export interface PhaseView extends PhaseRecord {
  name: string;
  // How long it took (done, failed) or has been running.
  seconds?: number;
}

export interface StatusView {
  cluster: string;
  // locked: a sealed site waiting for its unlock code.
  state: 'running' | 'locked' | 'failed' | 'done';
  // When this view was made.
  at: string;
  startedAt: string;
  updatedAt: string;
  // The install's length: to its end once done, else to now.
  elapsedSeconds: number;
  finishedAt?: string;
  finishedSecondsAgo?: number;
  current?: string;
  phasesDone: number;
  phases: PhaseView[];
  nodes: Array<{
    name: string;
    role: string;
    mac: string;
    ip: string;
    bmc: string;
    power: string;
    step: string;
    seen: Record<string, string>;
  }>;
  unknownMacs: AgentState['unknownMacs'];
  lastError?: AgentState['lastError'];
  // The agent stopped at its last start on a done phase it could not set up again (lastError),
  // and has run nothing since.
  stopped: boolean;
  // The install media is no longer read: the registry serves from the bastion's disk.
  mediaRemovable: boolean;
  // Storage once Ready (default class, capacity) and the operators installed from the stick.
  storage?: AgentState['storage'];
  operators: NonNullable<AgentState['operators']>;
  // Once installed, what the keeper keeps.
  keeper?: KeeperView;
}

// The view of a state at a time: pure, the only place that reads the state for the status.
export function statusView(state: AgentState, now: Date): StatusView {
  const failed = PHASES.some((p) => state.phases[p].status === 'failed');
  const current = PHASES.find((p) => state.phases[p].status === 'running' || state.phases[p].status === 'failed');
  const end = state.finishedAt ? new Date(state.finishedAt) : now;
  return {
    cluster: state.cluster,
    state: state.finishedAt
      ? 'done'
      : failed
        ? 'failed'
        : state.phases.locked.status === 'running' &&
            /^waiting for the unlock code/.test(state.phases.locked.detail ?? '')
          ? 'locked'
          : 'running',
    at: now.toISOString(),
    startedAt: state.startedAt,
    updatedAt: state.updatedAt,
    elapsedSeconds: Math.max(0, secondsSince(state.startedAt, end)),
    ...(state.finishedAt
      ? { finishedAt: state.finishedAt, finishedSecondsAgo: secondsSince(state.finishedAt, now) }
      : {}),
    ...(current ? { current } : {}),
    phasesDone: PHASES.filter((p) => state.phases[p].status === 'done').length,
    phases: PHASES.map((name) => phaseView(name, state.phases[name], now)),
    mediaRemovable: state.phases['registry-copy'].status === 'done',
    ...(state.storage ? { storage: { ...state.storage } } : {}),
    operators: (state.operators ?? []).map((o) => ({ ...o })),
    nodes: state.nodes.map((n) => ({
      name: n.name,
      role: n.role,
      mac: n.mac,
      ip: n.ip,
      bmc: n.bmc,
      power: n.power,
      step: [...NODE_STEPS].reverse().find((s) => n.seen[s] !== undefined) ?? '-',
      seen: { ...n.seen },
    })),
    unknownMacs: state.unknownMacs,
    ...(state.lastError ? { lastError: state.lastError } : {}),
    stopped: stoppedOnRestore(state),
    ...(state.finishedAt && state.keeper
      ? {
          keeper: keeperView(
            state.keeper,
            // The bootstrap VM is gone after the pivot: it is never a cluster node.
            state.nodes.filter((n) => n.role !== 'bootstrap').map((n) => n.name),
            now,
          ),
        }
      : {}),
  };
}

// A failed phase keeps lastError until the install ends, also once it runs again; one that
// could not be set up again is done and finished before the error, and nothing ran after it.
function stoppedOnRestore(state: AgentState): boolean {
  const e = state.lastError;
  if (!e) return false;
  const p = state.phases[e.phase];
  if (p?.status !== 'done' || !p.finishedAt || Date.parse(p.finishedAt) >= Date.parse(e.at)) return false;
  return !PHASES.some((q) => {
    const r = state.phases[q];
    return r.status === 'running' && r.startedAt !== undefined && Date.parse(r.startedAt) > Date.parse(e.at);
  });
}

function phaseView(name: string, p: PhaseRecord, now: Date): PhaseView {
  const seconds = p.startedAt
    ? p.status === 'running'
      ? secondsSince(p.startedAt, now)
      : p.finishedAt && p.status !== 'pending'
        ? secondsSince(p.startedAt, new Date(p.finishedAt))
        : undefined
    : undefined;
  return { name, ...p, ...(seconds !== undefined ? { seconds: Math.max(0, seconds) } : {}) };
}
