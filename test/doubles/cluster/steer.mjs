#!/usr/bin/env node
// Steering the fake cluster from a test: what the world does to a cluster (a kubelet stops
// posting, a stranger files a CSR, an operator degrades, the signer rotates, the API goes
// away). Each change applies now, or with { in: seconds } is kept in the state as a timed
// change that the first oc call after it is due applies. Also readers for the tests'
// assertions, and the same as a command line:
//   node test/doubles/cluster/steer.mjs DOUBLES_DIR COMMAND [ARGS] [--in SECONDS]
// with the commands listed in usage below.
import { readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLIENT_SIGNER, SERVING_SIGNER, applyChange, approve, newCsrName, tick } from './controller.mjs';
import { layoutHost } from './hosts.mjs';
import { makeCsr } from './pki.mjs';
import { eventCount, initMachine, machinePower, machineStuck } from './power.mjs';
import { load, pkiDir, update } from './state.mjs';
import { iso } from './util.mjs';

function change(doublesDir, c, opts = {}) {
  const now = Date.now();
  update(doublesDir, (state) => {
    if (opts.in !== undefined && Number(opts.in) > 0)
      state.timed.push({ due: now + Number(opts.in) * 1000, change: c });
    else applyChange(doublesDir, state, c, now);
  });
}

function knownNode(doublesDir, name) {
  const s = load(doublesDir);
  if (!s.machines.some((m) => m.name === name) && !s.objects.nodes[name])
    throw new Error(`fake cluster: no node or machine named ${name}`);
}

// The kubelet posts Ready again (a node that has not joined yet stays as it is).
export function setNodeReady(doublesDir, name, opts = {}) {
  knownNode(doublesDir, name);
  change(doublesDir, { op: 'node-ready', name }, opts);
}

// reason NodeStatusUnknown (default): the kubelet stopped posting, every condition Unknown;
// KubeletNotReady: the kubelet reports Ready=False with `message`.
export function setNodeNotReady(doublesDir, name, opts = {}) {
  knownNode(doublesDir, name);
  const reason = opts.reason ?? 'NodeStatusUnknown';
  change(doublesDir, { op: 'node-not-ready', name, reason, ...(opts.message ? { message: opts.message } : {}) }, opts);
}

// A CSR from anyone: a real PKCS#10 request for O=organization, CN=commonName and the SANs.
// Returns its name.
export function fileCsr(doublesDir, o) {
  const signerName = o.signerName ?? CLIENT_SIGNER;
  const { csr: request } = makeCsr(doublesDir, {
    commonName: o.commonName,
    organization: o.organization,
    dnsNames: o.dnsNames ?? [],
    ipAddresses: o.ipAddresses ?? [],
  });
  const name = o.name ?? newCsrName(load(doublesDir));
  const spec = {
    request,
    signerName,
    usages: o.usages ?? ['digital signature', signerName === SERVING_SIGNER ? 'server auth' : 'client auth'],
    username: o.username,
    ...(o.uid ? { uid: o.uid } : {}),
    groups: o.groups ?? ['system:authenticated'],
  };
  change(doublesDir, { op: 'csr', name, spec }, o);
  return name;
}

// One condition of a cluster operator (Available, Progressing, Degraded, Upgradeable).
export function setOperatorCondition(doublesDir, operator, type, status, opts = {}) {
  if (!load(doublesDir).objects.clusteroperators[operator])
    throw new Error(`fake cluster: no cluster operator ${operator}`);
  change(
    doublesDir,
    { op: 'operator', name: operator, type, status, reason: opts.reason, message: opts.message },
    opts,
  );
}

// The kube-apiserver-to-kubelet signer's auth.openshift.io/certificate-not-after (RFC3339).
export function setSignerNotAfter(doublesDir, date, opts = {}) {
  const text = date instanceof Date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : String(date);
  change(doublesDir, { op: 'signer-not-after', date: text }, opts);
}

export function setApi(doublesDir, up, opts = {}) {
  change(doublesDir, { op: 'api', up: Boolean(up) }, opts);
}

