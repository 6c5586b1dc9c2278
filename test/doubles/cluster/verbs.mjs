// oc against the fake cluster: the command table, the API objects by resource type, and the
// verbs. A command is {path, run}; `get` works for every resource in RESOURCES, so later verbs
// (patch, apply -f, adm cordon/uncordon/drain) are new rows over the same store and helpers.
import { existsSync, readFileSync } from 'node:fs';
import { CliError, parseArgs, UsageError } from './argv.mjs';
import { approve, deny, tick } from './controller.mjs';
import { debug } from './hosts.mjs';
import { jsonpath } from './jsonpath.mjs';
import { condition, isFalse, isTrue } from './objects.mjs';
import { update } from './state.mjs';
import { formatGoDuration, humanDuration, iso, parseGoDuration, printJson, sleep, table, timeScale } from './util.mjs';

// The resource types the fake serves. `objects` keys are NAME, or NAMESPACE/NAME.
const NODE_ROLE = 'node-role.kubernetes.io/';
export const RESOURCES = [
  {
    resource: 'clusterversions',
    group: 'config.openshift.io',
    kind: 'ClusterVersion',
    names: ['clusterversion'],
    columns: ['NAME', 'VERSION', 'AVAILABLE', 'PROGRESSING', 'SINCE', 'STATUS'],
    row: (o, now) => {
      const p = condition(o.status.conditions, 'Progressing');
      return [
        o.metadata.name,
        o.status.history.find((h) => h.state === 'Completed')?.version ?? '',
        condition(o.status.conditions, 'Available')?.status ?? '',
        p?.status ?? '',
        p ? humanDuration(now - Date.parse(p.lastTransitionTime)) : '',
        p?.message ?? '',
      ];
    },
  },
  {
    resource: 'clusteroperators',
    group: 'config.openshift.io',
    kind: 'ClusterOperator',
    names: ['clusteroperator', 'co'],
    columns: ['NAME', 'VERSION', 'AVAILABLE', 'PROGRESSING', 'DEGRADED', 'SINCE', 'MESSAGE'],
    row: (o, now) => {
      const c = o.status.conditions;
      const a = condition(c, 'Available');
      const why =
        [condition(c, 'Degraded'), condition(c, 'Progressing')].find((x) => x?.status === 'True') ??
        (a?.status !== 'True' ? a : undefined);
      return [
        o.metadata.name,
        o.status.versions?.find((v) => v.name === 'operator')?.version ?? '',
        a?.status ?? '',
        condition(c, 'Progressing')?.status ?? '',
        condition(c, 'Degraded')?.status ?? '',
        a ? humanDuration(now - Date.parse(a.lastTransitionTime)) : '',
        why?.message ?? '',
      ];
    },
  },
  {
    resource: 'nodes',
    group: '',
    kind: 'Node',
    names: ['node', 'no'],
    columns: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
    row: (o, now) => {
      const roles = Object.keys(o.metadata.labels ?? {})
        .filter((l) => l.startsWith(NODE_ROLE))
        .map((l) => l.slice(NODE_ROLE.length))
        .sort();
      const status = isTrue(o.status.conditions, 'Ready') ? 'Ready' : 'NotReady';
      return [
        o.metadata.name,
        o.spec.unschedulable ? `${status},SchedulingDisabled` : status,
        roles.join(',') || '<none>',
        humanDuration(now - Date.parse(o.metadata.creationTimestamp)),
        o.status.nodeInfo.kubeletVersion,
      ];
    },
  },
  {
    resource: 'certificatesigningrequests',
    group: 'certificates.k8s.io',
    kind: 'CertificateSigningRequest',
    names: ['certificatesigningrequest', 'csr'],
    columns: ['NAME', 'AGE', 'SIGNERNAME', 'REQUESTOR', 'REQUESTEDDURATION', 'CONDITION'],
    row: (o, now) => {
      const conds = (o.status.conditions ?? []).map((c) => c.type);
      if (o.status.certificate) conds.push('Issued');
      return [
        o.metadata.name,
        humanDuration(now - Date.parse(o.metadata.creationTimestamp)),
        o.spec.signerName,
        o.spec.username,
        '<none>',
        conds.length > 0 ? conds.join(',') : 'Pending',
      ];
    },
  },
  {
    resource: 'secrets',
    group: '',
    kind: 'Secret',
    names: ['secret'],
    namespaced: true,
    columns: ['NAME', 'TYPE', 'DATA', 'AGE'],
    row: (o, now) => [
      o.metadata.name,
      o.type,
      Object.keys(o.data ?? {}).length,
      humanDuration(now - Date.parse(o.metadata.creationTimestamp)),
    ],
  },
  {
    resource: 'configmaps',
    group: '',
    kind: 'ConfigMap',
    names: ['configmap', 'cm'],
    namespaced: true,
    columns: ['NAME', 'DATA', 'AGE'],
    row: (o, now) => [
      o.metadata.name,
      Object.keys(o.data ?? {}).length,
      humanDuration(now - Date.parse(o.metadata.creationTimestamp)),
    ],
  },
];

