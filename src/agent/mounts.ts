// Which directories are mount points in the agent's mount namespace, read from the kernel's
// mountinfo (a mount that disappeared with a reboot is set up again; one still there is not
// mounted twice).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

// mountinfo's fifth field is the mount point, with space, tab, newline and backslash as octal.
export function mountPoints(mountinfo: string): Set<string> {
  const points = new Set<string>();
  for (const line of mountinfo.split('\n')) {
    const field = line.split(' ')[4];
    if (field) points.add(field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
  }
  return points;
}

export async function isMountPoint(dir: string, mountinfo = '/proc/self/mountinfo'): Promise<boolean> {
  return mountPoints(await readFile(mountinfo, 'utf8')).has(resolve(dir));
}