// For tests that start from an installed cluster: what bootstrap-complete and the approvals
// of an install do, at once (every pending CSR approved by "bootstrap" until every machine
// that is on has joined and the ClusterVersion completed), without an oc call per step.
export function completeInstall(doublesDir) {
  update(doublesDir, (state) => {
    state.api.up = true;
    state.bootstrap.complete = true;
    for (let i = 0; i < 8 && !state.install.completed; i++) {
      const now = Date.now();
      tick(doublesDir, state, now);
      for (const [name, c] of Object.entries(state.objects.certificatesigningrequests))
        if (!(c.status.conditions ?? []).length) approve(state, name, 'bootstrap', now);
    }
    tick(doublesDir, state, Date.now());
  });
}

// A machine racked after install (a worker, by default): it joins only once its BMC has
// PXE-booted it (a "power|reset boot=pxe" line in its chassis events after now) and it has
// booted; then its kubelet files its client CSR through the bootstrap credentials. Without a
// chassis it counts as PXE-booted at once.
export function addMachine(doublesDir, { name, ip, role = 'worker', chassis }) {
  const now = Date.now();
  const m = { name, ip, role, ...(chassis ? { chassis } : {}) };
  update(doublesDir, (state) => {
    if (state.machines.some((x) => x.name === name)) throw new Error(`fake cluster: machine ${name} exists`);
    m.eventsAtAdd = eventCount(chassis);
    state.machines.push(initMachine(m, now, { added: true }));
  });
  layoutHost(doublesDir, m, { caPem: readFileSync(join(pkiDir(doublesDir), 'csr-signer.crt'), 'utf8') });
}

// A stuck guest ignores its own shutdown and an ACPI soft-off; only a hard power-off (IPMI
// "chassis power off", Redfish ForceOff) turns it off. Kept in the chassis (DIR/stuck), where
// the BMC doubles look, or in the state for a machine without one.
export function setStuck(doublesDir, name, stuck = true) {
  update(doublesDir, (state) => {
    const m = state.machines.find((x) => x.name === name);
    if (!m) throw new Error(`fake cluster: no machine named ${name}`);
    if (m.chassis) {
      if (stuck) writeFileSync(join(m.chassis, 'stuck'), '1\n');
      else rmSync(join(m.chassis, 'stuck'), { force: true });
    } else if (stuck) m.stuck = true;
    else delete m.stuck;
  });
}

// Those kubelets' certificates count as expired (all machines when names is omitted): at their
// next boot they file a client CSR through the bootstrap credentials, then a serving CSR, and
// their Nodes turn Ready only once both are approved and signed.
export function expireKubeletCerts(doublesDir, names) {
  update(doublesDir, (state) => {
    for (const n of names ?? state.machines.map((m) => m.name))
      if (!state.machines.some((m) => m.name === n)) throw new Error(`fake cluster: no machine named ${n}`);
    for (const m of state.machines) if (!names || names.includes(m.name)) m.certsExpired = true;
  });
}

// Readers: they look without running the cluster's controllers.
export const approvals = (doublesDir) => ({ ...load(doublesDir).approvals });
export const approvalLog = (doublesDir) => load(doublesDir).approvalLog.map((e) => ({ ...e }));
export function objects(doublesDir) {
  const o = load(doublesDir).objects;
  return {
    clusterVersion: o.clusterversions.version,
    clusterOperators: Object.values(o.clusteroperators),
    nodes: Object.values(o.nodes),
    csrs: Object.values(o.certificatesigningrequests),
    secrets: Object.values(o.secrets),
    configMaps: Object.values(o.configmaps),
  };
}
export const clusterState = (doublesDir) => load(doublesDir);
// The machines: powered and stuck as they are now (the chassis), the rest as the cluster's
// last tick recorded it (booted: its kubelet is up; pending: added, not PXE-booted yet).
export function machines(doublesDir) {
  const state = load(doublesDir);
  const at = (ms) => (ms == null ? null : iso(ms));
  return state.machines.map((m) => ({
    name: m.name,
    role: m.role,
    ip: m.ip,
    chassis: m.chassis ?? null,
    powered: machinePower(m).on,
    stuck: machineStuck(m),
    pending: Boolean(m.pending),
    booted: m.power === 'on' && m.bootedAt != null && Date.now() >= m.bootedAt,
    boots: m.boots ?? 0,
    lastBoot: at(m.poweredAt),
    lastOff: at(m.offAt),
    shutdownScheduled: m.shutdown ? at(m.shutdown.due) : null,
    node: Boolean(state.objects.nodes[m.name]),
  }));
}

