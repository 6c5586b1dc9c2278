// Rules about the cluster nodes: quorum, install disks, BMCs, MACs.
import { installDevice } from '../install-device.js';
import { normalizeMac } from '../mac.js';
import type { PathSegment } from '../path.js';
import { formatPath } from '../path.js';
import type { Rule } from './context.js';

// etcd needs a majority of its members; only odd counts up to five make sense.
export const controlPlaneCountIsOdd: Rule = ({ site, report }) => {
  const count = site.nodes.filter((n) => n.role === 'control-plane').length;
  if (count === 1 || count === 3 || count === 5) return;
  const why =
    count === 0
      ? 'a cluster needs at least one control-plane node'
      : count % 2 === 0
        ? `etcd needs a majority to keep quorum: ${count} members tolerate no more failures than ${count - 1}, and a split in half stops the cluster`
        : `more than 5 control-plane members slow etcd without adding useful fault tolerance`;
  report({
    code: 'CONTROL_PLANE_COUNT',
    path: ['nodes'],
    message: `${count} control-plane node${count === 1 ? '' : 's'}: ${why}`,
    expected: '1, 3 or 5 nodes with role control-plane',
  });
};

// Each node says which disk RHCOS goes on, exactly one way.
export const installDiskChosen: Rule = ({ site, report }) => {
  site.nodes.forEach((node, i) => {
    const has = node.installDisk !== undefined;
    const hints = node.rootDeviceHints !== undefined;
    if (!has && !hints) {
      report({
        code: 'INSTALL_DISK_MISSING',
        path: ['nodes', i],
        message: `node ${node.name} does not say which disk to install on`,
        expected: 'installDisk (such as /dev/nvme0n1) or rootDeviceHints',
      });
    } else if (has && hints) {
      report({
        code: 'INSTALL_DISK_AMBIGUOUS',
        path: ['nodes', i, 'rootDeviceHints'],
        message: `node ${node.name} gives both installDisk and rootDeviceHints`,
        expected: 'one of installDisk or rootDeviceHints',
      });
    } else if (hints && installDevice(node) === undefined) {
      report({
        code: 'INSTALL_DISK_UNRESOLVED',
        path: ['nodes', i, 'rootDeviceHints'],
        message: `node ${node.name}: these hints cannot name one disk before the node boots; a PXE install writes RHCOS to one device path`,
        expected: 'rootDeviceHints with deviceName or wwn (the others are not enough), or installDisk',
      });
    }
  });
};

// A manual BMC is operated by a technician; connection details would be silently unused.
export const manualBmcHasNoConnection: Rule = ({ input, report }) => {
  input.nodes.forEach((node, i) => {
    if (node.bmc.type !== 'manual') return;
    const unused = (['address', 'port', 'username', 'password', 'systemId', 'cipherSuite'] as const).filter(
      (k) => node.bmc[k] !== undefined,
    );
    if (unused.length > 0) {
      report({
        severity: 'warning',
        code: 'BMC_FIELDS_IGNORED',
        path: ['nodes', i, 'bmc', 'type'],
        message: `node ${node.name} has a manual BMC, so ${unused.join(', ')} ${unused.length === 1 ? 'is' : 'are'} not used`,
        expected: 'type redfish or ipmi to let fyr power the node on',
      });
    }
  });
};

// No two interfaces (nodes, BMCs, reservations) share a MAC, whatever notation each uses.
export const uniqueMacs: Rule = ({ input, report }) => {
  const macs: Array<{ mac: string; path: PathSegment[] }> = [];
  input.nodes.forEach((n, i) => {
    macs.push({ mac: n.mac, path: ['nodes', i, 'mac'] });
    if (n.bmc.mac !== undefined) macs.push({ mac: n.bmc.mac, path: ['nodes', i, 'bmc', 'mac'] });
  });
  (input.network.reservations ?? []).forEach((r, i) =>
    macs.push({ mac: r.mac, path: ['network', 'reservations', i, 'mac'] }),
  );
  const seen = new Map<string, PathSegment[]>();
  for (const { mac, path } of macs) {
    const normal = normalizeMac(mac);
    const first = seen.get(normal);
    if (first === undefined) {
      seen.set(normal, path);
    } else {
      report({
        code: 'MAC_DUPLICATE',
        path,
        message: `MAC ${normal} is already used at ${formatPath(first)}`,
        expected: 'a MAC address used once in the site',
      });
    }
  }
};