export function resourceFor(word) {
  const w = word.toLowerCase();
  return RESOURCES.find((r) => {
    const all = [r.resource, ...r.names];
    return all.includes(w) || (r.group && all.some((n) => w === `${n}.${r.group}`));
  });
}
const qualified = (r) => (r.group ? `${r.resource}.${r.group}` : r.resource);
const notFound = (r, name) => `Error from server (NotFound): ${qualified(r)} "${name}" not found`;
const typeName = (r, name) => `${r.kind.toLowerCase()}${r.group ? `.${r.group}` : ''}/${name}`;

// client-go's loading rules: an explicit --kubeconfig must exist; missing files in KUBECONFIG
// are skipped, and no config at all is oc's "Missing or incomplete configuration info".
const EMPTY_CONFIG = `error: Missing or incomplete configuration info.  Please point to an existing, complete config file:


  1. Via the command-line flag --kubeconfig
  2. Via the KUBECONFIG environment variable
  3. In your home directory as ~/.kube/config

To view or setup config directly use the 'config' command.`;
function kubeconfig(args) {
  const explicit = args.value('kubeconfig');
  if (explicit !== undefined && !existsSync(explicit))
    throw new CliError(`error: stat ${explicit}: no such file or directory`);
  const file = explicit ?? (process.env.KUBECONFIG ?? '').split(':').find((f) => f && existsSync(f));
  if (!file) throw new CliError(EMPTY_CONFIG);
  const server = /^\s*server:\s*(\S+)/m.exec(readFileSync(file, 'utf8'))?.[1];
  return server ? new URL(server).host : undefined;
}

// One look at the cluster: run its controllers, then fn(state) under the lock. With the API
// down every client call fails as kubectl reports a refused connection.
export function call(ctx, fn) {
  return update(ctx.dir, (state) => {
    tick(ctx.dir, state, Date.now());
    const host = ctx.server ?? state.cluster.apiServer;
    if (!state.api.up) {
      const err = new CliError(
        `The connection to the server ${host} was refused - did you specify the right host or port?`,
      );
      err.host = host;
      throw err;
    }
    return fn(state);
  });
}

function selectorMatch(selector, labels = {}) {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const t = term.trim();
    let m;
    if ((m = /^([^!=]+)!=(.*)$/.exec(t))) return labels[m[1]] !== m[2];
    if ((m = /^([^!=]+)==?(.*)$/.exec(t))) return labels[m[1]] === m[2];
    if (t.startsWith('!')) return !(t.slice(1) in labels);
    return t in labels;
  });
}

function printObjects(ctx, r, objects, { single }) {
  const { args } = ctx;
  let output = args.value('output') ?? '';
  const now = Date.now();
  const list = { apiVersion: 'v1', items: objects, kind: 'List', metadata: { resourceVersion: '' } };
  const doc = single ? objects[0] : list;
  if (output === 'json') return printJson(doc);
  if (output === 'yaml') return ctx.yaml.stringify(doc, { sortMapEntries: true, indentSeq: false, lineWidth: 0 });
  if (output === 'name') return objects.map((o) => `${typeName(r, o.metadata.name)}\n`).join('');
  if (output === 'jsonpath' || output === 'template') output = `jsonpath=${args.value('template') ?? ''}`;
  if (output.startsWith('jsonpath=') || output.startsWith('jsonpath-as-json=')) {
    const template = output.slice(output.indexOf('=') + 1);
    try {
      return jsonpath(template, doc);
    } catch (err) {
      throw new CliError(`error: ${err.message}`);
    }
  }
  if (output !== '' && output !== 'wide')
    throw new CliError(
      `error: unable to match a printer suitable for the output format "${output}", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml`,
    );
  if (objects.length === 0) return '';
  const columns = r.namespaced && args.bool('all-namespaces') ? ['NAMESPACE', ...r.columns] : r.columns;
  const rows = objects.map((o) =>
    r.namespaced && args.bool('all-namespaces') ? [o.metadata.namespace, ...r.row(o, now)] : r.row(o, now),
  );
  return table(columns, rows, args.bool('no-headers'));
}

