// Every code a site or secrets problem can carry. Stable: CI may match on them. Each has a row
// in docs/errors.md (test/errors-doc.test.ts); the compiler checks every code the site code uses.
import type { Problem } from '../errors.js';

export const SITE_PROBLEM_CODES = {
  FILE_EMPTY: 'The file holds no YAML document.',
  FILE_TOO_LARGE: 'The file is over 1 MiB; site files are kilobytes.',
  FILE_NOT_TEXT: 'The file is not UTF-8 text (binary data, NUL bytes, another encoding).',
  YAML_SYNTAX: 'YAML syntax error; only the first is reported, later ones are usually echoes.',
  YAML_DUPLICATE_KEY: 'A key appears twice in one mapping.',
  YAML_TAG: 'An unknown YAML tag such as !shell.',
  YAML_ALIAS_LIMIT: 'Aliases expand to too much data (a "billion laughs" document).',
  YAML_MULTIPLE_DOCUMENTS: 'More than one YAML document ("---") in the file.',
  YAML_DEPTH: 'The document nests more than 64 levels deep (site files nest a few).',
  SCHEMA_REQUIRED: 'A required key is missing.',
  SCHEMA_UNKNOWN_KEY: 'A key the schema does not know; a close match is suggested.',
  SCHEMA_TYPE: 'A value of the wrong type (e.g. a number where text is expected).',
  SCHEMA_ENUM: 'A value outside the allowed set.',
  SCHEMA_FORMAT: 'A value of the wrong form (MAC, IPv4, CIDR, DNS label, ...).',
  SCHEMA_RANGE: 'A number, list or text outside its bounds.',
  SCHEMA_INVALID: 'Any other schema violation.',
  UNSAFE_VALUE: 'A value with characters that could break out of a generated file or be read as an option.',
  NAME_DUPLICATE: 'Two hosts share a name.',
  NAME_RESERVED: 'A host name the cluster zone uses itself (api, api-int, apps, bootstrap, localhost).',
  FQDN_TOO_LONG: 'Some DNS name of the cluster would exceed 253 characters.',
  SUBNET_HOST_BITS: 'The LAN subnet, the cluster network or the service network is not written as its network address.',
  SUBNET_TOO_SMALL: 'The LAN is smaller than a /29.',
  ADDRESS_OUTSIDE_LAN:
    'A LAN address (bastion, bootstrap, node, reservation, pool, forward target) is outside the subnet.',
  ADDRESS_NOT_HOST: "A LAN address is the subnet's network or broadcast address.",
  IP_DUPLICATE: 'Two hosts share a LAN address.',
  POOL_INVALID: 'The DHCP pool ends before it starts.',
  POOL_OVERLAP: 'A fixed address lies inside the DHCP pool.',
  MAC_DUPLICATE: 'Two interfaces share a MAC, in whatever notation.',
  CONTROL_PLANE_COUNT: 'Not 1, 3 or 5 control-plane nodes (etcd quorum).',
  INSTALL_DISK_MISSING: 'A node has neither installDisk nor rootDeviceHints.',
  INSTALL_DISK_AMBIGUOUS: 'A node has both installDisk and rootDeviceHints.',
  INSTALL_DISK_UNRESOLVED: 'rootDeviceHints give neither deviceName nor wwn, so no device path for the PXE install.',
  WAN_GATEWAY_OUTSIDE: 'The static WAN gateway is not on the WAN network.',
  NETWORK_OVERLAP: 'The WAN network overlaps the LAN.',
  CLUSTER_NETWORK_OVERLAP:
    "The cluster network, the service network, the LAN, the WAN or OVN-Kubernetes' internal ranges (100.64.0.0/16, 100.88.0.0/16, 169.254.0.0/17) overlap.",
  HOST_PREFIX_INVALID:
    'cluster.networks.hostPrefix does not fit the cluster network: shorter than its prefix, or too few node subnets for the nodes.',
  INTERFACE_SHARED: 'WAN and LAN use the same interface without a LAN VLAN.',
  PORT_FORWARD_DUPLICATE: 'A WAN port is forwarded twice.',
  PORT_FORWARD_RESERVED: 'A forward of a port the bastion serves itself.',
  INTERVAL_RANGE: 'A keeper interval outside its bounds: keeper.healthEvery 1m to 24h, backups.every at least 1h.',
  STORAGE_INSTALL_DISK: 'A storage device is the install disk of a node it applies to; storage would wipe it.',
  STORAGE_DEVICE_DUPLICATE:
    'A storage device is listed twice, or one by-id name (one physical disk) is given to several nodes.',
  STORAGE_NODE_NO_WORKLOADS:
    'Warning: a control-plane node names storageDevices in a cluster with workers; its control planes run workloads only if it was installed without workers.',
  STORAGE_NODE_COUNT: 'storage.type odf with fewer than 3 nodes that run workloads (ODF keeps 3 replicas on 3 nodes).',
  STORAGE_DEVICE_MISSING:
    'storage.type odf, and fewer than 3 nodes name a storage device: each node without one is named.',
  STORAGE_NODE_SIZE:
    "An ODF storage node's cpus or memoryGiB are below its share of storage.profile plus OpenShift's own minimum.",
  OPERATOR_DUPLICATE: 'An operator is listed twice.',
  OPERATOR_STORAGE: 'An operator storage.type installs itself (lvms-operator, odf-operator, local-storage-operator).',
  SECRETS_UNREADABLE: 'The secrets file cannot be read.',
  SECRETS_OUTSIDE:
    "The site's `secrets:` names a file outside the site's directory; give it with --secrets FILE instead.",
  SECRET_MISSING: 'The site refers to a secret the secrets file does not have.',
  SECRET_FORMAT: 'A secret has the wrong form for its use; its value is never shown.',
  SECRET_PLACEHOLDER: 'A secret still holds the REPLACE placeholder fyr init wrote.',
  // Warnings
  BMC_FIELDS_IGNORED: 'Warning: a manual BMC has connection details that are not used.',
  WAN_FIELD_IGNORED: 'Warning: a WAN gateway given with a DHCP address is not used.',
  PORT_FORWARD_UNNEEDED: 'Warning: port forwards with gateway nat are usually unnecessary.',
  SSH_KEYS_NONE: 'Warning: no SSH public keys are given.',
  STORAGE_DEVICES_IGNORED: 'Warning: storage devices are named but storage.type is none.',
  SECRETS_SHARED:
    'Warning (an error with --strict): the secrets file is readable by its group or every user; chmod 600 it, as ssh asks of a private key.',
  SECRET_UNUSED: 'Warning: a secret nobody refers to (often a typo of the intended name).',
  SECRETS_SKIPPED: 'Warning: --no-secrets was given, so secrets were not checked.',
} as const;

export type SiteProblemCode = keyof typeof SITE_PROBLEM_CODES;
export type SiteProblem = Problem<SiteProblemCode>;
