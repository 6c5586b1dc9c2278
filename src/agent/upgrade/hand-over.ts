// `fyr-agent upgrade --yes` after it installed a newer agent from the stick (self.ts): the keeper
// (systemd's unit) is restarted on the new agent, and once the new keeper answers on its socket
// the same command runs again with the new agent, which finds the versions equal and goes on.
// Without systemd (the supervisor of tests and labs) whoever started the keeper restarts it;
// the command is handed over all the same, once a keeper answers.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { AGENT_UNIT } from '../../formats/bastion-layout.js';
import type { Exec } from '../exec.js';

export interface HandOver {
  services: string;
  exec: Exec;
  keeperSocket: string;
  agentFile: string;
  // The command's own arguments (after the agent's path), passed on unchanged.
  args: readonly string[];
  err: (text: string) => void;
  // How long the new keeper may take to answer (systemd starts it, it reads its state).
  readyMs?: number;
  node?: string;
}

export const restartKeeper = (): [string, string[]] => ['systemctl', ['restart', AGENT_UNIT]];

// True once a connection to the keeper's socket is accepted (a connection that sends no line
// is nothing to the keeper: unix-socket.ts).
const answers = (path: string): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

export async function waitForKeeper(path: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (await answers(path)) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function handOver(h: HandOver): Promise<number> {
  if (h.services === 'systemd') {
    const [cmd, args] = restartKeeper();
    await h.exec(cmd, args);
  } else h.err('fyr-agent: not under systemd: restart the keeper yourself so that it runs the new agent\n');
  const readyMs = h.readyMs ?? 120_000;
  if (!(await waitForKeeper(h.keeperSocket, readyMs))) {
    h.err(
      `fyr-agent: the keeper did not answer on ${h.keeperSocket} within ${Math.round(readyMs / 1000)} s of its restart on the new agent (journalctl -u ${AGENT_UNIT}); run fyr-agent upgrade --yes again once it does\n`,
    );
    return 1;
  }
  const child = spawn(h.node ?? process.execPath, [h.agentFile, ...h.args], { stdio: 'inherit' });
  return new Promise((resolve) => {
    child.once('error', (err) => {
      h.err(`fyr-agent: the new agent could not be started: ${err.message}\n`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
