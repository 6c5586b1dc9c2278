// The day-2 operations, by kind: siblings of the install phases, run by the keeper one at a time.
import type { Operation } from '../keeper/operations.js';
import type { OperationKind } from '../keeper/records.js';
import { backup } from './backup.js';

export const OPERATIONS: Record<OperationKind, Operation> = { backup };
