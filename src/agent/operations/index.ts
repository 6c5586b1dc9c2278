// The day-2 operations, by kind: siblings of the install phases, run by the keeper one at a time.
import type { Operation } from '../keeper/operations.js';
import type { OperationKind } from '../keeper/records.js';
import { apply } from './apply.js';
import { backup } from './backup.js';
import { powerOnSite } from './power-on.js';
import { shutdown } from './shutdown.js';
import { upgrade } from './upgrade.js';

export const OPERATIONS: Record<OperationKind, Operation> = {
  backup,
  shutdown,
  'power-on': powerOnSite,
  apply,
  upgrade,
};