const USAGE = `usage: steer.mjs DOUBLES_DIR COMMAND [ARGS] [--in SECONDS]
  node-ready NAME
  node-not-ready NAME [--reason NodeStatusUnknown|KubeletNotReady] [--message M]
  csr --username U --cn CN [--org O] [--signer S] [--dns D]... [--ip I]... [--group G]... [--usage U]... [--name N]
  operator NAME Available|Progressing|Degraded|Upgradeable True|False|Unknown [--reason R] [--message M]
  signer-not-after RFC3339
  api up|down
  complete-install     (bootstrap done, every CSR approved until the nodes are Ready)
  add-machine NAME --ip IP [--role worker] [--chassis DIR]
  stuck NAME [on|off]
  expire-kubelet-certs [NAME]...
  machines             (JSON: each machine's power, boots and node)
  approvals            (JSON: approvals per CSR)
  get [RESOURCE [NAME]]  (JSON: the objects)
`;

export function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      in: { type: 'string' },
      reason: { type: 'string' },
      message: { type: 'string' },
      username: { type: 'string' },
      cn: { type: 'string' },
      org: { type: 'string' },
      signer: { type: 'string' },
      name: { type: 'string' },
      dns: { type: 'string', multiple: true },
      ip: { type: 'string', multiple: true },
      group: { type: 'string', multiple: true },
      usage: { type: 'string', multiple: true },
      role: { type: 'string' },
      chassis: { type: 'string' },
    },
  });
  const [dir, command, ...rest] = positionals;
  const opts = values.in !== undefined ? { in: Number(values.in) } : {};
  switch (command) {
    case 'node-ready':
      return setNodeReady(dir, rest[0], opts);
    case 'node-not-ready':
      return setNodeNotReady(dir, rest[0], { ...opts, reason: values.reason, message: values.message });
    case 'csr':
      if (!values.username || !values.cn) throw new Error('csr needs --username and --cn');
      process.stdout.write(
        `${fileCsr(dir, {
          ...opts,
          name: values.name,
          username: values.username,
          commonName: values.cn,
          organization: values.org,
          signerName: values.signer,
          dnsNames: values.dns,
          ipAddresses: values.ip,
          groups: values.group,
          usages: values.usage,
        })}\n`,
      );
      return undefined;
    case 'operator':
      return setOperatorCondition(dir, rest[0], rest[1], rest[2], {
        ...opts,
        reason: values.reason,
        message: values.message,
      });
    case 'signer-not-after':
      return setSignerNotAfter(dir, rest[0], opts);
    case 'api':
      if (rest[0] !== 'up' && rest[0] !== 'down') throw new Error('api up|down');
      return setApi(dir, rest[0] === 'up', opts);
    case 'complete-install':
      return completeInstall(dir);
    case 'add-machine': {
      const ip = values.ip?.[0];
      if (!rest[0] || !ip) throw new Error('add-machine NAME --ip IP [--role R] [--chassis DIR]');
      return addMachine(dir, { name: rest[0], ip, role: values.role ?? 'worker', chassis: values.chassis });
    }
    case 'stuck':
      if (rest[1] !== undefined && !['on', 'off'].includes(rest[1])) throw new Error('stuck NAME [on|off]');
      return setStuck(dir, rest[0], rest[1] !== 'off');
    case 'expire-kubelet-certs':
      return expireKubeletCerts(dir, rest.length > 0 ? rest : undefined);
    case 'machines':
      process.stdout.write(`${JSON.stringify(machines(dir), null, 2)}\n`);
      return undefined;
    case 'approvals':
      process.stdout.write(`${JSON.stringify(approvals(dir), null, 2)}\n`);
      return undefined;
    case 'get': {
      const o = load(dir).objects;
      const value = rest[0] ? (rest[1] ? o[rest[0]]?.[rest[1]] : o[rest[0]]) : o;
      process.stdout.write(`${JSON.stringify(value ?? null, null, 2)}\n`);
      return undefined;
    }
    default:
      process.stderr.write(USAGE);
      process.exitCode = 2;
      return undefined;
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`steer: ${err.message}\n`);
    process.exitCode = 1;
  }
}
