// One agent per site: the state file has one writer, the keeper one socket. A pid file in the
// state directory, taken at start; one left by an agent that is gone (killed, a reboot) is
// taken over, checked by the process's command line, since a pid is reused after a reboot.
// The pid file is whole before it has its name (written under our own name, then hard-linked,
// which fails if the name exists): a second agent starting at once never reads it empty.
import { link, readFile, rm, writeFile } from 'node:fs/promises';

export type Lock = { held: true; release(): Promise<void> } | { held: false; pid: number };

async function running(pid: number): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes('fyr-agent');
}

export async function takeLock(file: string): Promise<Lock> {
  const mine = `${file}.${process.pid}`;
  await writeFile(mine, `${process.pid}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await link(mine, file);
        return { held: true, release: () => rm(file, { force: true }) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
        if (await running(pid)) return { held: false, pid };
        await rm(file, { force: true });
      }
    }
  } finally {
    await rm(mine, { force: true });
  }
  throw new Error(`${file}: cannot take the agent's lock`);
}
