// The bastion's backup store: only whole backups are listed, newest first; pruning keeps the
// newest `keep` (never fewer than one) and clears partial leftovers but the one being made.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BACKUP_FORMAT,
  checkGzip,
  listBackups,
  pruneBackups,
  writeBackupRecord,
  type BackupRecord,
} from '../../../src/agent/backups/store.js';
import { backupListing, backupListingText } from '../../../src/agent/backups/listing.js';
import { makeTmpdir, removeTmpdir } from '../../helpers/tmpdir.js';

const test = suite('agent :: backups :: store');
let dir = '';
test.before.each(async () => {
  dir = await makeTmpdir();
});
test.after.each(async () => removeTmpdir(dir));

async function make(id: string, takenAt: string, version = '4.18.9'): Promise<void> {
  await mkdir(join(dir, id), { recursive: true });
  const record: BackupRecord = {
    format: BACKUP_FORMAT,
    id,
    cluster: 'edge.example.com',
    takenAt,
    node: 'cp-0',
    version,
    files: [{ name: 'snapshot_x.db', kind: 'snapshot', bytes: 1000, sha256: 'a'.repeat(64) }],
    snapshot: { dbBytes: 968, revisionTx: '5' },
  };
  await writeBackupRecord(join(dir, id), record);
}

test('lists whole backups newest first; partial and foreign directories are not backups', async () => {
  await make('20261201-000000', '2026-12-01T00:00:00.000Z');
  await make('20261203-000000', '2026-12-03T00:00:00.000Z');
  await make('20261202-000000', '2026-12-02T00:00:00.000Z');
  await mkdir(join(dir, '20261204-000000.partial'));
  await mkdir(join(dir, 'lost+found'));
  await writeFile(join(dir, 'notes.txt'), 'x');
  const list = await listBackups(dir);
  assert.equal(
    list.map((b) => b.id),
    ['20261203-000000', '20261202-000000', '20261201-000000'],
  );
  assert.is(list[0]!.bytes, 1000);
  assert.equal(await listBackups(join(dir, 'none')), []);
});

test('prune keeps the newest N and removes partial leftovers except the busy one', async () => {
  for (let d = 1; d <= 5; d++) await make(`2026120${d}-000000`, `2026-12-0${d}T00:00:00.000Z`);
  await mkdir(join(dir, '20261206-000000.partial'));
  await mkdir(join(dir, '20261130-000000.partial'));
  const removed = await pruneBackups(dir, 3, '20261206-000000');
  assert.equal(removed.sort(), ['20261130-000000.partial', '20261201-000000', '20261202-000000'].sort());
  assert.equal((await readdir(dir)).sort(), [
    '20261203-000000',
    '20261204-000000',
    '20261205-000000',
    '20261206-000000.partial',
  ]);
  // keep 0 would leave the site with none: the newest always stays.
  await pruneBackups(dir, 0);
  assert.equal(await readdir(dir), ['20261205-000000']);
});

test('the listing ages each backup and warns when the newest is older than twice the schedule', async () => {
  await make('20261201-000000', '2026-12-01T00:00:00.000Z');
  const state = {
    keeper: { backups: { enabled: true, everySeconds: 6 * 3600, keep: 14 }, nextBackupAt: '2026-12-01T06:00:00.000Z' },
  } as never;
  const fresh = await backupListing(dir, state, new Date('2026-12-01T11:00:00Z'));
  assert.is(fresh.stale, false);
  assert.is(fresh.backups[0]!.ageSeconds, 11 * 3600);
  const old = await backupListing(dir, state, new Date('2026-12-01T13:00:00Z'));
  assert.is(old.stale, true);
  const text = backupListingText(old);
  assert.match(text, /20261201-000000 {2}4\.18\.9 +cp-0 +0\.0 MB {2}13 h ago/);
  assert.match(text, 'WARNING: the newest backup is older than twice the schedule');
  assert.match(backupListingText(await backupListing(join(dir, 'none'), undefined, new Date())), 'none yet');
});

test('a gzip stream is checked to its end', async () => {
  await writeFile(join(dir, 'ok.tar.gz'), gzipSync(Buffer.alloc(100_000, 7)));
  assert.is(await checkGzip(join(dir, 'ok.tar.gz')), undefined);
  const cut = gzipSync(Buffer.alloc(100_000, 7));
  await writeFile(join(dir, 'cut.tar.gz'), cut.subarray(0, cut.length - 6));
  assert.match(String(await checkGzip(join(dir, 'cut.tar.gz'))), 'not a whole gzip file');
});

test.run();
