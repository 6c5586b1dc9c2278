// The table of invalid site files: each names the exact position, path, code and message
// fragment fyr must report, and the full set of error codes (one message per problem).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../helpers/cli.js';

const DIR = 'test/fixtures/sites/invalid';

interface Case {
  file: string;
  // "LINE:COL" of the first expected error.
  at: string;
  // Dotted path of that error ('' for whole-file problems).
  path: string;
  code: string;
  fragment: string;
  // Every error code reported, in order; defaults to [code].
  codes?: string[];
  // A value that must never appear in any output (secrets, injected text).
  never?: string;
}

const CASES: Case[] = [
  // Files that are not a YAML mapping at all
  { file: 'empty.yaml', at: '1:1', path: '', code: 'FILE_EMPTY', fragment: 'holds no YAML document' },
  { file: 'comments-only.yaml', at: '1:1', path: '', code: 'FILE_EMPTY', fragment: 'holds no YAML document' },
  { file: 'generated/huge.yaml', at: '1:1', path: '', code: 'FILE_TOO_LARGE', fragment: 'larger than 1024 KiB' },
  { file: 'generated/binary.yaml', at: '1:1', path: '', code: 'FILE_NOT_TEXT', fragment: 'not UTF-8 text' },
  { file: 'generated/latin1.yaml', at: '1:1', path: '', code: 'FILE_NOT_TEXT', fragment: 'not UTF-8 text' },
  {
    file: 'syntax-unclosed-flow.yaml',
    at: '29:3',
    path: '',
    code: 'YAML_SYNTAX',
    fragment: 'must be sufficiently indented and end with a }',
  },
  {
    file: 'syntax-tab-indent.yaml',
    at: '14:1',
    path: '',
    code: 'YAML_SYNTAX',
    fragment: 'tabs are not allowed as indentation',
  },
  { file: 'duplicate-key.yaml', at: '27:5', path: '', code: 'YAML_DUPLICATE_KEY', fragment: 'duplicate key' },
  { file: 'alias-bomb.yaml', at: '2:8', path: '', code: 'YAML_ALIAS_LIMIT', fragment: 'more than 100 expansions' },
  {
    file: 'multiple-documents.yaml',
    at: '37:1',
    path: '',
    code: 'YAML_MULTIPLE_DOCUMENTS',
    fragment: 'a second YAML document',
  },
  { file: 'unknown-tag.yaml', at: '2:9', path: '', code: 'YAML_TAG', fragment: 'unresolved tag: !shell' },
  {
    file: 'top-level-list.yaml',
    at: '1:1',
    path: '',
    code: 'SCHEMA_TYPE',
    fragment: 'expected a mapping (key: value lines), got a list',
  },
  // Schema: shape and types
  {
    file: 'missing-cluster.yaml',
    at: '1:1',
    path: 'cluster',
    code: 'SCHEMA_REQUIRED',
    fragment: 'missing required key "cluster"',
  },
  {
    file: 'unknown-key-typo.yaml',
    at: '21:5',
    path: 'nodes[0].instalDisk',
    code: 'SCHEMA_UNKNOWN_KEY',
    fragment: 'unknown key "instalDisk" (did you mean "installDisk"?)',
  },
  {
    file: 'unknown-top-level-key.yaml',
    at: '1:1',
    path: 'nodes',
    code: 'SCHEMA_REQUIRED',
    fragment: 'missing required key "nodes"',
    codes: ['SCHEMA_REQUIRED', 'SCHEMA_UNKNOWN_KEY'],
  },
  {
    file: 'version-as-number.yaml',
    at: '4:21',
    path: 'cluster.openshiftVersion',
    code: 'SCHEMA_TYPE',
    fragment: 'got a number (put the value in quotes)',
  },
  { file: 'nodes-as-mapping.yaml', at: '17:3', path: 'nodes', code: 'SCHEMA_TYPE', fragment: 'expected a list' },
  {
    file: 'bad-gateway-enum.yaml',
    at: '6:12',
    path: 'network.gateway',
    code: 'SCHEMA_ENUM',
    fragment: '"pta" is not allowed (did you mean "pat"?) (expected one of: pat, nat)',
  },
  {
    file: 'bad-role-enum.yaml',
    at: '18:11',
    path: 'nodes[0].role',
    code: 'SCHEMA_ENUM',
    fragment: '"master" is not allowed (expected one of: control-plane, worker)',
  },
  {
    file: 'bad-mac.yaml',
    at: '31:10',
    path: 'nodes[2].mac',
    code: 'SCHEMA_FORMAT',
    fragment: '"52:54:00:00:00" is not valid (expected a unicast MAC address',
  },
  ...(['mac-broadcast.yaml', 'mac-all-zero.yaml', 'mac-multicast.yaml'] as const).map((file) => ({
    file,
    at: '31:10',
    path: 'nodes[2].mac',
    code: 'SCHEMA_FORMAT',
    fragment: 'is not valid (expected a unicast MAC address',
  })),
  {
    file: 'cluster-network-overlaps-lan.yaml',
    at: '9:13',
    path: 'network.lan.subnet',
    code: 'CLUSTER_NETWORK_OVERLAP',
    fragment: 'the LAN 10.129.8.0/24 overlaps the cluster network 10.128.0.0/14 (the default of cluster.networks)',
  },
  {
    file: 'service-network-overlaps-cluster.yaml',
    at: '7:21',
    path: 'cluster.networks.serviceNetwork',
    code: 'CLUSTER_NETWORK_OVERLAP',
    fragment: 'the service network 10.130.0.0/16 overlaps the cluster network 10.128.0.0/14',
  },
  {
    file: 'service-network-ovn-internal.yaml',
    at: '6:21',
    path: 'cluster.networks.serviceNetwork',
    code: 'CLUSTER_NETWORK_OVERLAP',
    fragment: "the service network 100.64.0.0/16 overlaps OVN-Kubernetes' internal join subnet 100.64.0.0/16",
  },
  {
    file: 'cluster-network-host-bits.yaml',
    at: '6:21',
    path: 'cluster.networks.clusterNetwork',
    code: 'SUBNET_HOST_BITS',
    fragment: '10.128.0.1/14 has host bits set (expected the network address, 10.128.0.0/14)',
  },
  {
    file: 'host-prefix-too-short.yaml',
    at: '7:17',
    path: 'cluster.networks.hostPrefix',
    code: 'HOST_PREFIX_INVALID',
    fragment: "hostPrefix 12 is shorter than the cluster network's /14",
  },
  {
    file: 'host-prefix-too-few-nodes.yaml',
    at: '7:17',
    path: 'cluster.networks.hostPrefix',
    code: 'HOST_PREFIX_INVALID',
    fragment: '10.128.0.0/23 holds 2 node subnets of /24; the site has 3 nodes',
  },
  {
    file: 'network-type-unknown.yaml',
    at: '6:18',
    path: 'cluster.networks.networkType',
    code: 'SCHEMA_ENUM',
    fragment: '"OpenShiftSDN" is not allowed (expected one of: OVNKubernetes)',
  },
  {
    file: 'wan-overlaps-service-network.yaml',
    at: '6:36',
    path: 'network.wan.address',
    code: 'CLUSTER_NETWORK_OVERLAP',
    fragment:
      'the WAN network 172.30.9.0/24 overlaps the service network 172.30.0.0/16 (the default of cluster.networks)',
  },
  {
    file: 'bad-ip.yaml',
    at: '32:9',
    path: 'nodes[2].ip',
    code: 'SCHEMA_FORMAT',
    fragment: '"192.168.8.300" is not valid (expected an IPv4 address',
  },
  {
    file: 'bad-cidr.yaml',
    at: '9:13',
    path: 'network.lan.subnet',
    code: 'SCHEMA_FORMAT',
    fragment: 'expected an IPv4 network in CIDR notation',
  },
  {
    file: 'bad-cluster-name.yaml',
    at: '2:9',
    path: 'cluster.name',
    code: 'SCHEMA_FORMAT',
    fragment: '"Edge_1" is not valid (expected a DNS label',
  },
  {
    file: 'inline-password.yaml',
    at: '22:78',
    path: 'nodes[0].bmc.password',
    code: 'SCHEMA_TYPE',
    fragment: 'expected a reference to the secrets file such as { secret: bmc-cp-0 }',
    never: 'hunter2',
  },
  {
    file: 'bmc-missing-credentials.yaml',
    at: '34:10',
    path: 'nodes[2].bmc.username',
    code: 'SCHEMA_REQUIRED',
    fragment: 'missing required key "username": redfish and ipmi BMCs need address, username and password',
    codes: ['SCHEMA_REQUIRED', 'SCHEMA_REQUIRED'],
  },
  {
    file: 'static-wan-no-gateway.yaml',
    at: '6:8',
    path: 'network.wan.gateway',
    code: 'SCHEMA_REQUIRED',
    fragment: 'a static WAN address needs a gateway',
  },
  {
    file: 'passphrase-without-secret.yaml',
    at: '14:3',
    path: 'bastion.passphrase',
    code: 'SCHEMA_REQUIRED',
    fragment: 'needs a passphrase secret',
  },
  {
    file: 'port-out-of-range.yaml',
    at: '14:15',
    path: 'network.portForwards[0].port',
    code: 'SCHEMA_RANGE',
    fragment: '70000 is above the maximum of 65535',
  },
  {
    file: 'no-nodes.yaml',
    at: '16:8',
    path: 'nodes',
    code: 'SCHEMA_RANGE',
    fragment: 'has 0 items; at least 1 needed',
  },
  // The keeper's settings: durations, their bounds, the number of backups kept
  {
    file: 'duration-bad-unit.yaml',
    at: '38:10',
    path: 'backups.every',
    code: 'SCHEMA_FORMAT',
    fragment:
      '"6x" is not valid (expected a duration: a whole number from 1 to 9999 and a unit, m (minutes), h (hours) or d (days), such as 90m, 6h or 1d)',
  },
  {
    file: 'duration-with-space.yaml',
    at: '38:10',
    path: 'backups.every',
    code: 'SCHEMA_FORMAT',
    fragment: '"6 h" is not valid (expected a duration: a whole number from 1 to 9999 and a unit',
  },
  {
    file: 'duration-zero.yaml',
    at: '38:16',
    path: 'keeper.healthEvery',
    code: 'SCHEMA_FORMAT',
    fragment: '"0h" is not valid (expected a duration: a whole number from 1 to 9999 and a unit',
  },
  {
    // A leading "-" the pattern rejects is a format error, not UNSAFE_VALUE (cf. inject-option).
    file: 'duration-negative.yaml',
    at: '38:10',
    path: 'backups.every',
    code: 'SCHEMA_FORMAT',
    fragment: '"-1h" is not valid (expected a duration: a whole number from 1 to 9999 and a unit',
  },
  {
    file: 'duration-without-unit.yaml',
    at: '38:10',
    path: 'backups.every',
    code: 'SCHEMA_TYPE',
    fragment:
      'expected a duration: a whole number from 1 to 9999 and a unit, m (minutes), h (hours) or d (days), such as 90m, 6h or 1d, got a whole number (the unit is missing)',
  },
  {
    file: 'backups-every-too-short.yaml',
    at: '38:10',
    path: 'backups.every',
    code: 'INTERVAL_RANGE',
    fragment:
      '30m is too short: backups are I/O-heavy on the control plane, and etcd slows the whole cluster while its disk is busy (expected at least 1h; the default is 6h)',
  },
  {
    file: 'keeper-health-too-long.yaml',
    at: '38:16',
    path: 'keeper.healthEvery',
    code: 'INTERVAL_RANGE',
    fragment:
      '2d is too long: the keeper would see a failed node, a degraded operator or an expiring certificate more than a day late (expected 1m to 24h; the default is 5m)',
  },
  {
    file: 'backups-keep-zero.yaml',
    at: '38:9',
    path: 'backups.keep',
    code: 'SCHEMA_RANGE',
    fragment: '0 is below the minimum of 1',
  },
  {
    file: 'backups-keep-fraction.yaml',
    at: '38:9',
    path: 'backups.keep',
    code: 'SCHEMA_TYPE',
    fragment: 'expected a whole number from 1 to 1000, got a number',
  },
  {
    file: 'backups-keep-text.yaml',
    at: '38:9',
    path: 'backups.keep',
    code: 'SCHEMA_TYPE',
    fragment: 'expected a whole number from 1 to 1000, got a string',
  },
  {
    file: 'backups-unknown-key.yaml',
    at: '39:3',
    path: 'backups.kepe',
    code: 'SCHEMA_UNKNOWN_KEY',
    fragment: 'unknown key "kepe" (did you mean "keep"?) (expected one of: enabled, every, keep)',
  },
  // Values that could break out of a generated file
  {
    file: 'inject-newline.yaml',
    at: '22:61',
    path: 'nodes[0].bmc.username',
    code: 'UNSAFE_VALUE',
    fragment: 'contains a newline',
  },
  {
    file: 'inject-quote.yaml',
    at: '21:31',
    path: 'nodes[0].rootDeviceHints.model',
    code: 'UNSAFE_VALUE',
    fragment: 'contains a double quote (")',
  },
  {
    file: 'inject-dollar.yaml',
    at: '22:36',
    path: 'nodes[0].bmc.address',
    code: 'UNSAFE_VALUE',
    fragment: 'contains a dollar sign ($)',
  },
  {
    file: 'inject-kickstart-section.yaml',
    at: '15:13',
    path: 'bastion.timezone',
    code: 'UNSAFE_VALUE',
    fragment: 'starts with "%", which a kickstart reads as a section line',
  },
  { file: 'inject-brace.yaml', at: '36:5', path: 'sshKeys[0]', code: 'UNSAFE_VALUE', fragment: 'contains a brace (})' },
  {
    file: 'inject-option.yaml',
    at: '8:16',
    path: 'network.lan.interface',
    code: 'UNSAFE_VALUE',
    fragment: 'starts with "-", which a program would read as an option',
  },
  // Cross-field rules
  {
    file: 'duplicate-node-name.yaml',
    at: '29:11',
    path: 'nodes[2].name',
    code: 'NAME_DUPLICATE',
    fragment: 'the name "cp-1" is already used at nodes[1].name',
  },
  {
    file: 'reserved-node-name.yaml',
    at: '29:11',
    path: 'nodes[2].name',
    code: 'NAME_RESERVED',
    fragment: '"api" is a name the cluster\'s DNS zone uses itself',
  },
  {
    file: 'duplicate-mac-notations.yaml',
    at: '31:10',
    path: 'nodes[2].mac',
    code: 'MAC_DUPLICATE',
    fragment: 'MAC 52:54:00:00:00:10 is already used at nodes[0].mac',
  },
  {
    file: 'duplicate-ip.yaml',
    at: '32:9',
    path: 'nodes[2].ip',
    code: 'IP_DUPLICATE',
    fragment: '192.168.8.10 (node cp-2) is already used by node cp-0 at nodes[0].ip',
  },
  {
    file: 'address-outside-lan.yaml',
    at: '11:16',
    path: 'network.lan.bootstrap',
    code: 'ADDRESS_OUTSIDE_LAN',
    fragment: '192.168.9.9 (the bootstrap VM) is outside the LAN 192.168.8.0/24',
  },
  {
    file: 'address-broadcast.yaml',
    at: '32:9',
    path: 'nodes[2].ip',
    code: 'ADDRESS_NOT_HOST',
    fragment: "is the LAN's broadcast address",
  },
  {
    file: 'subnet-host-bits.yaml',
    at: '9:13',
    path: 'network.lan.subnet',
    code: 'SUBNET_HOST_BITS',
    fragment: 'has host bits set (expected the network address, 192.168.8.0/24)',
  },
  {
    file: 'subnet-too-small.yaml',
    at: '9:13',
    path: 'network.lan.subnet',
    code: 'SUBNET_TOO_SMALL',
    fragment: 'a /30 network is too small',
    codes: ['SUBNET_TOO_SMALL', ...Array<string>(6).fill('ADDRESS_OUTSIDE_LAN')],
  },
  {
    file: 'pool-overlaps-node.yaml',
    at: '32:9',
    path: 'nodes[2].ip',
    code: 'POOL_OVERLAP',
    fragment: 'lies inside the DHCP pool 192.168.8.100-192.168.8.199',
  },
  {
    file: 'pool-reversed.yaml',
    at: '12:15',
    path: 'network.lan.dhcpPool',
    code: 'POOL_INVALID',
    fragment: 'the pool starts at 192.168.8.199, after its end 192.168.8.100',
  },
  {
    file: 'control-plane-two.yaml',
    at: '17:3',
    path: 'nodes',
    code: 'CONTROL_PLANE_COUNT',
    fragment: '2 control-plane nodes: etcd needs a majority to keep quorum',
  },
  {
    file: 'control-plane-four.yaml',
    at: '17:3',
    path: 'nodes',
    code: 'CONTROL_PLANE_COUNT',
    fragment: '4 members tolerate no more failures than 3',
  },
  {
    file: 'control-plane-zero.yaml',
    at: '17:3',
    path: 'nodes',
    code: 'CONTROL_PLANE_COUNT',
    fragment: 'needs at least one control-plane node',
  },
  {
    file: 'fqdn-too-long.yaml',
    at: '3:11',
    path: 'cluster.domain',
    code: 'FQDN_TOO_LONG',
    fragment: 'would be 281 characters long',
  },
  {
    file: 'install-disk-missing.yaml',
    at: '17:5',
    path: 'nodes[0]',
    code: 'INSTALL_DISK_MISSING',
    fragment: 'node cp-0 does not say which disk to install on',
  },
  {
    file: 'install-disk-ambiguous.yaml',
    at: '22:22',
    path: 'nodes[0].rootDeviceHints',
    code: 'INSTALL_DISK_AMBIGUOUS',
    fragment: 'gives both installDisk and rootDeviceHints',
  },
  {
    file: 'install-disk-unresolved.yaml',
    at: '21:22',
    path: 'nodes[0].rootDeviceHints',
    code: 'INSTALL_DISK_UNRESOLVED',
    fragment: 'these hints cannot name one disk',
  },
  {
    file: 'wan-gateway-outside.yaml',
    at: '6:62',
    path: 'network.wan.gateway',
    code: 'WAN_GATEWAY_OUTSIDE',
    fragment: 'gateway 198.51.100.1 is not on the WAN network 203.0.113.0/24',
  },
  {
    file: 'wan-overlaps-lan.yaml',
    at: '6:36',
    path: 'network.wan.address',
    code: 'NETWORK_OVERLAP',
    fragment: 'the WAN network 192.168.0.0/16 overlaps the LAN 192.168.8.0/24',
  },
  {
    file: 'interface-shared.yaml',
    at: '8:16',
    path: 'network.lan.interface',
    code: 'INTERFACE_SHARED',
    fragment: 'the LAN and the WAN both use eno1',
  },
  {
    file: 'port-forward-reserved.yaml',
    at: '14:15',
    path: 'network.portForwards[0].port',
    code: 'PORT_FORWARD_RESERVED',
    fragment: 'tcp/443 is served by the bastion itself',
  },
  {
    file: 'port-forward-duplicate.yaml',
    at: '15:15',
    path: 'network.portForwards[1].port',
    code: 'PORT_FORWARD_DUPLICATE',
    fragment: 'tcp/2222 is already forwarded by network.portForwards[0]',
  },
  // The secrets file
  {
    file: 'secret-missing.yaml',
    at: '28:88',
    path: 'nodes[1].bmc.password.secret',
    code: 'SECRET_MISSING',
    fragment: 'secret "bmc-cp-9" is not in test/fixtures/sites/invalid/secrets.yaml (did you mean "bmc-cp-0"?)',
  },
  {
    file: 'missing-secrets-file.yaml',
    at: '37:10',
    path: 'secrets',
    code: 'SECRETS_UNREADABLE',
    fragment: 'cannot read secrets file test/fixtures/sites/invalid/no-such-secrets.yaml: no such file',
  },
  {
    file: 'secret-plain-hash.yaml',
    at: '2:1',
    path: 'root-password-hash',
    code: 'SECRET_FORMAT',
    fragment: 'has the wrong form; its value is not shown (expected a crypt(3) hash',
    never: 'hunter2-plain',
  },
  {
    file: 'secret-ipmi-too-long.yaml',
    at: '4:1',
    path: 'bmc-cp-1',
    code: 'SECRET_FORMAT',
    fragment:
      'used as ipmi-password by nodes[1].bmc.password) has the wrong form; its value is not shown (expected at most 20 printable ASCII characters',
    never: 'twenty-one-characters',
  },
  {
    file: 'secret-as-yaml-tag.yaml',
    at: '2:11',
    path: '',
    code: 'YAML_TAG',
    fragment: 'YAML error (text not shown: this is the secrets file)',
    never: 'Sup3rSecret',
  },
  {
    file: 'broken-secrets-syntax.yaml',
    at: '3:1',
    path: '',
    code: 'YAML_SYNTAX',
    fragment: 'YAML error (text not shown: this is the secrets file)',
    never: 'sw0rdf1sh',
  },
  // Storage and operators
  {
    file: 'storage-device-sdx.yaml',
    at: '38:13',
    path: 'storage.devices[0]',
    code: 'SCHEMA_FORMAT',
    fragment: '"/dev/sdb" is not valid (expected a stable device path under /dev/disk/by-path/ or /dev/disk/by-id/',
  },
  {
    file: 'storage-install-disk.yaml',
    at: '40:7',
    path: 'storage.devices[1]',
    code: 'STORAGE_INSTALL_DISK',
    fragment:
      '/dev/disk/by-path/pci-0000:03:00.0-nvme-1 is the install disk of node cp-0: storage would wipe the disk RHCOS runs from',
  },
  {
    file: 'storage-install-disk-wwn.yaml',
    at: '49:9',
    path: 'nodes[4].storageDevices[0]',
    code: 'STORAGE_INSTALL_DISK',
    fragment: '/dev/disk/by-id/wwn-0x5000c500a0b1c2d3 is the install disk of node w-1',
  },
  {
    file: 'storage-device-duplicate.yaml',
    at: '41:7',
    path: 'storage.devices[2]',
    code: 'STORAGE_DEVICE_DUPLICATE',
    fragment: '/dev/disk/by-path/pci-0000:04:00.0-nvme-1 is already listed at storage.devices[0]',
  },
  {
    file: 'storage-by-id-shared.yaml',
    at: '38:13',
    path: 'storage.devices[0]',
    code: 'STORAGE_DEVICE_DUPLICATE',
    fragment: 'names one physical disk (by its serial number or WWN), yet cp-0, cp-1 and cp-2 would each take it',
  },
  {
    file: 'storage-odf-two-nodes.yaml',
    at: '31:9',
    path: 'storage.type',
    code: 'STORAGE_NODE_COUNT',
    fragment: 'ODF keeps 3 replicas, each on its own node, and the site has 2 nodes (expected storage.type lvms',
  },
  {
    file: 'storage-odf-two-workers.yaml',
    at: '49:9',
    path: 'storage.type',
    code: 'STORAGE_NODE_COUNT',
    fragment: "only the site's 2 workers do (control planes take workloads only without workers)",
  },
  {
    file: 'storage-odf-node-without-device.yaml',
    at: '32:5',
    path: 'nodes[2]',
    code: 'STORAGE_DEVICE_MISSING',
    fragment: "node cp-2 names no storage device, so only 2 nodes can hold ODF's 3 replicas",
  },
  {
    file: 'storage-odf-small-node.yaml',
    at: '32:11',
    path: 'nodes[1].cpus',
    code: 'STORAGE_NODE_SIZE',
    fragment:
      "node cp-1 has 12 CPUs; ODF's balanced profile needs 10 on each storage node besides the 4 OpenShift needs on a control-plane node (expected at least 14 CPUs, storage.profile lean, or storage.type lvms)",
  },
  {
    file: 'storage-bad-type.yaml',
    at: '37:9',
    path: 'storage.type',
    code: 'SCHEMA_ENUM',
    fragment: '"ceph" is not allowed (expected one of: lvms, odf, none)',
  },
  {
    file: 'storage-bad-profile.yaml',
    at: '39:12',
    path: 'storage.profile',
    code: 'SCHEMA_ENUM',
    fragment: '"small" is not allowed (expected one of: lean, balanced, performance)',
  },
  {
    file: 'operator-without-name.yaml',
    at: '37:5',
    path: 'operators[0].name',
    code: 'SCHEMA_REQUIRED',
    fragment: 'missing required key "name" (expected an operator package name',
  },
  {
    file: 'operator-duplicate.yaml',
    at: '39:13',
    path: 'operators[2].name',
    code: 'OPERATOR_DUPLICATE',
    fragment: 'operator kubevirt-hyperconverged is already listed at operators[0]',
  },
  {
    file: 'operator-storage.yaml',
    at: '40:11',
    path: 'operators[0].name',
    code: 'OPERATOR_STORAGE',
    fragment: "lvms-operator is installed by storage.type lvms already (expected operators besides storage's own",
  },
  // Several independent problems are all reported, in file order
  {
    file: 'several-problems.yaml',
    at: '2:9',
    path: 'cluster.name',
    code: 'SCHEMA_FORMAT',
    fragment: '"Edge" is not valid',
    codes: ['SCHEMA_FORMAT', 'SCHEMA_FORMAT', 'SCHEMA_UNKNOWN_KEY'],
  },
];

