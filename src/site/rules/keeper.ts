// Rules about the keeper (the bastion's agent once the cluster is installed): how often it
// looks at the cluster and takes backups. The schema checks the form of a duration; the bounds
// of each use are here, with the reason a value outside them hurts.
import { durationSeconds } from '../duration.js';
import type { PathSegment } from '../path.js';
import { siteSchema } from '../schema.js';
import type { Finding, Rule } from './context.js';

const KEEPER = siteSchema.properties.keeper.properties;
const BACKUPS = siteSchema.properties.backups.properties;

interface Interval {
  path: PathSegment[];
  // As the file has it, and in seconds.
  written: string;
  seconds: number;
  defaultValue: string;
  min: { at: string; why: string };
  max?: { at: string; why: string };
}

// Looks at least once a minute (the shortest duration there is) and at least once a day.
export const healthLookIntervalInBounds: Rule = ({ site, input, report }) => {
  checkInterval(report, {
    path: ['keeper', 'healthEvery'],
    written: input.keeper?.healthEvery ?? KEEPER.healthEvery.default,
    seconds: site.keeper.healthEverySeconds,
    defaultValue: KEEPER.healthEvery.default,
    min: { at: '1m', why: 'looking more often only loads the API server' },
    max: {
      at: '24h',
      why: 'the keeper would see a failed node, a degraded operator or an expiring certificate more than a day late',
    },
  });
};

// A backup is an etcd snapshot taken on a control-plane node: at most one an hour.
export const backupIntervalAtLeastHourly: Rule = ({ site, input, report }) => {
  checkInterval(report, {
    path: ['backups', 'every'],
    written: input.backups?.every ?? BACKUPS.every.default,
    seconds: site.backups.everySeconds,
    defaultValue: BACKUPS.every.default,
    min: {
      at: '1h',
      why: 'backups are I/O-heavy on the control plane, and etcd slows the whole cluster while its disk is busy',
    },
  });
};

function checkInterval(report: (finding: Finding) => void, interval: Interval): void {
  const { min, max } = interval;
  const range = max ? `${min.at} to ${max.at}` : `at least ${min.at}`;
  const expected = `${range}; the default is ${interval.defaultValue}`;
  const found = (kind: string, why: string) =>
    report({
      code: 'INTERVAL_RANGE',
      path: interval.path,
      message: `${interval.written} is too ${kind}: ${why}`,
      expected,
    });
  if (interval.seconds < durationSeconds(min.at)) found('short', min.why);
  else if (max && interval.seconds > durationSeconds(max.at)) found('long', max.why);
}