async function get(ctx, words) {
  const { args } = ctx;
  if (words.length === 0)
    throw new CliError(
      `You must specify the type of resource to get. Use "oc api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse "oc explain <resource>" for a detailed description of that resource (e.g. oc explain pods).\nSee 'oc get -h' for help and examples`,
    );
  // TYPE [NAME...] or TYPE/NAME...
  const requests = [];
  if (words[0].includes('/')) {
    for (const w of words) {
      const [type, name] = w.split('/');
      if (!name) throw new CliError(`error: arguments in resource/name form must have a single resource and name`);
      requests.push({ type, name });
    }
  } else for (const name of words.slice(1)) requests.push({ type: words[0], name });
  const types = words[0].includes('/') ? requests.map((q) => q.type) : [words[0]];
  for (const t of types)
    if (!resourceFor(t)) throw new CliError(`error: the server doesn't have a resource type "${t}"`);
  const namespace = args.value('namespace') ?? 'default';
  const all = args.bool('all-namespaces');
  if (args.value('output') === 'yaml') ctx.yaml = await import('yaml'); // sigs.k8s.io/yaml: sorted keys
  return call(ctx, (state) => {
    const errors = [];
    let out = '';
    if (requests.length === 0) {
      const r = resourceFor(words[0]);
      const objects = Object.values(state.objects[r.resource])
        .filter((o) => !r.namespaced || all || o.metadata.namespace === namespace)
        .filter((o) => selectorMatch(args.value('selector'), o.metadata.labels))
        .sort((a, b) =>
          `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
            `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
          ),
        );
      out = printObjects(ctx, r, objects, { single: false });
      if (objects.length === 0 && !/^(json|yaml|jsonpath|name)/.test(args.value('output') ?? ''))
        errors.push(r.namespaced && !all ? `No resources found in ${namespace} namespace.` : 'No resources found');
      return { out, errors, code: 0 };
    }
    const found = [];
    let r;
    for (const q of requests) {
      r = resourceFor(q.type);
      const o = state.objects[r.resource][r.namespaced ? `${namespace}/${q.name}` : q.name];
      if (o) found.push({ r, o });
      else if (!args.bool('ignore-not-found')) errors.push(notFound(r, q.name));
    }
    if (found.length > 0)
      out = printObjects(
        ctx,
        found[0].r,
        found.map((f) => f.o),
        { single: requests.length === 1 },
      );
    return { out, errors, code: errors.some((e) => e.startsWith('Error from server')) ? 1 : 0 };
  });
}

function certificate(ctx, words, verb) {
  if (words.length === 0)
    throw new CliError(
      `error: one or more CSRs must be specified as <name> or -f <filename>\nSee 'oc adm certificate ${verb} -h' for help and examples`,
    );
  const r = resourceFor('csr');
  return call(ctx, (state) => {
    let out = '';
    const errors = [];
    const now = Date.now();
    for (const name of words) {
      if (!state.objects.certificatesigningrequests[name]) {
        errors.push(notFound(r, name));
        continue;
      }
      const err = verb === 'approve' ? approve(state, name, 'oc', now) : deny(state, name, now);
      if (err) errors.push(`error: ${err}`);
      else
        out += `certificatesigningrequest.certificates.k8s.io/${name} ${verb === 'approve' ? 'approved' : 'denied'}\n`;
    }
    return { out, errors, code: errors.length > 0 ? 1 : 0 };
  });
}