const table = (name: string) =>
  test(`validate :: invalid :: ${name}`, async () => {
    const c = CASES.find((x) => x.file === name)!;
    const file = `${DIR}/${c.file}`;
    const human = await runCli(['validate', file]);
    assert.is(human.code, 3, 'exit code 3 (invalid input)');
    assert.is(human.stdout, '', 'nothing on stdout');
    const problemLines = human.stderr.split('\n').filter((l) => /^\S+:\d+:\d+: /.test(l) && !l.includes(' warning: '));
    const first = problemLines[0] ?? '';
    const where =
      c.code === 'SECRET_FORMAT' || c.file.startsWith('broken-secrets') || c.file.startsWith('secret-as-')
        ? /^\S+:/
        : new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`);
    assert.ok(where.test(first), `first problem names the file: ${first}`);
    assert.ok(
      first.includes(`:${c.at}: ${c.path === '' ? '' : `${c.path}: `}`),
      `position and path ${c.at} ${c.path} in: ${first}`,
    );
    assert.ok(first.includes(c.fragment), `fragment "${c.fragment}" in: ${first}`);
    assert.ok(first.endsWith(`[${c.code}]`), `code ${c.code} in: ${first}`);
    assert.match(human.stderr, /fyr: invalid: \d+ errors?/);

    const json = await runCli(['validate', file, '--json']);
    assert.is(json.code, 3);
    const doc = JSON.parse(json.stdout) as {
      ok: boolean;
      error: { code: string };
      errors: Array<{ code: string; line: number; col: number; path: string }>;
    };
    assert.is(doc.ok, false);
    assert.is(doc.error.code, 'SITE_INVALID');
    assert.equal(
      doc.errors.map((e) => e.code),
      c.codes ?? [c.code],
      'one error per problem, and no others',
    );
    assert.is(`${doc.errors[0]?.line}:${doc.errors[0]?.col}`, c.at);
    if (c.never) assert.not.ok(`${human.stderr}${json.stdout}`.includes(c.never), `"${c.never}" must never be printed`);
  });

for (const c of CASES) table(c.file);

test('validate :: invalid :: the table has at least 40 named cases', () => {
  assert.ok(CASES.length >= 40, `${CASES.length} cases`);
  assert.is(new Set(CASES.map((c) => c.file)).size, CASES.length, 'each fixture once');
});

test.run();
