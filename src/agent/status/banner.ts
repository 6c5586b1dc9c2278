// The state in a few lines, for the top of the page and the terminal: the headline, the
// banner's word, level and title, what needs a person and what to do. Plain text: the page
// escapes it.
import type { KeeperView, Level } from './keeper-view.js';
import { formatDate, formatDuration } from '../time.js';
import type { PhaseView, StatusView } from './view.js';
import { attentionSentence, operatorsSentence } from './words.js';

export const RESTART = 'systemctl restart fyr-agent';

// The state's word, in capitals: the text form's first line and the page's badge.
export function stateWord(v: StatusView): string {
  return v.state.toUpperCase();
}

// The text form's first line: `fyr-agent: <cluster>: <STATE> ...`.
export function headline(v: StatusView): string {
  const head = `fyr-agent: ${v.cluster}: ${stateWord(v)}`;
  const took = formatDuration(v.elapsedSeconds);
  switch (v.state) {
    case 'running':
      return `${head} for ${took}${v.current ? ` (phase ${v.current})` : ''}`;
    case 'locked':
      return `${head} for ${took}, waiting for its unlock code`;
    case 'failed':
      return `${head} after ${took}${v.current ? ` (phase ${v.current})` : ''}`;
    case 'done': {
      const ago = v.finishedSecondsAgo !== undefined ? `installed ${formatDuration(v.finishedSecondsAgo)} ago` : '';
      return `${head}, ${ago} (took ${took})${v.keeper ? `; cluster ${healthWord(v.keeper).toLowerCase()}` : ''}`;
    }
  }
}

// The installed cluster's verdict as the banner's word.
export function healthWord(k: KeeperView): string {
  return {
    healthy: 'HEALTHY',
    attention: 'NEEDS ATTENTION',
    unreachable: 'UNREACHABLE',
    unknown: 'NOT LOOKED AT YET',
    'shut-down': 'SHUT DOWN',
  }[k.health];
}

// The verdict's colour: an error among the things to see to makes it red.
export function healthLevel(k: KeeperView): Level {
  if (k.health === 'healthy') return 'ok';
  if (k.health === 'unknown' || k.health === 'shut-down') return 'info';
  if (k.health === 'unreachable') return 'error';
  return k.attention.some((a) => a.level === 'error') ? 'error' : 'warning';
}

// What the page puts at the top and the terminal right under its first line.
export interface Banner {
  level: Level;
  word: string;
  title: string;
  // What it is doing, or a summary.
  notes: string[];
  // What needs a person, one sentence each.
  problems: string[];
  error?: string;
  command?: string;
  todo?: string;
}

// The phase under way or failed, if any.
export function currentPhase(v: StatusView): PhaseView | undefined {
  return v.phases.find((p) => p.name === v.current);
}

// The state in a few lines: what is happening, what went wrong, what to do.
export function banner(v: StatusView): Banner {
  const p = currentPhase(v);
  const place = p ? `phase ${v.phases.indexOf(p) + 1} of ${v.phases.length}` : '';
  const attempt = p && p.attempts > 1 ? `, attempt ${p.attempts}` : '';
  if (v.stopped && v.lastError)
    return {
      level: 'error',
      word: 'STOPPED',
      title: `${v.lastError.phase} could not be set up again (${formatDate(v.lastError.at)})`,
      notes: [],
      problems: [],
      error: v.lastError.message,
      ...(v.lastError.command ? { command: v.lastError.command } : {}),
      todo: `fix the cause, then: ${RESTART}`,
    };
  switch (v.state) {
    case 'locked':
      return {
        level: 'warning',
        word: 'LOCKED',
        title: 'The site waits for its unlock code',
        notes: [
          `Waiting for ${formatDuration(p?.seconds ?? v.elapsedSeconds)}. Nothing that needs a secret runs before the code is given.`,
        ],
        problems: [],
        todo: "type the site's unlock code at the bastion's console, or over SSH: fyr-agent unlock",
      };
    case 'failed':
      return {
        level: 'error',
        word: 'FAILED',
        title: `${p?.name ?? v.lastError?.phase ?? 'a phase'} failed (${place}${attempt})`,
        notes: [
          p?.finishedAt
            ? `Stopped ${formatDate(p.finishedAt)}, after ${formatDuration(p.seconds ?? 0)} in the phase.`
            : '',
        ].filter(Boolean),
        problems: [],
        ...((p?.error ?? v.lastError?.message) ? { error: p?.error ?? v.lastError?.message } : {}),
        ...((p?.command ?? v.lastError?.command) ? { command: p?.command ?? v.lastError?.command } : {}),
        todo: `fix the cause, then: ${RESTART}`,
      };
    case 'running': {
      return {
        level: 'info',
        word: 'RUNNING',
        title: p ? `${p.name} (${place})` : 'starting',
        notes: [
          p?.detail ?? '',
          p
            ? `running for ${formatDuration(p.seconds ?? 0)}${attempt}; ${v.phasesDone} of ${v.phases.length} phases done`
            : '',
        ].filter(Boolean),
        problems: [],
      };
    }
    case 'done': {
      const k = v.keeper;
      const installed = `Installed ${v.finishedAt ? formatDate(v.finishedAt) : ''} (took ${formatDuration(v.elapsedSeconds)}).`;
      if (!k)
        return {
          level: 'ok',
          word: 'DONE',
          title: 'Installed',
          notes: [installed, 'The keeper has not started yet.'],
          problems: [],
        };
      const title = {
        healthy: 'The cluster is healthy',
        attention: `${k.attention.length} ${k.attention.length === 1 ? 'thing needs' : 'things need'} attention`,
        unreachable: 'The cluster API does not answer',
        unknown: 'Installed; the keeper has not looked at the cluster yet',
        'shut-down': 'The site is shut down (fyr-agent shutdown)',
      }[k.health];
      return {
        level: healthLevel(k),
        word: healthWord(k),
        title,
        notes: keeperNotes(k),
        problems: k.attention.map((a) => attentionSentence(a, k)),
        ...(k.health === 'unreachable' && !(k.power && k.power.state !== 'running')
          ? {
              todo: `check that the nodes are on and reach the bastion (the API is on its port 6443); the keeper looks again every ${formatDuration(k.healthEverySeconds)}`,
            }
          : {}),
        ...(k.health === 'shut-down'
          ? {
              todo: 'fyr-agent power-on brings it back; with keeper.powerOn: auto the bastion does it when it boots',
            }
          : {}),
      };
    }
  }
}

// A healthy cluster in one line, and what is under way.
function keeperNotes(k: KeeperView): string[] {
  const notes: string[] = [];
  if (k.health === 'healthy') {
    const ready = k.nodes.filter((n) => n.ready).length;
    notes.push(
      [
        k.version ? `OpenShift ${k.version}` : '',
        k.nodes.length ? `${ready} of ${k.nodes.length} nodes Ready` : '',
        k.operators ? operatorsSentence(k) : '',
        !k.backups.enabled
          ? 'backups off'
          : k.backups.last
            ? `last backup ${formatDuration(k.backups.last.ageSeconds)} ago`
            : 'no backup yet',
      ]
        .filter(Boolean)
        .join(', '),
    );
  }
  if (k.desiredVersion) notes.push(`An update to ${k.desiredVersion} is under way.`);
  const o = k.operation;
  if (o && o.status === 'running')
    notes.push(
      `A ${o.kind} is under way (by ${o.by}, for ${formatDuration(o.seconds)})${o.detail ? `: ${o.detail}` : ''}`,
    );
  return notes;
}
