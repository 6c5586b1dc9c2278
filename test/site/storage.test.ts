// Storage: the pure choices (default type, which nodes carry it, ODF's sizes) against literal
// values, and the normalized storage and operators of valid sites.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateSiteFile } from '../../src/site/index.js';
import {
  defaultStorageType,
  nodeStorageDevices,
  odfNodeMinimum,
  runsWorkloads,
  STORAGE_PACKAGES,
} from '../../src/site/storage.js';

const VALID = 'test/fixtures/sites/valid';
const DISK = '/dev/disk/by-path/pci-0000:03:00.0-nvme-1';

test('storage :: default type: lvms on one node, then odf, lvms or none by the nodes with disks', () => {
  assert.is(defaultStorageType(1, 0), 'lvms');
  assert.is(defaultStorageType(1, 1), 'lvms');
  assert.is(defaultStorageType(2, 0), 'none');
  assert.is(defaultStorageType(2, 2), 'lvms');
  assert.is(defaultStorageType(3, 0), 'none');
  assert.is(defaultStorageType(3, 2), 'lvms');
  assert.is(defaultStorageType(3, 3), 'odf');
  assert.is(defaultStorageType(5, 4), 'odf');
});

test('storage :: control planes run workloads only in a cluster without workers', () => {
  assert.is(runsWorkloads('control-plane', false), true);
  assert.is(runsWorkloads('control-plane', true), false);
  assert.is(runsWorkloads('worker', true), true);
});

test("storage :: a node's own list wins; the site's applies to nodes that run workloads", () => {
  assert.equal(nodeStorageDevices({ role: 'worker' }, [DISK], true), [DISK]);
  assert.equal(nodeStorageDevices({ role: 'worker', storageDevices: [] }, [DISK], true), []);
  assert.equal(nodeStorageDevices({ role: 'worker', storageDevices: ['/dev/disk/by-id/x'] }, [DISK], true), [
    '/dev/disk/by-id/x',
  ]);
  assert.equal(nodeStorageDevices({ role: 'control-plane' }, [DISK], true), []);
  assert.equal(nodeStorageDevices({ role: 'control-plane' }, [DISK], false), [DISK]);
});

test("storage :: ODF's minimum per node: a third of the profile plus OpenShift's own", () => {
  assert.equal(odfNodeMinimum('lean', 'control-plane'), { cpus: 12, memoryGiB: 40 });
  assert.equal(odfNodeMinimum('balanced', 'control-plane'), { cpus: 14, memoryGiB: 40 });
  assert.equal(odfNodeMinimum('performance', 'control-plane'), { cpus: 19, memoryGiB: 48 });
  assert.equal(odfNodeMinimum('balanced', 'worker'), { cpus: 12, memoryGiB: 32 });
});

test('storage :: the packages each type subscribes to itself', () => {
  assert.equal(STORAGE_PACKAGES, {
    lvms: ['lvms-operator'],
    odf: ['local-storage-operator', 'odf-operator'],
    none: [],
  });
});

test('storage :: normalize :: no storage section: lvms on the single node, none on the others', async () => {
  const sno = await validateSiteFile('examples/single-node/site.yaml');
  assert.equal(sno.site?.storage, { type: 'lvms', defaulted: true, profile: 'balanced', nodes: [] });
  assert.equal(sno.site?.operators, []);
  for (const name of ['edge', 'ipmi-nat']) {
    const r = await validateSiteFile(`examples/${name}/site.yaml`);
    assert.equal(r.site?.storage, { type: 'none', defaulted: true, profile: 'balanced', nodes: [] }, name);
  }
});

test('storage :: normalize :: odf on three compact nodes, with sizes and operators', async () => {
  const r = await validateSiteFile(`${VALID}/storage-odf.yaml`);
  assert.equal(r.errors, []);
  assert.equal(r.warnings, []);
  assert.equal(r.site?.storage, {
    type: 'odf',
    defaulted: false,
    profile: 'lean',
    nodes: ['cp-0', 'cp-1', 'cp-2'].map((name) => ({ name, devices: [DISK] })),
  });
  assert.equal(
    r.site?.nodes.map((n) => [n.cpus, n.memoryGiB]),
    [
      [16, 64],
      [16, 64],
      [16, 64],
    ],
  );
  assert.equal(r.site?.operators, [{ name: 'kubevirt-hyperconverged', channel: 'stable' }, { name: 'web-terminal' }]);
});

test("storage :: normalize :: workers carry storage, a node's own list over the site's; defaulted lvms", async () => {
  const r = await validateSiteFile(`${VALID}/storage-per-node.yaml`);
  assert.equal(r.errors, []);
  assert.equal(r.warnings, []);
  assert.equal(r.site?.storage, {
    type: 'lvms',
    defaulted: true,
    profile: 'balanced',
    nodes: [
      { name: 'w-0', devices: ['/dev/disk/by-path/pci-0000:00:17.0-ata-2'] },
      {
        name: 'w-1',
        devices: [
          '/dev/disk/by-id/wwn-0x5000c500a0b1c2d4',
          '/dev/disk/by-id/nvme-Samsung_SSD_980_PRO_1TB_S5GXNX0R123456',
        ],
      },
    ],
  });
});

test('storage :: disks named with storage.type none are a warning, and the site stays valid', async () => {
  const r = await validateSiteFile(`${VALID}/storage-none-with-devices.yaml`);
  assert.equal(r.errors, []);
  assert.equal(
    r.warnings.map((w) => [w.code, `${w.line}:${w.col}`, w.path, w.message]),
    [['STORAGE_DEVICES_IGNORED', '38:12', 'storage.devices', 'storage.type is none, so these disks are not used']],
  );
  assert.equal(r.site?.storage, { type: 'none', defaulted: false, profile: 'balanced', nodes: [] });
});

test('site :: storage :: a control plane naming disks in a cluster with workers: a warning, and its disks taken', async () => {
  const r = await validateSiteFile('test/fixtures/sites/valid/storage-control-plane-with-workers.yaml', {
    skipSecrets: true,
  });
  assert.equal(r.errors, []);
  const w = r.warnings.filter((x) => x.code === 'STORAGE_NODE_NO_WORKLOADS');
  assert.is(w.length, 1);
  assert.is(w[0]!.path, 'nodes[0].storageDevices');
  assert.match(w[0]!.message, 'only if the cluster was installed without workers');
  // A compact cluster grown by a worker keeps its control planes schedulable: cp-0's disk counts.
  assert.ok(r.site!.storage.nodes.some((n) => n.name === 'cp-0'));
});

test.run();
