// `fyr-agent backups`: the backups kept on the bastion, newest first, with their ages and the
// keeper's schedule (from the state file), as text or JSON.
import { backupLate } from '../keeper/records.js';
import type { AgentState } from '../state.js';
import { formatDuration } from '../time.js';
import { listBackups, type BackupFile } from './store.js';

export interface BackupListing {
  dir: string;
  enabled: boolean;
  everySeconds?: number;
  keep?: number;
  nextBackupAt?: string;
  waiting?: string;
  // The newest is older than twice the schedule.
  stale: boolean;
  backups: Array<{
    id: string;
    takenAt: string;
    ageSeconds: number;
    version: string;
    node: string;
    bytes: number;
    dir: string;
    files: BackupFile[];
  }>;
}

export async function backupListing(dir: string, state: AgentState | undefined, now: Date): Promise<BackupListing> {
  const kept = await listBackups(dir);
  const k = state?.keeper;
  const age = (at: string) => Math.max(0, Math.round((now.getTime() - Date.parse(at)) / 1000));
  const every = k?.backups.everySeconds;
  const newest = kept[0];
  return {
    dir,
    enabled: k?.backups.enabled ?? true,
    ...(every !== undefined ? { everySeconds: every } : {}),
    ...(k?.backups.keep !== undefined ? { keep: k.backups.keep } : {}),
    ...(k?.nextBackupAt ? { nextBackupAt: k.nextBackupAt } : {}),
    ...(k?.backupWaiting ? { waiting: k.backupWaiting } : {}),
    stale: k !== undefined && backupLate(k, newest?.takenAt, now),
    backups: kept.map((b) => ({
      id: b.id,
      takenAt: b.takenAt,
      ageSeconds: age(b.takenAt),
      version: b.version,
      node: b.node,
      bytes: b.bytes,
      dir: b.dir,
      files: b.record.files,
    })),
  };
}

export function backupListingText(l: BackupListing): string {
  const lines = [`etcd backups in ${l.dir}${l.keep !== undefined ? ` (the newest ${l.keep} kept)` : ''}:`];
  if (l.backups.length === 0) lines.push('  none yet');
  for (const b of l.backups)
    lines.push(
      `  ${b.id}  ${b.version.padEnd(10)} ${b.node.padEnd(10)} ${(b.bytes / 1e6).toFixed(1).padStart(8)} MB  ${formatDuration(b.ageSeconds)} ago`,
    );
  if (!l.enabled) lines.push('  scheduled backups are off (backups.enabled: false)');
  else if (l.nextBackupAt) lines.push(`  next: ${l.nextBackupAt}${l.waiting ? ` (waiting: ${l.waiting})` : ''}`);
  if (l.stale) lines.push('  WARNING: the newest backup is older than twice the schedule');
  return `${lines.join('\n')}\n`;
}
