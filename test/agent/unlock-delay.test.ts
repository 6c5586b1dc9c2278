// The growing delay after wrong unlock codes at the bastion: none for the first typos, then
// doubling, capped at a minute.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { unlockDelayMs } from '../../src/agent/phases/locked.js';

test('locked :: unlock delay :: free for three wrong codes, then 1 s doubling to a minute', () => {
  assert.equal(
    [0, 1, 2, 3, 4, 5, 6, 8, 9, 20, 1000].map(unlockDelayMs),
    [0, 0, 0, 1000, 2000, 4000, 8000, 32_000, 60_000, 60_000, 60_000],
  );
});

test.run();
