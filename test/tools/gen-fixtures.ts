// Builds the test fixtures that are derived or binary, so none of them is committed:
// oversized and non-text site files under test/fixtures/sites/invalid/generated/, and the
// tiny base installer ISOs under test/fixtures/iso/build/ (see iso-fixtures.ts), and the virtual
// site's stand-in RHCOS and boot loaders under test/fixtures/lab/build/ (see lab-fixtures.ts).
// Run by `make fixtures`; deterministic, so a rebuild gives the same bytes.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildIsoFixtures } from './iso-fixtures.js';
import { buildLabFixtures } from './lab-fixtures.js';

const DIR = 'test/fixtures/sites/invalid/generated';

// A fixed linear congruential generator: "random" bytes that are the same on every run.
function pseudoRandomBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

export const FIXTURES: Record<string, () => Buffer> = {
  // Just over the 1 MiB limit: a valid-looking file padded with comments.
  'huge.yaml': () =>
    Buffer.from(
      `cluster: { name: edge, domain: example.com }\n${'# padding padding padding padding padding padding padding padding\n'.repeat(16_500)}`,
    ),
  // Binary garbage with NUL bytes, as from a wrong file or a corrupt download.
  'binary.yaml': () => pseudoRandomBytes(512, 42),
  // Latin-1 text: no NUL bytes, but not valid UTF-8.
  'latin1.yaml': () => Buffer.from('cluster:\n  name: sm\xf8rbr\xf8d\n', 'latin1'),
};

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync(DIR, { recursive: true });
  for (const [name, build] of Object.entries(FIXTURES)) writeFileSync(join(DIR, name), build());
  console.log(`fixtures: wrote ${Object.keys(FIXTURES).length} files to ${DIR}`);
  // git keeps 0644; fyr warns about an unlock code others can read, as it should.
  chmodSync('test/fixtures/unlock-code.txt', 0o600);
  await buildIsoFixtures((line) => console.log(line));
  await buildLabFixtures((line) => console.log(line));
}
