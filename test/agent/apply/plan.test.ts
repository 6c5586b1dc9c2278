// The apply plan: old site × new site → nodes added, removed, replaced, updated, the settings
// that change and the refusals, checked against literal text and JSON.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makePlan, type Plan } from '../../../src/agent/apply/plan.js';
import { planText } from '../../../src/agent/apply/plan-text.js';
import type { AgentNode, AgentSite } from '../../../src/agent/site.js';

const BASE: AgentSite = JSON.parse(readFileSync('test/golden/ipmi-nat/bundle/etc/fyr/site.json', 'utf8'));
const site = (edit: (s: AgentSite) => void = () => undefined): AgentSite => {
  const s = structuredClone(BASE);
  edit(s);
  return s;
};
const node = (s: AgentSite, name: string) => s.nodes.find((n) => n.name === name)!;
const worker2: AgentNode = {
  name: 'worker-2',
  fqdn: 'worker-2.plant.corp.example.net',
  role: 'worker',
  mac: 'b8:ca:3a:6e:10:05',
  ip: '172.20.0.22',
  installDisk: '/dev/sda',
  bmc: {
    type: 'ipmi',
    address: '172.20.0.122',
    port: 623,
    username: 'ADMIN',
    passwordSecret: 'ipmi',
    verifyTls: false,
  },
};
const plan = (b: AgentSite, a: AgentSite = site(), passwordChanged: string[] = []): Plan =>
  makePlan({ old: a, new: b, from: '1'.repeat(64), to: '2'.repeat(64), passwordChanged });

test('apply :: plan :: a worker added, one removed, one moved to a new machine: removals first', () => {
  const p = plan(
    site((s) => {
      s.nodes = s.nodes.filter((n) => n.name !== 'worker-1');
      node(s, 'worker-0').mac = 'b8:ca:3a:6e:10:13';
      s.nodes.push(worker2);
    }),
  );
  assert.is(
    planText(p),
    `fyr-agent apply: plant.corp.example.net, site 111111111111 → 222222222222

  - worker-1 (worker, b8:ca:3a:6e:10:04, 172.20.0.21, BMC ipmi 172.20.0.121)
      cordon and drain worker-1, then oc delete node worker-1
      power off through its BMC (ipmi 172.20.0.121)
      its DHCP reservation, DNS records, HAProxy backends and PXE menus removed
  -/+ worker-0: mac b8:ca:3a:6e:10:03 → b8:ca:3a:6e:10:13
      cordon and drain worker-0, then oc delete node worker-0
      power off through its BMC (ipmi 172.20.0.120)
      DHCP reservation, DNS records and HAProxy backends written; the daemons reloaded and checked
      PXE on for b8:ca:3a:6e:10:13 only (TFTP, its menus, the RHCOS artifacts)
      its ignition from the cluster's machine-config server (api-int:22623, worker)
      one-time PXE boot and power-on through its BMC (ipmi 172.20.0.120)
      followed until it fetched its ignition; its client and serving CSRs approved
      PXE off again
  + worker-2 (worker, b8:ca:3a:6e:10:05, 172.20.0.22, BMC ipmi 172.20.0.122)
      DHCP reservation, DNS records and HAProxy backends written; the daemons reloaded and checked
      PXE on for b8:ca:3a:6e:10:05 only (TFTP, its menus, the RHCOS artifacts)
      its ignition from the cluster's machine-config server (api-int:22623, worker)
      one-time PXE boot and power-on through its BMC (ipmi 172.20.0.122)
      followed until it fetched its ignition; its client and serving CSRs approved
      PXE off again

Plan: 1 to add, 1 to remove, 1 to change.
`,
  );
  assert.equal(p.counts, { add: 1, remove: 1, change: 1 });
  assert.equal(
    p.nodes.map((n) => [n.action, n.name, n.changes]),
    [
      ['remove', 'worker-1', []],
      ['replace', 'worker-0', [{ field: 'mac', from: 'b8:ca:3a:6e:10:03', to: 'b8:ca:3a:6e:10:13' }]],
      ['add', 'worker-2', []],
    ],
  );
  assert.equal(p.refusals, []);
});

test('apply :: plan :: control-plane nodes: added, removed, a new MAC and a new address all refused', () => {
  const p = plan(
    site((s) => {
      s.nodes = s.nodes.filter((n) => n.name !== 'master-2');
      node(s, 'master-0').mac = 'b8:ca:3a:6e:20:00';
      node(s, 'master-1').ip = '172.20.0.31';
      s.nodes.push({ ...worker2, name: 'master-3', role: 'control-plane' });
    }),
  );
  assert.equal(p.nodes, []);
  const text = planText(p);
  assert.ok(
    text.endsWith(`Refused (nothing is applied while any remain):
  ! master-0: mac b8:ca:3a:6e:10:00 → b8:ca:3a:6e:20:00: replacing a control-plane machine is not automated yet; follow "Replacing a control-plane node" in docs/day2.md
  ! master-1: ip 172.20.0.11 → 172.20.0.31: a control-plane node keeps its address (etcd's peers know it by it); docs/day2.md, "Nodes from an edited site file"
  ! master-3: adding a control-plane node: etcd keeps quorum with 1, 3 or 5 control-plane nodes, and apply does not change how many there are (docs/day2.md, "Nodes from an edited site file")
  ! master-2: removing a control-plane node: etcd keeps quorum with 1, 3 or 5 control-plane nodes, and apply does not change how many there are (docs/day2.md, "Nodes from an edited site file")

Plan: 0 to add, 0 to remove, 0 to change. 4 refused: fix the site file and build it again.
`),
    text,
  );
});

