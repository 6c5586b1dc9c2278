// The bastion's files an edited site changes: the bundle files whose sha256 differs between the
// bastion's manifest.json and the new one (written) or that the new one no longer lists
// (removed), the daemons each change needs reloaded, and the programs that check a config before
// a daemon reads it. Old files are backed up first and kept until the operation ends, so a
// config a daemon refuses is rolled back. The agent's own files (etc/fyr/) are written last by
// the operation: they say which site the bastion runs.
import { chmod, copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AGENT_ETC } from '../../formats/bastion-layout.js';
import { DHCP_SERVERS, type BastionOs } from '../../formats/bastion-os.js';
import type { ManifestEntry } from '../../formats/render-manifest.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { exists } from '../files.js';
import { withoutBootstrap } from '../phases/install-finish.js';

export interface FileWrite {
  // The bastion path, "/etc/dhcp/dhcpd.conf".
  path: string;
  mode: number;
  sha256: string;
  // The old file's sha256 from the bastion's manifest; undefined for a new file.
  old?: string;
}

export interface FileRemove {
  path: string;
  old: string;
}

export interface Reload {
  unit: string;
  // reload: the service manager's reload-or-restart; firewalld: firewall-cmd --reload;
  // daemon-reload: systemd reads its unit files again.
  how: 'reload' | 'firewalld' | 'daemon-reload';
  because: string[];
}

export interface BastionChanges {
  write: FileWrite[];
  remove: FileRemove[];
  reloads: Reload[];
}

const BUNDLE = 'bundle/';
const onBastion = (entries: readonly ManifestEntry[]) =>
  new Map(entries.filter((e) => e.path.startsWith(BUNDLE)).map((e) => [`/${e.path.slice(BUNDLE.length)}`, e]));

// Which daemon reads a bastion path, and how it takes a new one (undefined: read when used,
// like TFTP's menus, or only at install, like the install-config template).
export function readerOf(path: string, os: BastionOs): Pick<Reload, 'unit' | 'how'>[] {
  const dhcp = DHCP_SERVERS[os];
  if (path === dhcp.config) return [{ unit: dhcp.unit, how: 'reload' }];
  if (path === '/etc/named.conf' || path.startsWith('/var/named/')) return [{ unit: 'named', how: 'reload' }];
  if (path.startsWith('/etc/haproxy/')) return [{ unit: 'haproxy', how: 'reload' }];
  if (path.startsWith('/etc/httpd/')) return [{ unit: 'httpd', how: 'reload' }];
  if (path === '/etc/chrony.conf') return [{ unit: 'chronyd', how: 'reload' }];
  if (path.startsWith('/etc/firewalld/')) return [{ unit: 'firewalld', how: 'firewalld' }];
  if (path.startsWith('/etc/systemd/system/tangd.socket.d/'))
    return [
      { unit: 'systemd', how: 'daemon-reload' },
      { unit: 'tangd.socket', how: 'reload' },
    ];
  if (path.startsWith('/etc/systemd/system/')) return [{ unit: 'systemd', how: 'daemon-reload' }];
  return [];
}

// Pure: the bastion manifest's bundle files and the new manifest's → what to write, remove, reload.
export function bastionChanges(
  installed: readonly ManifestEntry[],
  next: readonly ManifestEntry[],
  os: BastionOs,
): BastionChanges {
  const a = onBastion(installed);
  const b = onBastion(next);
  const write: FileWrite[] = [];
  for (const [path, e] of b) {
    const old = a.get(path);
    if (old?.sha256 === e.sha256 && old.mode === e.mode) continue;
    write.push({ path, mode: parseInt(e.mode, 8), sha256: e.sha256, ...(old ? { old: old.sha256 } : {}) });
  }
  const remove = [...a].filter(([path]) => !b.has(path)).map(([path, e]) => ({ path, old: e.sha256 }));
  const reloads = new Map<string, Reload>();
  for (const path of [...write.map((w) => w.path), ...remove.map((r) => r.path)])
    for (const r of readerOf(path, os)) {
      const entry = reloads.get(r.unit) ?? { ...r, because: [] };
      entry.because.push(path);
      reloads.set(r.unit, entry);
    }
  // systemd first: a unit whose drop-in changed is reloaded after systemd has read it.
  const order = (r: Reload) => (r.how === 'daemon-reload' ? 0 : 1);
  return {
    write: write.sort((x, y) => (x.path < y.path ? -1 : 1)),
    remove: remove.sort((x, y) => (x.path < y.path ? -1 : 1)),
    reloads: [...reloads.values()].sort((x, y) => order(x) - order(y)),
  };
}

