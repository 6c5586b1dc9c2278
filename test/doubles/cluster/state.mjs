// The fake cluster's state: one JSON file, $FYR_DOUBLES_DIR/cluster/state.json, written
// atomically (a temporary file renamed over it) under a lock file, since the agent, the
// installer double and the test all touch it at once. Each node's host file system is a
// directory beside it, cluster/hosts/NAME/, standing for the node's "/".
import {
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { sleepSync } from './util.mjs';

export const clusterDir = (doublesDir) => join(doublesDir, 'cluster');
export const stateFile = (doublesDir) => join(clusterDir(doublesDir), 'state.json');
export const hostRoot = (doublesDir, node) => join(clusterDir(doublesDir), 'hosts', node);
export const pkiDir = (doublesDir) => join(clusterDir(doublesDir), 'pki');

export const clusterExists = (doublesDir) => Boolean(doublesDir) && existsSync(stateFile(doublesDir));

export function load(doublesDir) {
  return JSON.parse(readFileSync(stateFile(doublesDir), 'utf8'));
}

export function save(doublesDir, state) {
  const file = stateFile(doublesDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 1)}\n`);
  renameSync(tmp, file);
}

// A lock file holding the owner's pid; a lock whose owner is gone (or older than a minute) is
// broken, so a killed caller never wedges the cluster. The lock is made whole before it exists:
// the pid is written to a file of the caller's own, then hard-linked to the lock's name (link
// fails if the name exists), so no one ever reads a lock without its owner's pid in it.
function lock(doublesDir) {
  const file = join(clusterDir(doublesDir), 'state.lock');
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, `${process.pid}\n`);
  try {
    for (let i = 0; ; i++) {
      try {
        linkSync(mine, file);
        return () => {
          // Only our own lock is removed: one broken as stale meanwhile belongs to another.
          if (ownerOf(file) === process.pid) unlinkSync(file);
        };
      } catch (err) {
        if (err.code !== 'EEXIST') throw err;
      }
      const pid = ownerOf(file);
      if (pid !== undefined && (!alive(pid) || stale(file))) {
        try {
          unlinkSync(file);
        } catch {
          // its owner released it meanwhile
        }
      }
      sleepSync(Math.min(2 + i, 20));
    }
  } finally {
    unlinkSync(mine);
  }
}

function ownerOf(file) {
  try {
    return Number(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function stale(file) {
  try {
    return Date.now() - statSync(file).mtimeMs > 60_000;
  } catch {
    return false;
  }
}

// Runs fn(state) under the lock and saves the state when fn changed it.
export function update(doublesDir, fn) {
  mkdirSync(clusterDir(doublesDir), { recursive: true });
  const release = lock(doublesDir);
  try {
    const before = readFileSync(stateFile(doublesDir), 'utf8');
    const state = JSON.parse(before);
    const result = fn(state);
    if (`${JSON.stringify(state, null, 1)}\n` !== before) save(doublesDir, state);
    return result;
  } finally {
    release();
  }
}
