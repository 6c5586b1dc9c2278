// What the agent reads of ClusterVersion while it follows a hop: done once the hop's version is
// Completed anywhere in the history (a resumed two-hop upgrade looks at the first hop while the
// second is under way), the percentage from Progressing, ReleaseAccepted as the cluster says it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hopState } from '../../../src/agent/operations/upgrade.js';

const cv = (history: Array<[string, string]>, progressing = '') =>
  ({
    status: {
      history: history.map(([version, state]) => ({ version, state, image: `img-${version}` })),
      conditions: [
        { type: 'Progressing', status: progressing ? 'True' : 'False', message: progressing },
        { type: 'ReleaseAccepted', status: 'True', reason: 'PayloadLoaded' },
      ],
    },
  }) as never;

test('hop state :: done when Completed anywhere in the history; the percentage while Partial', () => {
  const first = { version: '4.18.12', image: 'img-4.18.12' };
  const second = { version: '4.19.3', image: 'img-4.19.3' };
  const h = [
    ['4.19.3', 'Partial'],
    ['4.18.12', 'Completed'],
    ['4.18.9', 'Completed'],
  ] as Array<[string, string]>;
  const during = cv(h, 'Working towards 4.19.3: 106 of 841 done (12% complete)');
  assert.ok(hopState(during, first).done, 'the first hop is done while the second runs');
  assert.not.ok(hopState(during, second).done);
  assert.is(hopState(during, second).percent, '12');
  assert.is(hopState(during, second).accepted?.reason, 'PayloadLoaded');
  assert.not.ok(
    hopState(
      cv([
        ['4.18.12', 'Partial'],
        ['4.18.9', 'Completed'],
      ]),
      first,
    ).done,
  );
});

test.run();