// The agent's own files (site.json, the secrets): written when everything else is done.
export const isAgentFile = (path: string): boolean => path.startsWith(`${AGENT_ETC}/`);

// What goes onto the bastion for a bundle file: HAProxy's config without the bootstrap servers
// (the install removed them at pivot; apply runs on an installed site).
export function bastionContent(path: string, content: Buffer): Buffer {
  return path === '/etc/haproxy/haproxy.cfg' ? Buffer.from(withoutBootstrap(content.toString('utf8'))) : content;
}

// Each changed config checked by the program that reads it, as on the bastion (root = "/" there).
export function configChecks(root: string, paths: readonly string[], os: BastionOs): Array<[string, string[]]> {
  const has = (p: (x: string) => boolean) => paths.some(p);
  const checks: Array<[string, string[]]> = [];
  const dhcp = DHCP_SERVERS[os];
  if (has((p) => p === dhcp.config))
    checks.push(
      dhcp.kind === 'kea'
        ? ['kea-dhcp4', ['-t', join(root, dhcp.config)]]
        : ['dhcpd', ['-t', '-4', '-cf', join(root, dhcp.config)]],
    );
  // -t: the zone files are found where named.conf names them, under root.
  if (has((p) => p === '/etc/named.conf' || p.startsWith('/var/named/')))
    checks.push(['named-checkconf', ['-t', root, '-z', '/etc/named.conf']]);
  if (has((p) => p === '/etc/haproxy/haproxy.cfg'))
    checks.push(['haproxy', ['-c', '-f', join(root, '/etc/haproxy/haproxy.cfg')]]);
  if (has((p) => p === '/etc/chrony.conf')) checks.push(['chronyd', ['-p', '-f', join(root, '/etc/chrony.conf')]]);
  return checks;
}

// The old files, copied under `dir` before anything is written; `index.json` lists which existed.
export async function backUp(root: string, dir: string, paths: readonly string[]): Promise<void> {
  const index = join(dir, 'index.json');
  if (await exists(index)) return;
  const existed: string[] = [];
  for (const path of paths) {
    const from = join(root, path);
    const s = await stat(from).catch(() => undefined);
    if (!s?.isFile()) continue;
    const to = join(dir, 'files', path);
    await mkdir(dirname(to), { recursive: true, mode: 0o700 });
    await copyFile(from, to);
    await chmod(to, s.mode & 0o7777);
    existed.push(path);
  }
  await writeFileAtomic(index, `${JSON.stringify({ paths, existed }, null, 2)}\n`, { mode: 0o600 });
}

// Puts back what backUp kept: the old files, and no file where there was none.
export async function rollBack(root: string, dir: string): Promise<string[]> {
  const { paths, existed } = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as {
    paths: string[];
    existed: string[];
  };
  for (const path of paths) {
    const to = join(root, path);
    if (existed.includes(path)) {
      const from = join(dir, 'files', path);
      await writeFileAtomic(to, await readFile(from), { mode: (await stat(from)).mode & 0o7777 });
      await chmod(to, (await stat(from)).mode & 0o7777);
    } else await rm(to, { force: true });
  }
  return paths;
}

// Writes (atomically, with the manifest's mode) and removes; content by bastion path.
export async function installFiles(
  root: string,
  write: ReadonlyArray<{ path: string; mode: number; content: Buffer }>,
  remove: readonly string[],
): Promise<void> {
  for (const f of write) {
    const to = join(root, f.path);
    await mkdir(dirname(to), { recursive: true });
    await writeFileAtomic(to, f.content, { mode: f.mode });
    // open(2)'s mode is masked by the umask; the manifest's mode is what the file must have.
    await chmod(to, f.mode);
  }
  for (const path of remove) await rm(join(root, path), { force: true });
}
