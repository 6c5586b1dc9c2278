// The hostile corpus (issue 32): mutated ISOs from a fixed seed through inspect --verify, build
// and customize; tampered content directories; hostile site and secrets files. Run in a child
// process (run-corpus.ts) so its peak memory is measured alone. What must hold: no false accept,
// no internal error, no mutant outside the payload turned into a site ISO, nothing read from or
// printed of a file outside the content directory or from a secrets file, under 200 MB.
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';
import { makeCorpusRelease, SEED } from './iso-corpus.js';

// Mutants per command: 60 keeps the corpus near a minute on 2 cores (each mutant is an
// inspect --verify, a build and a customize of a 28 MB release), with every weighted region
// hit several times; the review that found the defects used 302.
const MUTANTS = 60;

test('hostile corpus :: mutated ISOs, tampered content, hostile site files: no false accept, no leak, < 200 MB', async () => {
  const dir = await makeTmpdir();
  try {
    const release = await makeCorpusRelease(dir);
    // --expose-gc: the corpus collects between inputs, so the peak is the largest input's.
    const args = ['--expose-gc', '--import', 'tsx', 'test/hostile/run-corpus.ts', release, String(MUTANTS)];
    const r = await execa('node', args, {
      reject: false,
      env: { NO_COLOR: '1' },
    });
    assert.is(r.exitCode, 0, r.stderr);
    const c = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    console.log(
      `  hostile corpus (seed ${SEED}): ${c.iso.mutants} ISO mutants x 3 commands (${c.iso.outsideMutants} outside the payload, ${c.iso.payloadMutants} in it) + ${c.iso.notIsos} non-ISOs: ` +
        `${c.iso.falseAccepts} false accepts, ${c.iso.outsideAccepted} outside accepted, ${c.iso.internalErrors} internal errors; ` +
        `${c.content.cases} content tamperings: ${c.content.accepted} accepted, ${c.content.leaked} leaks; ` +
        `${c.site.cases} site files: ${c.site.internalErrors} internal errors, ${c.site.leaked} leaks; peak ${c.peakRssMb} MB (after the ISOs ${c.rssSteps[1]}, the content ${c.rssSteps[2]}); ${Math.round(c.ms / 1000)} s`,
    );
    const failures = [...c.iso.failures, ...c.content.failures, ...c.site.failures];
    assert.equal(failures, []);
    assert.is(c.iso.mutants, MUTANTS);
    assert.ok(c.iso.outsideMutants > MUTANTS / 4, 'too few mutants outside the payload to show anything');
    for (const n of [c.iso.falseAccepts, c.iso.internalErrors, c.iso.outsideAccepted, c.iso.badSiteIsos])
      assert.is(n, 0);
    for (const n of [c.content.accepted, c.content.leaked, c.content.internalErrors]) assert.is(n, 0);
    for (const n of [c.site.internalErrors, c.site.leaked]) assert.is(n, 0);
    assert.ok(c.peakRssMb < 200, `peak memory ${c.peakRssMb} MB`);
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
