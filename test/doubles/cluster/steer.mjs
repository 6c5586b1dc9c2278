#!/usr/bin/env node
// Steering the fake cluster from a test: what the world does to a cluster (a kubelet stops
// posting, a stranger files a CSR, an operator degrades, the signer rotates, the API goes
// away). Each change applies now, or with { in: seconds } is kept in the state as a timed
// change that the first oc call after it is due applies. Also readers for the tests'
// assertions, and the same as a command line:
//   node test/doubles/cluster/steer.mjs DOUBLES_DIR COMMAND [ARGS] [--in SECONDS]
// with the commands listed in usage below.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLIENT_SIGNER, SERVING_SIGNER, applyChange, newCsrName } from './controller.mjs';
import { makeCsr } from './pki.mjs';
import { load, update } from './state.mjs';

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

const USAGE = `usage: steer.mjs DOUBLES_DIR COMMAND [ARGS] [--in SECONDS]
  node-ready NAME
  node-not-ready NAME [--reason NodeStatusUnknown|KubeletNotReady] [--message M]
  csr --username U --cn CN [--org O] [--signer S] [--dns D]... [--ip I]... [--group G]... [--usage U]... [--name N]
  operator NAME Available|Progressing|Degraded|Upgradeable True|False|Unknown [--reason R] [--message M]
  signer-not-after RFC3339
  api up|down
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