// oc adm wait-for-stable-cluster (oc pkg/cli/admin/waitforstable/command.go): polls the
// operators every 10 s (or just over the stable period when that is shorter) and succeeds once
// none is unavailable, progressing or degraded for longer than --minimum-stable-period. The
// fake's clock runs FYR_DOUBLE_TIME_SCALE times faster; the durations printed are the virtual ones.
async function waitForStable(ctx) {
  const { args, io } = ctx;
  let timeout;
  let period;
  try {
    timeout = parseGoDuration(args.value('timeout') ?? '1h');
    period = parseGoDuration(args.value('minimum-stable-period') ?? '5m');
  } catch (err) {
    throw new CliError(`Error: invalid argument: ${err.message}`);
  }
  if (timeout <= period) throw new CliError('error: --timeout must be greater than the --minimum-stable-period');
  const interval = 10_000 > period ? period + 1000 : 10_000;
  const scale = timeScale();
  const start = Date.now();
  const virtual = () => start + (Date.now() - start) * scale;
  let stableSince;
  let previously = new Set();
  const since = new Map();
  for (;;) {
    const now = virtual();
    if (now - start >= timeout) throw new CliError('error: context deadline exceeded');
    let operators;
    try {
      operators = call(ctx, (state) => ({
        out: '',
        errors: [],
        value: Object.values(state.objects.clusteroperators),
      })).value;
    } catch (err) {
      if (!(err instanceof CliError) || !err.host) throw err;
      const host = err.host;
      io.err(
        `failed to list clusteroperators: Get "https://${host}/apis/config.openshift.io/v1/clusteroperators": dial tcp ${host}: connect: connection refused`,
      );
      stableSince = undefined;
      io.out('\n');
      await sleep(interval / scale);
      continue;
    }
    const unstable = new Set();
    for (const co of operators.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
      const name = co.metadata.name;
      const c = co.status.conditions;
      const why = [
        !isTrue(c, 'Available') && 'unavailable',
        !isFalse(c, 'Progressing') && 'progressing',
        !isFalse(c, 'Degraded') && 'degraded',
      ]
        .filter(Boolean)
        .join(' and ');
      if (why) {
        unstable.add(name);
        if (!since.has(name)) since.set(name, now);
        if (previously.has(name))
          io.out(`clusteroperators/${name} is still ${why} after ${formatGoDuration(now - since.get(name))}\n`);
        else if (previously.size === 0) io.out(`clusteroperators/${name} is ${why} at ${iso(now)}\n`);
        else io.out(`clusteroperators/${name} became ${why} at ${iso(now)}\n`);
      } else {
        if (previously.has(name))
          io.out(
            `clusteroperators/${name} stabilized at ${iso(now)} after ${formatGoDuration(now - since.get(name))}\n`,
          );
        since.delete(name);
      }
    }
    previously = unstable;
    let done = false;
    if (unstable.size > 0) stableSince = undefined;
    else if (stableSince === undefined) {
      stableSince = now;
      io.out(`All clusteroperators became stable at ${iso(now)}\n`);
    } else {
      io.out(`All clusteroperators are still stable after ${formatGoDuration(now - stableSince)}\n`);
      done = now - stableSince > period;
    }
    io.out('\n');
    if (done) break;
    await sleep(interval / scale);
  }
  io.out('All clusteroperators are stable\n');
  return 0;
}

export const COMMANDS = [
  { path: ['get'], run: get },
  { path: ['adm', 'certificate', 'approve'], run: (ctx, words) => certificate(ctx, words, 'approve') },
  { path: ['adm', 'certificate', 'deny'], run: (ctx, words) => certificate(ctx, words, 'deny') },
  { path: ['adm', 'wait-for-stable-cluster'], run: waitForStable },
  { path: ['debug'], run: (ctx, words) => debug(ctx, words, call) },
];

// The command an argv names (flags skipped), or undefined.
export function commandFor(argv) {
  let words;
  try {
    words = parseArgs(argv).words;
  } catch {
    words = argv.filter((a) => !a.startsWith('-'));
  }
  return COMMANDS.find((c) => c.path.every((p, i) => words[i] === p));
}

// Runs one oc command line against the cluster in doublesDir; returns the exit code.
export async function runOc(doublesDir, argv, io) {
  try {
    const args = parseArgs(argv);
    const command = COMMANDS.find((c) => c.path.every((p, i) => args.words[i] === p));
    if (!command) throw new CliError(`oc double: unsupported command: ${argv.join(' ')}`, 2);
    const ctx = { dir: doublesDir, args, io };
    ctx.server = kubeconfig(args);
    const result = await command.run(ctx, args.words.slice(command.path.length));
    if (typeof result === 'number') return result;
    io.out(result.out);
    for (const e of result.errors) io.err(`${e}\n`);
    return result.code;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`error: ${err.message}\n`);
      return 1;
    }
    if (!(err instanceof CliError)) throw err;
    io.err(`${err.message}\n`);
    return err.code;
  }
}