test("apply :: plan :: a role is never changed; a control plane's disk only with a new machine", () => {
  const p = plan(
    site((s) => {
      node(s, 'worker-0').role = 'control-plane';
      node(s, 'master-0').installDisk = '/dev/sdb';
    }),
  );
  assert.equal(p.nodes, []);
  assert.equal(
    p.refusals.map((r) => `${r.subject}: ${r.reason}`),
    [
      'master-0: installDisk changed without a new MAC: a control-plane node is changed only by replacing its machine (same name, new MAC); docs/day2.md, "Nodes from an edited site file"',
      'worker-0: role worker → control-plane: a node\'s role does not change; remove it and add a node under a new name (a control plane keeps 1, 3 or 5 nodes: docs/day2.md, "Nodes from an edited site file")',
    ],
  );
});

test("apply :: plan :: BMC records and a worker's disk are updated; a changed password shows without its value", () => {
  const p = plan(
    site((s) => {
      node(s, 'master-1').bmc.address = '172.20.0.211';
      node(s, 'worker-1').rootDeviceHints = { deviceName: '/dev/sdb' };
    }),
    site(),
    ['worker-0'],
  );
  const text = planText(p);
  assert.is(
    text,
    `fyr-agent apply: plant.corp.example.net, site 111111111111 → 222222222222

  ~ master-1: bmc.address 172.20.0.111 → 172.20.0.211
      the BMC record updated, then checked by asking its power state (ipmi 172.20.0.211)
  ~ worker-0: bmc.password (held) → (new)
      the BMC record updated, then checked by asking its power state (ipmi 172.20.0.120)
  ~ worker-1: rootDeviceHints.deviceName (none) → /dev/sdb, rootDeviceHints.rotational false → (none), rootDeviceHints.wwn 0x5000c500a0b1c2d4 → (none)
      its PXE menus (and BMC record) updated: the install device is used when it is next installed; the running node is not touched

Plan: 0 to add, 0 to remove, 3 to change.
`,
  );
  assert.not.match(JSON.stringify(p), /example-ipmi-pw/);
});

test('apply :: plan :: settings apply makes; fields fixed at install refused, by name', () => {
  const p = plan(
    site((s) => {
      s.keeper.healthEverySeconds = 600;
      s.network.reservations.push({ name: 'printer', mac: '00:1b:21:3a:4f:02', ip: '172.20.0.3' });
      s.sshKeys = ['ssh-ed25519 AAAA other'];
      s.network.gateway = 'pat';
      s.cluster.openshiftVersion = '4.18.1';
    }),
  );
  assert.equal(p.settings, [
    { field: 'keeper.healthEverySeconds', from: '300', to: '600' },
    {
      field: 'network.reservations',
      from: '[{"name":"tor-switch","mac":"00:1b:21:3a:4f:01","ip":"172.20.0.2"}]',
      to: '[{"name":"tor-switch","mac":"00:1b:21:3a:4f:01","ip":"172.20.0.2"},{"name":"printer","mac":"00:1b:21:3a:4f:02","ip":"172.20.0.3"}]',
    },
  ]);
  assert.equal(
    p.refusals.map((r) => `${r.subject}: ${r.reason}`),
    [
      'cluster.openshiftVersion: 4.16 → 4.18.1: the OpenShift version changes by an upgrade, not by apply',
      "network.gateway: nat → pat: the bastion's networks are set at install; a change from a remote shell could cut it off",
      'sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHBbMblic+oi7gH7z1YWX9UO7iNcB7jq7AtutWhPelpc tech@field-laptop"] → ["ssh-ed25519 AAAA other"]: the nodes\' SSH keys are in their ignition from the install (change them with a MachineConfig)',
    ],
  );
  assert.equal(p.counts, { add: 0, remove: 0, change: 2 });
});

test('apply :: plan :: the same site plans nothing; the JSON form is the plan itself', () => {
  const p = plan(site());
  assert.is(
    planText(p),
    'fyr-agent apply: plant.corp.example.net, site 111111111111 → 222222222222\n\nNo changes: the bastion runs this site already.\n',
  );
  assert.equal(JSON.parse(JSON.stringify(p)), {
    format: 'fyr-apply-plan/1',
    cluster: 'plant.corp.example.net',
    from: '1'.repeat(64),
    to: '2'.repeat(64),
    nodes: [],
    settings: [],
    refusals: [],
    counts: { add: 0, remove: 0, change: 0 },
  });
});

test.run();
