// The phases in the order they run.
import type { Phase } from '../context.js';
import { bootstrapVm } from './bootstrap-vm.js';
import { catalog, operators, storage } from './day2-operators.js';
import { bootstrapComplete, finish, pivot } from './install-finish.js';
import { installConfig } from './install-config.js';
import { locked } from './locked.js';
import { network } from './network.js';
import { payload } from './payload.js';
import { power } from './power.js';
import { preflight } from './preflight.js';
import { registryCopy } from './registry-copy.js';
import { services } from './services.js';
import { watch } from './watch.js';

export const PHASE_LIST: readonly Phase[] = [
  locked,
  preflight,
  network,
  services,
  payload,
  installConfig,
  bootstrapVm,
  power,
  watch,
  bootstrapComplete,
  pivot,
  finish,
  registryCopy,
  catalog,
  storage,
  operators,
];
