// The plan of `fyr-agent apply`: the bastion's site and the edited one → the nodes added,
// removed, replaced and updated, each with what will be done; the other settings that change;
// and what apply refuses (control-plane count, a node's role, fields fixed at install). Pure: the
// same two sites give the same plan, and the operation runs exactly what was shown.
import type { AgentNode, AgentSite } from '../site.js';

export const PLAN_FORMAT = 'fyr-apply-plan/1';
export const CONTROL_PLANE_DOC = 'docs/day2.md, "Nodes from an edited site file"';

export interface FieldChange {
  field: string;
  from: string;
  to: string;
}

export interface NodeChange {
  // replace: a new machine (new MAC) or a reinstall (new address) under the same name.
  action: 'add' | 'remove' | 'replace' | 'update';
  name: string;
  role: AgentNode['role'];
  old?: AgentNode;
  new?: AgentNode;
  changes: FieldChange[];
  steps: string[];
}

export interface Refusal {
  // A node's name or a site field.
  subject: string;
  reason: string;
}

export interface Plan {
  format: typeof PLAN_FORMAT;
  cluster: string;
  // Render hashes (sha256 of manifest.json) of the bastion's site and the new one.
  from: string;
  to: string;
  // Removed, replaced, updated, then added: the order apply makes them in.
  nodes: NodeChange[];
  // Changes to the site outside its nodes that apply makes (keeper, backups, DHCP, NTP, ...).
  settings: FieldChange[];
  refusals: Refusal[];
  counts: { add: number; remove: number; change: number };
}

export interface PlanInput {
  old: AgentSite;
  new: AgentSite;
  from: string;
  to: string;
  // Nodes whose BMC password differs from the one the agent holds (never the values).
  passwordChanged?: readonly string[];
}

// Leaf values by dotted path; arrays whole, as JSON (a list changes as one value).
function flatten(value: unknown, prefix: string, out: Map<string, string>): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== undefined) out.set(prefix, typeof value === 'string' ? value : JSON.stringify(value));
  return out;
}

function diff(a: unknown, b: unknown, skip: (field: string) => boolean = () => false): FieldChange[] {
  const x = flatten(a, '', new Map());
  const y = flatten(b, '', new Map());
  const fields = [...new Set([...x.keys(), ...y.keys()])].filter((f) => !skip(f)).sort();
  return fields
    .filter((f) => x.get(f) !== y.get(f))
    .map((f) => ({ field: f, from: x.get(f) ?? '(none)', to: y.get(f) ?? '(none)' }));
}

// Site fields apply changes, and why each other one is fixed (first matching prefix).
const APPLIES = ['keeper.', 'backups.', 'network.reservations', 'network.lan.pool.', 'network.portForwards', 'ntp.'];
const FIXED: Array<[string, string]> = [
  ['cluster.openshiftVersion', 'the OpenShift version changes by an upgrade, not by apply'],
  ['cluster.networks.', "the cluster's internal networks are fixed at install"],
  ['cluster.', 'checked above'],
  ['bastion.', "the bastion's own settings are made by its kickstart at install"],
  ['network.', "the bastion's networks are set at install; a change from a remote shell could cut it off"],
  ['diskEncryption.', "the nodes' disks are bound to Tang at install"],
  ['sshKeys', "the nodes' SSH keys are in their ignition from the install (change them with a MachineConfig)"],
  ['bootstrap.', 'the bootstrap machine exists only during the install'],
];
// Derived from other fields, or checked in check.ts: not reported twice.
const DERIVED = /^(cluster\.fqdn|bastion\.fqdn|network\.lan\.(subnet|netmask|broadcast)\.?.*|nodes)$/;

const bmcText = (n: AgentNode) => (n.bmc.address ? `${n.bmc.type} ${n.bmc.address}` : n.bmc.type);
// A node in one line: role, MAC, address and BMC (no secret).
export const describeNode = (n: AgentNode) => `${n.role}, ${n.mac}, ${n.ip}, BMC ${bmcText(n)}`;

const addSteps = (n: AgentNode): string[] => [
  'DHCP reservation, DNS records and HAProxy backends written; the daemons reloaded and checked',
  `PXE on for ${n.mac} only (TFTP, its menus, the RHCOS artifacts)`,
  `its ignition from the cluster's machine-config server (api-int:22623, ${n.role === 'control-plane' ? 'master' : 'worker'})`,
  `one-time PXE boot and power-on through its BMC (${bmcText(n)})`,
  'followed until it fetched its ignition; its client and serving CSRs approved',
  'PXE off again',
];
const removeSteps = (n: AgentNode): string[] => [
  `cordon and drain ${n.name}, then oc delete node ${n.name}`,
  `power off through its BMC (${bmcText(n)})`,
  'its DHCP reservation, DNS records, HAProxy backends and PXE menus removed',
];

const nodeFields = (n: AgentNode) => {
  const { fqdn: _fqdn, name: _name, ...rest } = n;
  return rest;
};

