// The fake cluster's state: one JSON file, $FYR_DOUBLES_DIR/cluster/state.json, written
// atomically (a temporary file renamed over it) under a lock file, since the agent, the
// installer double and the test all touch it at once. Each node's host file system is a
// directory beside it, cluster/hosts/NAME/, standing for the node's "/".
import {
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  closeSync,
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
// broken, so a killed caller never wedges the cluster.
function lock(doublesDir) {
  const file = join(clusterDir(doublesDir), 'state.lock');
  for (let i = 0; ; i++) {
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => unlinkSync(file);
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    try {
      const pid = Number(readFileSync(file, 'utf8'));
      let alive = pid > 0;
      try {
        if (alive) process.kill(pid, 0);
      } catch {
        alive = false;
      }
      if (!alive || Date.now() - statSync(file).mtimeMs > 60_000) unlinkSync(file);
    } catch {
      // the owner released it meanwhile
    }
    sleepSync(Math.min(2 + i, 20));
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
