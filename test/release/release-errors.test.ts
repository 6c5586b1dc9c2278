// fyr release refuses bad input with one clear message and leaves nothing behind: not an ISO,
// a truncated ISO, an unknown boot layout, content that does not match its manifest, an
// existing output, a full disk, an interrupted build.
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isFyrError } from '../../src/errors.js';
import { buildRelease, type ReleaseOptions } from '../../src/release/release.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';
import { CONTENT_FILES, makeContent } from '../helpers/content.js';
import { runCli, spawnCli, STACK_FRAME } from '../helpers/cli.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const EL9 = join(ISO_FIXTURE_DIR, 'el9.iso');

async function withContent(fn: (dir: string) => Promise<void>) {
  const dir = await makeTmpdir();
  try {
    await makeContent(join(dir, 'content'));
    await fn(dir);
  } finally {
    await removeTmpdir(dir);
  }
}

const cli = (dir: string, base: string, ...extra: string[]) =>
  runCli([
    'release',
    '--base',
    base,
    '--content',
    join(dir, 'content'),
    '-o',
    join(dir, 'out', 'release.iso'),
    '--site-area',
    '1M',
    ...extra,
  ]);

function assertNothingWritten(dir: string) {
  assert.equal(readdirSync(join(dir, 'out')), [], 'the output directory must stay empty');
  assert.equal(
    readdirSync('/tmp').filter((f) => f.startsWith('fyr-release-')),
    [],
    'staging directories must be removed',
  );
}

test('release-errors :: not an ISO', () =>
  withContent(async (dir) => {
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'notes.txt'), 'hello\n'.repeat(10000));
    const r = await cli(dir, join(dir, 'notes.txt'));
    assert.is(r.code, 1);
    assert.match(r.stderr, /notes\.txt is not an ISO 9660 image .*\[BASE_ISO_INVALID\]/);
    assert.not.match(r.stderr, STACK_FRAME);
    assertNothingWritten(dir);
  }));

test('release-errors :: a truncated ISO', () =>
  withContent(async (dir) => {
    mkdirSync(join(dir, 'out'));
    const half = join(dir, 'half.iso');
    copyFileSync(EL9, half);
    truncateSync(half, Math.floor(statSync(EL9).size / 2));
    const r = await cli(dir, half);
    assert.is(r.code, 1);
    assert.match(r.stderr, /half\.iso is truncated: its volume descriptor says \d+ bytes, the file has \d+/);
    assertNothingWritten(dir);
  }));

test('release-errors :: an ISO with a boot layout fyr does not know names what it found', () =>
  withContent(async (dir) => {
    mkdirSync(join(dir, 'out'));
    mkdirSync(join(dir, 'tree'));
    writeFileSync(join(dir, 'tree', 'readme.txt'), 'data\n');
    await execa('xorriso', ['-as', 'mkisofs', '-R', '-V', 'DATA', '-o', join(dir, 'plain.iso'), join(dir, 'tree')]);
    const r = await cli(dir, join(dir, 'plain.iso'));
    assert.is(r.code, 1);
    assert.match(r.stderr, /boot layout not recognised \(BIOS boot image: none, EFI boot image: none\)/);
    assert.match(r.stderr, /fyr knows RHEL 9 .* and RHEL 10/);
    assertNothingWritten(dir);
  }));

test('release-errors :: a content file whose sha256 differs is reported at its manifest line', () =>
  withContent(async (dir) => {
    mkdirSync(join(dir, 'out'));
    const victim = join(dir, 'content', CONTENT_FILES[2]!.path);
    const bytes = readFileSync(victim);
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(victim, bytes);
    const r = await cli(dir, EL9);
    assert.is(r.code, 3);
    assert.match(
      r.stderr,
      /fyr-content\.json:\d+:\d+: .*files\[2\]\.sha256.*rhcos-live-rootfs\.x86_64\.img has sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}/,
    );
    assert.match(r.stderr, /CONTENT_SHA256_MISMATCH/);
    assertNothingWritten(dir);
  }));

