// Rules about the operators the site asks for besides storage's own.
import { formatPath } from '../path.js';
import { STORAGE_PACKAGES } from '../storage.js';
import type { Rule } from './context.js';

// One subscription per package: a second entry could only disagree about the channel.
export const operatorsAreUnique: Rule = ({ input, report }) => {
  const seen = new Map<string, number>();
  (input.operators ?? []).forEach((op, i) => {
    const first = seen.get(op.name);
    if (first === undefined) {
      seen.set(op.name, i);
      return;
    }
    report({
      code: 'OPERATOR_DUPLICATE',
      path: ['operators', i, 'name'],
      message: `operator ${op.name} is already listed at ${formatPath(['operators', first])}`,
      expected: 'each operator once',
    });
  });
};

// storage.type installs its own operators; listing one again would subscribe to it twice.
export const operatorsLeaveStorageToStorage: Rule = ({ site, report, input }) => {
  const { type, defaulted } = site.storage;
  const own = STORAGE_PACKAGES[type];
  (input.operators ?? []).forEach((op, i) => {
    if (!own.includes(op.name)) return;
    report({
      code: 'OPERATOR_STORAGE',
      path: ['operators', i, 'name'],
      message: `${op.name} is installed by storage.type ${type}${defaulted ? ' (the default for this site)' : ''} already`,
      expected: `operators besides storage's own (${own.join(', ')})`,
    });
  });
};
