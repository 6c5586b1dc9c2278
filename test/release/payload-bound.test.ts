// The bound of fyr's part, known from the files before its tree is planned (xorriso writes its
// session after it meanwhile): never below what the plan then takes, on trees that push each of
// its terms, and not far above it.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SECTOR } from '../../src/iso9660/read.js';
import { MAX_EXTENT } from '../../src/iso9660/records.js';
import { draftPayloadSession } from '../../src/release/payload-session.js';
import type { SessionFile } from '../../src/release/payload-dirs.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';
import { withImage } from '../helpers/iso.js';

const BASE = join(ISO_FIXTURE_DIR, 'el9.iso');
const EPOCH = 1700000000;
const file = (isoPath: string, size = 71): SessionFile => ({ isoPath, size, mode: 0o644 });

// The plan's own end: the last extent's end, or the last directory's.
function planned(files: readonly SessionFile[]) {
  return withImage(BASE, (read) => {
    const draft = draftPayloadSession(read, statSync(BASE).size, files, EPOCH);
    const session = draft.complete();
    const used = Math.max(
      ...session.files.flatMap((f) => f.extents.map((x) => x.offset + Math.ceil(x.length / SECTOR) * SECTOR)),
    );
    return { bound: draft.end, end: session.end, used };
  });
}

const cases: Record<string, SessionFile[]> = {
  // Every large file needs a sector to start on a 4 KiB boundary: an even number of sectors
  // after one of a single sector.
  'large files, each after a small one': Array.from({ length: 400 }, (_, i) => [
    file(`/fyr/payload/s${i}`),
    file(`/fyr/payload/l${i}`, 100 * SECTOR),
  ]).flat(),
  // One directory of thousands of records of the longest names: its records spill over sectors.
  'one wide directory of long names': Array.from({ length: 3000 }, (_, i) =>
    file(`/fyr/payload/wide/${'x'.repeat(120)}-${i}.data`),
  ),
  // Names of 46 non-ASCII characters: the longest Rock Ridge name a record takes.
  'names of many UTF-8 bytes': Array.from({ length: 500 }, (_, i) => file(`/fyr/payload/${'é'.repeat(44)}${i}/f`)),
  // Thousands of directories of one file each, as a registry tree has: path records, dot records.
  'a deep, sparse tree': Array.from({ length: 2000 }, (_, i) =>
    file(`/fyr/payload/registry/docker/registry/v2/blobs/sha256/${i % 256}/${'a'.repeat(60)}${i}/data`, 4096),
  ),
  // A file over 4 GiB: a record per part.
  'a file of several parts': [file('/fyr/payload/huge', 2 * MAX_EXTENT + 12_345), file('/fyr/agent/fyr-agent.mjs')],
};

for (const [name, files] of Object.entries(cases)) {
  test(`payload-bound :: ${name}: the plan fits the bound, and the bound is not far above it`, () => {
    const { bound, end, used } = planned(files);
    assert.is(end, bound, "the part's end is its bound (xorriso's session starts there)");
    assert.ok(used <= bound, `the plan reaches ${used}, beyond the bound ${bound}`);
    // The room left: zeros in the image, read by the media check. At most a sector per
    // directory, file and spilled sector of records, and a little more.
    assert.ok(bound - used <= (3 * files.length + 64) * SECTOR, `${(bound - used) / SECTOR} sectors left`);
  });
}

test('payload-bound :: a file outside /fyr/NAME/ is refused when the tree is planned', () => {
  const draft = withImage(BASE, (read) =>
    draftPayloadSession(read, statSync(BASE).size, [file('/fyr/payload/a'), file('/elsewhere/b')], EPOCH),
  );
  assert.throws(() => draft.complete(), /not in a directory under \/fyr/);
});

test.run();
