// The snapshot check against real etcd snapshots (Debian's etcd, `etcdctl snapshot save`): a
// whole one passes, and each kind of damage is named: a flipped byte, a cut file, a database
// whose meta pages are broken under a recomputed hash.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSnapshot } from '../../../src/agent/backups/etcd-snapshot.js';
import { startEtcd } from '../../helpers/etcd.js';
import { makeTmpdir, removeTmpdir } from '../../helpers/tmpdir.js';

const test = suite('agent :: backups :: etcd snapshot');

test('a saved snapshot passes; a flipped byte, a cut file and broken meta pages are each named', async () => {
  const dir = await makeTmpdir();
  const etcd = await startEtcd({ dir });
  try {
    const file = join(dir, 'snapshot.db');
    await execa('etcdctl', ['--endpoints', etcd.endpoint, 'snapshot', 'save', file], { env: { ETCDCTL_API: '3' } });
    const good = await checkSnapshot(file);
    assert.ok(good.ok, good.problem);
    const bytes = await readFile(file);
    assert.is(good.dbBytes, bytes.length - 32);
    const status = JSON.parse(
      (await execa('etcdctl', ['snapshot', 'status', file, '-w', 'json'], { env: { ETCDCTL_API: '3' } })).stdout,
    );
    assert.is(good.dbBytes, status.totalSize);

    const flipped = Buffer.from(bytes);
    flipped[Math.floor(bytes.length / 2)]! ^= 0x01;
    await writeFile(join(dir, 'flipped.db'), flipped);
    assert.equal(await checkSnapshot(join(dir, 'flipped.db')), {
      ok: false,
      problem: 'the database does not match the sha256 etcd appended to it',
    });

    await writeFile(join(dir, 'cut.db'), bytes.subarray(0, bytes.length - 100));
    assert.match(
      String((await checkSnapshot(join(dir, 'cut.db'))).problem),
      'is not a database followed by its sha256',
    );

    // Both meta pages damaged, the trailer made to match: only the bbolt check can tell.
    const db = Buffer.from(bytes.subarray(0, bytes.length - 32));
    const pageSize = good.pageSize!;
    db[16]! ^= 0xff;
    db[pageSize + 16]! ^= 0xff;
    const rehashed = Buffer.concat([db, createHash('sha256').update(db).digest()]);
    await writeFile(join(dir, 'meta.db'), rehashed);
    assert.equal(await checkSnapshot(join(dir, 'meta.db')), {
      ok: false,
      problem: 'neither bbolt meta page is valid (magic, version, checksum)',
    });
  } finally {
    await etcd.stop();
    await removeTmpdir(dir);
  }
});

test.run();