function changedNode(old: AgentNode, n: AgentNode, password: boolean): NodeChange | Refusal | undefined {
  const changes = diff(nodeFields(old), nodeFields(n));
  if (password) changes.push({ field: 'bmc.password', from: '(held)', to: '(new)' });
  if (changes.length === 0) return undefined;
  const fields = new Set(changes.map((c) => c.field));
  const base = { name: n.name, role: n.role, old, new: n, changes };
  if (fields.has('role'))
    return {
      subject: n.name,
      reason: `role ${old.role} → ${n.role}: a node's role does not change; remove it and add a node under a new name (a control plane keeps 1, 3 or 5 nodes: ${CONTROL_PLANE_DOC})`,
    };
  const onlyBmc = [...fields].every((f) => f.startsWith('bmc.'));
  if (onlyBmc)
    return {
      ...base,
      action: 'update',
      steps: [`the BMC record updated, then checked by asking its power state (${bmcText(n)})`],
    };
  if (n.role === 'control-plane') {
    if (fields.has('ip'))
      return {
        subject: n.name,
        reason: `ip ${old.ip} → ${n.ip}: a control-plane node keeps its address (etcd's peers know it by it); ${CONTROL_PLANE_DOC}`,
      };
    if (!fields.has('mac'))
      return {
        subject: n.name,
        reason: `${[...fields].join(', ')} changed without a new MAC: a control-plane node is changed only by replacing its machine (same name, new MAC); ${CONTROL_PLANE_DOC}`,
      };
    // The documented replacement (day2.md §2.3) needs etcd member surgery: a runbook, not yet
    // an operation.
    return {
      subject: n.name,
      reason: `mac ${old.mac} → ${n.mac}: replacing a control-plane machine is not automated yet; follow "Replacing a control-plane node" in docs/day2.md`,
    };
  }
  if (fields.has('mac') || fields.has('ip'))
    return { ...base, action: 'replace', steps: [...removeSteps(old).slice(0, 2), ...addSteps(n)] };
  return {
    ...base,
    action: 'update',
    steps: [
      'its PXE menus (and BMC record) updated: the install device is used when it is next installed; the running node is not touched',
    ],
  };
}

export function makePlan(input: PlanInput): Plan {
  const { old: a, new: b } = input;
  const before = new Map(a.nodes.map((n) => [n.name, n]));
  const after = new Map(b.nodes.map((n) => [n.name, n]));
  const nodes: NodeChange[] = [];
  const refusals: Refusal[] = [];
  const quorum = `etcd keeps quorum with 1, 3 or 5 control-plane nodes, and apply does not change how many there are (${CONTROL_PLANE_DOC})`;
  for (const n of b.nodes) {
    const old = before.get(n.name);
    if (!old) {
      if (n.role === 'control-plane')
        refusals.push({ subject: n.name, reason: `adding a control-plane node: ${quorum}` });
      else nodes.push({ action: 'add', name: n.name, role: n.role, new: n, changes: [], steps: addSteps(n) });
      continue;
    }
    const change = changedNode(old, n, input.passwordChanged?.includes(n.name) ?? false);
    if (change && 'action' in change) nodes.push(change);
    else if (change) refusals.push(change);
  }
  for (const old of a.nodes.filter((n) => !after.has(n.name))) {
    if (old.role === 'control-plane')
      refusals.push({ subject: old.name, reason: `removing a control-plane node: ${quorum}` });
    else nodes.push({ action: 'remove', name: old.name, role: old.role, old, changes: [], steps: removeSteps(old) });
  }
  const settings: FieldChange[] = [];
  for (const c of diff(a, b, (f) => DERIVED.test(f) || f.startsWith('nodes'))) {
    if (APPLIES.some((p) => c.field === p || c.field.startsWith(p))) settings.push(c);
    else {
      const why = FIXED.find(([p]) => c.field === p || c.field.startsWith(p))?.[1] ?? 'apply cannot change it';
      if (why !== 'checked above') refusals.push({ subject: c.field, reason: `${c.from} → ${c.to}: ${why}` });
    }
  }
  // In the order apply makes them: a removed node frees its address and MAC (a machine renamed
  // in the site file is removed under its old name, then added under its new one).
  const ORDER: NodeChange['action'][] = ['remove', 'replace', 'update', 'add'];
  nodes.sort((x, y) => ORDER.indexOf(x.action) - ORDER.indexOf(y.action));
  const count = (...actions: NodeChange['action'][]) => nodes.filter((n) => actions.includes(n.action)).length;
  return {
    format: PLAN_FORMAT,
    cluster: b.cluster.fqdn,
    from: input.from,
    to: input.to,
    nodes,
    settings,
    refusals,
    counts: { add: count('add'), remove: count('remove'), change: count('replace', 'update') + settings.length },
  };
}

// Whether applying the plan touches any node (the part applyNodes does).
export const hasNodeChanges = (plan: Plan): boolean => plan.nodes.length > 0;
