// The test doubles run from their bundles (test/doubles/bundle.mjs): rebuilt when a source is
// newer, and answering as the sources do.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { doublesBin } from '../doubles/bundle.mjs';

const stamp = (bin: string) => readFileSync(join(bin, '..', 'stamp'), 'utf8');

test('doubles :: a source newer than the bundle rebuilds it', () => {
  const bin = doublesBin();
  const before = stamp(bin);
  assert.is(doublesBin(), bin);
  assert.is(stamp(bin), before, 'nothing changed: not rebuilt');
  // A bundle whose double was removed from bin/ goes with the rebuild.
  writeFileSync(join(bin, 'gone-double'), '#!/bin/sh\n');
  // A module bin/ does not import directly: the bundle depends on every source.
  const source = 'test/doubles/cluster/util.mjs';
  const later = new Date(Math.max(Date.now(), statSync(source).mtimeMs) + 2000);
  utimesSync(source, later, later);
  doublesBin();
  assert.is.not(stamp(bin), before);
  assert.ok(statSync(join(bin, 'oc')).mtimeMs >= later.getTime() - 2000, 'oc rebuilt');
  assert.not.ok(existsSync(join(bin, 'gone-double')), 'a bundle without its source is removed');
});

test('doubles :: the bundled oc and oc-mirror answer as their sources', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fyr-doubles-'));
  try {
    const env = { FYR_DOUBLES_DIR: dir };
    for (const argv of [
      ['oc', 'version', '--client'],
      ['oc-mirror', 'version'],
    ]) {
      const [name, ...args] = argv as [string, ...string[]];
      const bundled = await execa(join(doublesBin(), name), args, { env, reject: false });
      const source = await execa(join('test/doubles/bin', name), args, { env, reject: false });
      assert.is(bundled.exitCode, source.exitCode, argv.join(' '));
      assert.is(bundled.stdout, source.stdout, argv.join(' '));
      assert.ok(bundled.stdout.length > 0, `${argv.join(' ')} printed something`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
