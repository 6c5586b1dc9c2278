// The cross-field rules, in the order their problems are most useful to read.
import type { Rule } from './context.js';
import {
  dhcpPoolAvoidsFixedAddresses,
  lanAddressesInsideSubnet,
  lanHasRoom,
  lanSubnetIsNetworkAddress,
  uniqueLanAddresses,
} from './lan.js';
import { fqdnFitsDns, uniqueHostNames } from './names.js';
import { controlPlaneCountIsOdd, installDiskChosen, manualBmcHasNoConnection, uniqueMacs } from './nodes.js';
import { interfacesDiffer, wanIsConsistent } from './wan.js';
import { clusterNetworksAreNetworkAddresses, clusterNetworksDoNotOverlap, hostPrefixFits } from './cluster-networks.js';
import { portForwardsAreFree } from './forwards.js';
import { sshKeysGiven } from './access.js';
import { backupIntervalAtLeastHourly, healthLookIntervalInBounds } from './keeper.js';
import { secretsAreUsed, secretsResolve } from './secrets.js';
import {
  odfHasThreeStorageNodes,
  odfNodesAreLargeEnough,
  storageAvoidsInstallDisks,
  storageDevicesAreDistinct,
  storageDevicesAreUsed,
  storageOnWorkloadNodes,
} from './storage.js';
import { operatorsAreUnique, operatorsLeaveStorageToStorage } from './operators.js';

export type { Finding, Rule, RuleContext } from './context.js';

export const RULES: readonly Rule[] = [
  uniqueHostNames,
  fqdnFitsDns,
  lanSubnetIsNetworkAddress,
  lanHasRoom,
  lanAddressesInsideSubnet,
  uniqueLanAddresses,
  dhcpPoolAvoidsFixedAddresses,
  uniqueMacs,
  controlPlaneCountIsOdd,
  installDiskChosen,
  manualBmcHasNoConnection,
  wanIsConsistent,
  interfacesDiffer,
  clusterNetworksAreNetworkAddresses,
  clusterNetworksDoNotOverlap,
  hostPrefixFits,
  portForwardsAreFree,
  sshKeysGiven,
  healthLookIntervalInBounds,
  backupIntervalAtLeastHourly,
  storageAvoidsInstallDisks,
  storageDevicesAreDistinct,
  storageOnWorkloadNodes,
  odfHasThreeStorageNodes,
  odfNodesAreLargeEnough,
  storageDevicesAreUsed,
  operatorsAreUnique,
  operatorsLeaveStorageToStorage,
  secretsResolve,
  secretsAreUsed,
];