// Checksums are checked while the files are copied: a mismatch stops the writing, and the
// files after it are still read so that every mismatch is listed.
test("release-errors :: every sha256 mismatch is listed, a content agent's too, and nothing is left", async () => {
  const dir = await makeTmpdir();
  try {
    await makeContent(join(dir, 'content'), { agent: true });
    mkdirSync(join(dir, 'out'));
    for (const path of [CONTENT_FILES[2]!.path, 'agent/fyr-agent.js']) {
      const victim = join(dir, 'content', path);
      const bytes = readFileSync(victim);
      bytes[10] = bytes[10]! ^ 0xff;
      writeFileSync(victim, bytes);
    }
    const r = await cli(dir, EL9);
    assert.is(r.code, 3, r.stderr);
    assert.match(r.stderr, /files\[2\]\.sha256.*rhcos-live-rootfs\.x86_64\.img has sha256/);
    assert.match(r.stderr, new RegExp(`files\\[${CONTENT_FILES.length}\\]\\.sha256.*agent/fyr-agent\\.js has sha256`));
    assert.is(r.stderr.match(/CONTENT_SHA256_MISMATCH/g)?.length, 2, r.stderr);
    assertNothingWritten(dir);
  } finally {
    await removeTmpdir(dir);
  }
});

test('release-errors :: missing content: a missing file, a missing manifest', () =>
  withContent(async (dir) => {
    mkdirSync(join(dir, 'out'));
    rmSync(join(dir, 'content', CONTENT_FILES[5]!.path));
    const r = await cli(dir, EL9);
    assert.is(r.code, 3);
    assert.match(r.stderr, /files\[5\]\.path.*bin\/oc is not in .*content.*CONTENT_FILE_MISSING/);
    rmSync(join(dir, 'content', 'fyr-content.json'));
    const r2 = await cli(dir, EL9);
    assert.is(r2.code, 3);
    assert.match(r2.stderr, /fyr-content\.json: .*\[CONTENT_INVALID\]/);
    assert.match(r2.stderr, /needs a fyr-content\.json/);
    assertNothingWritten(dir);
  }));

test('release-errors :: an existing output is kept unless --force', () =>
  withContent(async (dir) => {
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'release.iso'), 'precious');
    const r = await cli(dir, EL9);
    assert.is(r.code, 1);
    assert.match(r.stderr, /exists; pass --force to replace it \[OUTPUT_EXISTS\]/);
    assert.is(readFileSync(join(dir, 'out', 'release.iso'), 'utf8'), 'precious');
    const forced = await cli(dir, EL9, '--force', '--json');
    assert.is(forced.code, 0, forced.stderr);
    const json = JSON.parse(forced.stdout);
    assert.is(json.ok, true);
    assert.is(json.release.format, 'fyr-release/1');
    assert.ok(statSync(join(dir, 'out', 'release.iso')).size > 1 << 20);
  }));

// The precheck passes, then something else fills the disk while the image is written: the
// case a precheck cannot catch.
test('release-errors :: a disk that fills up during the write stops it with NO_SPACE and leaves nothing', () =>
  withContent(async (dir) => {
    const out = join(dir, 'out');
    mkdirSync(out);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'fyr-test-full', out]);
    try {
      const filler = join(out, 'filler');
      const o: ReleaseOptions = {
        base: EL9,
        contentDir: join(dir, 'content'),
        output: join(out, 'release.iso'),
        ksAreaBytes: 65536,
        siteAreaBytes: 1 << 20,
        bootTimeoutSeconds: 5,
        fyrVersion: 'test',
        onProgress: (e) => {
          if (e.phase === 'prepare') writeFileSync(filler, Buffer.alloc(40 << 20));
        },
      };
      const err = await buildRelease(o).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isFyrError(err), String(err));
      assert.is(err.code, 'NO_SPACE');
      assert.match(err.message, /no space left writing/);
      assert.equal(readdirSync(out), ['filler']);
      rmSync(filler);
      const tiny = await runCli([
        'release',
        '--base',
        EL9,
        '--content',
        join(dir, 'content'),
        '-o',
        join(out, 'release.iso'),
        '--site-area',
        '64M',
      ]);
      assert.is(tiny.code, 1);
      assert.match(tiny.stderr, /has \d+ bytes free; the release needs about \d+ \[NO_SPACE\]/);
      assert.equal(readdirSync(out), []);
    } finally {
      await execa('umount', [out]);
    }
  }));

test('release-errors :: an interrupted build leaves nothing at the output path', () =>
  withContent(async (dir) => {
    mkdirSync(join(dir, 'out'));
    const stop = new AbortController();
    const o: ReleaseOptions = {
      base: EL9,
      contentDir: join(dir, 'content'),
      output: join(dir, 'out', 'release.iso'),
      ksAreaBytes: 65536,
      siteAreaBytes: 1 << 20,
      bootTimeoutSeconds: 5,
      fyrVersion: 'test',
      signal: stop.signal,
      onProgress: (e) => e.phase === 'prepare' && setTimeout(() => stop.abort(), 20),
    };
    const err = await buildRelease(o).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isFyrError(err), String(err));
    assert.is(err.code, 'INTERRUPTED');
    assertNothingWritten(dir);
  }));

