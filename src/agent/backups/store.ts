// The etcd backups kept on the bastion: one directory per backup under /var/lib/fyr/backups
// (0700), named by when it was taken, holding the snapshot, the static resources and
// backup.json (what was checked). A backup is made in `<id>.partial` and renamed when whole,
// so a listed backup is always complete; the newest `keep` are kept.
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Writable } from 'node:stream';
import { createHash } from 'node:crypto';
import { writeFileAtomic } from '../../util/atomic-write.js';
import type { BackupSummary } from '../keeper/records.js';

export const BACKUP_FORMAT = 'fyr-etcd-backup/1';
export const PARTIAL = '.partial';

export interface BackupFile {
  name: string;
  kind: 'snapshot' | 'static-resources';
  bytes: number;
  sha256: string;
}

export interface BackupRecord {
  format: typeof BACKUP_FORMAT;
  id: string;
  cluster: string;
  takenAt: string;
  // The control-plane node it was taken on and the cluster version it restores to.
  node: string;
  version: string;
  files: BackupFile[];
  // What the snapshot's own check found (etcd-snapshot.ts).
  snapshot: { dbBytes: number; revisionTx: string };
}

export async function ensureBackupsDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

export async function fileSum(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

// A gzip stream read to its end: its CRC and length trailer hold.
export async function checkGzip(path: string): Promise<string | undefined> {
  try {
    await pipeline(
      createReadStream(path),
      createGunzip(),
      new Writable({
        write(_chunk, _enc, done) {
          done();
        },
      }),
    );
    return undefined;
  } catch (err) {
    return `not a whole gzip file (${(err as Error).message})`;
  }
}

// Flushes the named files in `dir`, then `dir` itself (its entries), to the disk.
export async function syncFiles(dir: string, names: readonly string[]): Promise<void> {
  for (const path of [...names.map((n) => join(dir, n)), dir]) {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

export async function writeBackupRecord(dir: string, record: BackupRecord): Promise<void> {
  await writeFileAtomic(join(dir, 'backup.json'), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

function summary(dir: string, r: BackupRecord): BackupSummary {
  return {
    id: r.id,
    takenAt: r.takenAt,
    dir,
    node: r.node,
    version: r.version,
    bytes: r.files.reduce((n, f) => n + f.bytes, 0),
  };
}

export async function readBackup(dir: string): Promise<BackupRecord | undefined> {
  try {
    const r = JSON.parse(await readFile(join(dir, 'backup.json'), 'utf8')) as BackupRecord;
    return r?.format === BACKUP_FORMAT ? r : undefined;
  } catch {
    return undefined;
  }
}

// The whole backups, newest first; directories that are not one (partial, foreign) are left out.
export async function listBackups(root: string): Promise<Array<BackupSummary & { record: BackupRecord }>> {
  const names = await readdir(root).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  const out: Array<BackupSummary & { record: BackupRecord }> = [];
  for (const name of names) {
    if (name.endsWith(PARTIAL)) continue;
    const dir = join(root, name);
    if (!(await stat(dir)).isDirectory()) continue;
    const r = await readBackup(dir);
    if (r && r.id === name) out.push({ ...summary(dir, r), record: r });
  }
  return out.sort((a, b) => b.takenAt.localeCompare(a.takenAt) || b.id.localeCompare(a.id));
}

// Removes the oldest whole backups beyond `keep` (never the newest), and partial ones other
// than `busy` (the one being made). Returns the ids removed.
export async function pruneBackups(root: string, keep: number, busy?: string): Promise<string[]> {
  const removed: string[] = [];
  const whole = await listBackups(root);
  for (const old of whole.slice(Math.max(1, keep))) {
    await rm(old.dir, { recursive: true, force: true });
    removed.push(old.id);
  }
  for (const name of await readdir(root).catch(() => [] as string[]))
    if (name.endsWith(PARTIAL) && name !== `${busy}${PARTIAL}`) {
      await rm(join(root, name), { recursive: true, force: true });
      removed.push(name);
    }
  return removed;
}

export { summary as backupSummary };
