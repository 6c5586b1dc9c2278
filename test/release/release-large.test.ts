// A registry blob over 4 GiB (sparse on disk) is recorded as a multi-extent ISO 9660 level 3
// file with its full size, its bytes checked against its name while copied, and the media
// check still passes. (A plain payload file takes the same path.)
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findInIso, walkIso } from '../../src/iso9660/read.js';
import { buildRelease } from '../../src/release/release.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';
import { BIG_FILE, makeContentV2 } from '../helpers/content.js';
import { withImage } from '../helpers/iso.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

test('release-large :: a 4 GiB + 12 KiB registry blob lands whole, in several extents', async () => {
  const dir = await makeTmpdir();
  try {
    await makeContentV2(join(dir, 'content'), { bigBlob: true });
    const result = await buildRelease({
      base: join(ISO_FIXTURE_DIR, 'el10.iso'),
      contentDir: join(dir, 'content'),
      output: join(dir, 'big.iso'),
      ksAreaBytes: 65536,
      siteAreaBytes: 1 << 20,
      bootTimeoutSeconds: 5,
      fyrVersion: 'test',
    });
    assert.ok(result.size > BIG_FILE.size);
    const blob = walkTreeBlob(result.output);
    const entry = withImage(result.output, (read) => findInIso(read, blob));
    assert.ok(entry);
    assert.ok(entry.extents.length >= 2, `expected a multi-extent file, got ${entry.extents.length} extent(s)`);
    assert.is(
      entry.extents.reduce((n, x) => n + x.length, 0),
      BIG_FILE.size,
    );
    assert.ok(result.info.registry!.bytes > BIG_FILE.size);
    const check = await execa('checkisomd5', [result.output], { reject: false, all: true });
    assert.is(check.exitCode, 0, check.all);
  } finally {
    await removeTmpdir(dir);
  }
});

// The big blob's ISO path: the one registry file over 4 GiB.
function walkTreeBlob(iso: string): string {
  return withImage(
    iso,
    (read) => walkIso(read).find((e) => !e.directory && e.extents.length > 1 && e.path.endsWith('/data'))!.path,
  );
}

test.run();