test('release-errors :: a fyr release given as --base is refused, naming what to give instead', () =>
  withContent(async (dir) => {
    mkdirSync(join(dir, 'out'));
    const first = await cli(dir, EL9, '--quiet');
    assert.is(first.code, 0, first.stderr);
    const release = join(dir, 'release.iso');
    renameSync(join(dir, 'out', 'release.iso'), release);
    // The first run's sidecars: the second must write none.
    rmSync(join(dir, 'out', 'release.iso.md5state.json'));
    rmSync(join(dir, 'out', 'release.iso.sha256'));
    const again = await cli(dir, release);
    assert.is(again.code, 1, again.stderr);
    assert.match(again.stderr, /release\.iso is already a fyr release \(it has \/release\.json\) \[BASE_ISO_INVALID\]/);
    assert.match(again.stderr, /Give the original RHEL installer ISO as --base/);
    assertNothingWritten(dir);
  }));

// A full TMPDIR (where the boot files are staged) and a disk that fills just before the
// .md5state.json sidecar are NO_SPACE naming the place and the room, not a bug, and leave nothing.
test('release-errors :: a full TMPDIR and a full disk at the sidecar are NO_SPACE naming where and how much', () =>
  withContent(async (dir) => {
    const tmp = join(dir, 'tmp');
    const out = join(dir, 'out');
    mkdirSync(tmp);
    mkdirSync(out);
    const options = (output: string): ReleaseOptions => ({
      base: EL9,
      contentDir: join(dir, 'content'),
      output,
      ksAreaBytes: 65536,
      siteAreaBytes: 1 << 20,
      bootTimeoutSeconds: 5,
      fyrVersion: 'test',
    });
    const failure = (o: ReleaseOptions) =>
      buildRelease(o).then(
        () => undefined,
        (e: unknown) => e,
      );
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'fyr-test-tmpdir', tmp]);
    try {
      // Its own process, as a user runs it: TMPDIR is read by that process alone.
      const r = await spawnCli(
        [
          'release',
          '--base',
          EL9,
          '--content',
          join(dir, 'content'),
          '-o',
          join(out, 'release.iso'),
          '--ks-area',
          '64K',
          '--site-area',
          '1M',
        ],
        { TMPDIR: tmp, PATH: process.env.PATH ?? '' },
      );
      assert.is(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        /no space left staging the boot files in .*tmp\/fyr-release-\w+: it needs about \d+ bytes, \d+ are free in .*tmp \[NO_SPACE\]/,
      );
      assert.equal(readdirSync(tmp), []);
      assert.equal(readdirSync(out), []);
    } finally {
      await execa('umount', [tmp]);
    }

    await execa('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'fyr-test-sidecar', out]);
    try {
      const filler = join(out, 'filler');
      const err = await failure({
        ...options(join(out, 'release.iso')),
        // The image is complete and in place: fill what is left before the sidecar is written.
        onProgress: (e) => {
          if (e.phase !== 'finish') return;
          const fs = statfsSync(out);
          try {
            writeFileSync(filler, Buffer.alloc(fs.bavail * fs.bsize));
          } catch {
            // full
          }
        },
      });
      assert.ok(isFyrError(err), String(err));
      assert.is(err.code, 'NO_SPACE');
      assert.match(
        err.message,
        /no space left writing .*release\.iso\.md5state\.json: it needs about \d+ bytes, 0 are free in /,
      );
      assert.equal(readdirSync(out), ['filler']);
    } finally {
      await execa('umount', [out]);
    }
  }));

test('release-errors :: usage problems', async () => {
  const r = await runCli(['release', '--content', 'x', '-o', 'y']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /missing --base/);
  const size = await runCli(['release', '--base', EL9, '--content', 'x', '-o', 'y', '--site-area', 'lots']);
  assert.match(size.stderr, /--site-area lots: expected a size such as 256K, 8M or 1G/);
  const epoch = await runCli(['release', '--base', EL9, '--content', 'x', '-o', 'y'], {
    SOURCE_DATE_EPOCH: 'yesterday',
  });
  assert.match(epoch.stderr, /SOURCE_DATE_EPOCH=yesterday: expected seconds since 1970/);
  const help = await runCli(['release', '--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, /--content DIR/);
});

test.run();
