// Renders docs/site.md from the site schema: one row per field, so the reference can never
// drift from what the validator accepts. Used by test/tools/gen-schema.ts and its drift test.
import { ODF_PROFILES, odfNodeMinimum, type StorageProfile } from '../../src/site/storage.js';

type SchemaNode = Record<string, unknown>;

interface Row {
  path: string;
  type: string;
  required: string;
  fallback: string;
  text: string;
}

function typeOf(node: SchemaNode): string {
  if (Array.isArray(node.enum)) return node.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (node.type === 'array') {
    const items = (node.items ?? {}) as SchemaNode;
    return `list of ${items.type === 'object' ? 'mappings' : typeOf(items)}`;
  }
  if (node.type === 'object') return 'mapping';
  return String(node.type ?? 'any');
}

function walk(node: SchemaNode, prefix: string, rows: Row[]): void {
  const props = (node.properties ?? {}) as Record<string, SchemaNode>;
  const required = new Set((node.required ?? []) as string[]);
  const conditional = new Set((((node.then ?? {}) as SchemaNode).required ?? []) as string[]);
  for (const [name, child] of Object.entries(props)) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    const parts = [
      child.description,
      child['x-expected'] ? `Expected: ${String(child['x-expected'])}.` : undefined,
    ].filter(Boolean);
    rows.push({
      path: `\`${path}\``,
      type: typeOf(child),
      required: required.has(name) ? 'yes' : conditional.has(name) ? 'see below' : '',
      fallback: child.default === undefined ? '' : `\`${JSON.stringify(child.default)}\``,
      text: parts.join(' ').replace(/\|/g, '\\|').replace(/</g, '&lt;'),
    });
    if (child.type === 'object') walk(child, path, rows);
    const items = child.items as SchemaNode | undefined;
    if (child.type === 'array' && items?.type === 'object') walk(items, `${path}[]`, rows);
  }
}

export function renderSchemaDoc(schema: SchemaNode): string {
  const rows: Row[] = [];
  walk(schema, '', rows);
  const lines = [
    '<!-- Generated from src/site/schema.ts by `make docs`; do not edit. -->',
    '# The site file',
    '',
    String(schema.description ?? ''),
    'Editors complete and check it through its schema: start the file with',
    '`# yaml-language-server: $schema=<path to fyr>/docs/schema/site.schema.json`.',
    '',
    'Conditional requirements ("see below"): a `bmc` of type `redfish` or `ipmi` needs',
    '`address`, `username` and `password`; a static `network.wan.address` needs',
    '`network.wan.gateway`; `bastion.encryption: passphrase` needs `bastion.passphrase`.',
    'Each node needs exactly one of `installDisk` and `rootDeviceHints`.',
    'Cross-field rules (unique names, MACs and addresses, addresses inside the LAN, the',
    'DHCP pool clear of fixed addresses, 1, 3 or 5 control-plane nodes, secrets that',
    'exist, `keeper.healthEvery` from 1m to 24h and `backups.every` at least 1h, the',
    "cluster's networks clear of each other, the LAN, the WAN and OVN-Kubernetes' internal",
    'ranges with a `hostPrefix` slice for every node, as openshift-install checks them, and',
    'the storage rules below) are listed with their codes in [errors.md](errors.md).',
    '`cluster.openshiftVersion` must match the release ISO the site is built onto (`fyr build`,',
    '`customize` and `flash --site` check; `fyr inspect` shows both). What the keeper does with',
    '`keeper` and `backups` after the install: [day2.md](day2.md). A secrets file others can',
    'read is a warning (`SECRETS_SHARED`; an error with `--strict`).',
    '',
    '| Field | Type | Required | Default | Description |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.path} | ${r.type} | ${r.required} | ${r.fallback} | ${r.text} |`),
    '',
    '## Storage and operators',
    '',
    'The agent installs the storage `storage.type` names, then each of `operators`, right after',
    'the install, from the operator catalog on the stick, with nothing fetched',
    '([day2.md](day2.md#storage-and-operators-from-the-stick)). The release must carry the',
    'packages: `fyr content --operators site.yaml` (or `--operator NAME[:CHANNEL]`) mirrors them,',
    'and `fyr build` refuses a site whose release lacks one (`OPERATOR_NOT_CARRIED`); a storage',
    'type the site only has by default is a warning instead, and the site gets no storage. The',
    'nodes that run workloads carry storage: every node in a cluster without workers, only the',
    'workers once there are any (openshift-install leaves control planes unschedulable then).',
    'Each of them takes its own `storageDevices`, else `storage.devices`; `storageDevices: []`',
    'keeps storage off a node. A control plane that names its own `storageDevices` beside',
    'workers takes storage too, with a warning: right for a compact cluster that gained workers',
    'on day 2 (its control planes stay schedulable), unused otherwise. A disk named for storage',
    'is wiped.',
    '',
    '- **Default type** (no `storage.type`): `lvms` on a one-node site; on more nodes `odf`',
    '  when at least 3 nodes that run workloads name a disk, `lvms` when 1 or 2 do, and `none`',
    '  when none do (so a site without a `storage` section gets no storage unless it has one',
    '  node). `lvms` where no node names a disk lets LVM Storage take every empty disk',
    '  (its own default; the install disk is never empty).',
    '- **Disks** by `/dev/disk/by-path/` (the slot: the same name on identical nodes) or',
    '  `/dev/disk/by-id/` (the disk itself: one node only), never `/dev/sdX` or `/dev/nvmeXnY`,',
    "  whose order can change between boots; never the node's install disk (compared as written,",
    "  and with `rootDeviceHints.wwn`'s `/dev/disk/by-id/wwn-` name), each once.",
    '- **ODF** needs at least 3 nodes that run workloads, each with a disk (it keeps 3 replicas',
    '  on 3 nodes), and where a node gives `cpus` or `memoryGiB`, its share of',
    "  `storage.profile` on top of OpenShift's own. Per storage node, control plane / worker:",
    ...(Object.keys(ODF_PROFILES) as StorageProfile[]).map((p) => {
      const [cp, worker] = [odfNodeMinimum(p, 'control-plane'), odfNodeMinimum(p, 'worker')];
      return `  \`${p}\` ${cp.cpus} / ${worker.cpus} CPUs and ${cp.memoryGiB} / ${worker.memoryGiB} GiB;`;
    }),
    '  the sources are under `storage.profile` above.',
    '- **Operators**: each package once, and not one `storage.type` installs itself.',
    '',
    '```yaml',
    'storage:',
    '  type: odf',
    '  profile: lean',
    '  devices: [/dev/disk/by-path/pci-0000:03:00.0-nvme-1]   # on every node that runs workloads',
    'operators:',
    '  - { name: kubevirt-hyperconverged, channel: stable }',
    'nodes:',
    '  - name: cp-0',
    '    cpus: 16                                              # optional: checked against the profile',
    '    memoryGiB: 64',
    '    storageDevices: [/dev/disk/by-id/nvme-EXAMPLE_SERIAL] # this node: in place of storage.devices',
    '    # ...',
    '```',
    '',
    '## The secrets file',
    '',
    'A flat mapping from secret name to value, referred to from the site as',
    '`{ secret: NAME }`. Password hashes are crypt(3) hashes (`openssl passwd -6`); a',
    'LUKS passphrase is at least 8 characters without spaces or quotes; BMC passwords are',
    'one line of printable text. Messages name secrets, never their values.',
    '',
  ];
  return lines.join('\n');
}
