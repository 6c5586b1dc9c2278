// oc's command line as cobra/pflag read it: flags anywhere before "--", long flags as
// "--name value" or "--name=value", shorthands as "-n value", "-nvalue" or "-n=value",
// booleans as "--flag" or "--flag=false"; the words left over are the command path and its
// arguments; what follows "--" is passed on untouched (oc debug's command).

// Long flags that take a value; the rest are booleans.
const VALUED = new Set([
  'namespace',
  'output',
  'kubeconfig',
  'context',
  'cluster',
  'user',
  'server',
  'token',
  'as',
  'request-timeout',
  'selector',
  'field-selector',
  'filename',
  'patch',
  'patch-file',
  'type',
  'container',
  'timeout',
  'minimum-stable-period',
  'image',
  'to-namespace',
  'template',
  'sort-by',
  'node-name',
  'grace-period',
  'pod-selector',
  'chunk-size',
  'loglevel',
  'v',
  'dry-run',
  'field-manager',
  'as-user',
  'since',
  'keys',
  'to',
  'skip-wait-for-delete-timeout',
  'cascade',
  'to-image',
]);
// Boolean flags oc's commands here know; any other flag is refused as pflag does.
const BOOLS = new Set([
  'allow-explicit-upgrade',
  'allow-upgrade-with-warnings',
  'allow-not-recommended',
  'clear',
  'include-not-recommended',
  'to-latest',
  'to-multi-arch',
  'all-namespaces',
  'all',
  'confirm',
  'now',
  'allow-missing-template-keys',
  'as-root',
  'delete-emptydir-data',
  'disable-eviction',
  'force',
  'force-conflicts',
  'help',
  'ignore-daemonsets',
  'ignore-not-found',
  'insecure-skip-tls-verify',
  'keep-annotations',
  'keep-init-containers',
  'keep-labels',
  'keep-liveness',
  'keep-readiness',
  'local',
  'no-headers',
  'no-stdin',
  'no-tty',
  'one-container',
  'overwrite',
  'preserve-pod',
  'quiet',
  'recursive',
  'server-side',
  'show-kind',
  'show-labels',
  'show-managed-fields',
  'stdin',
  'tty',
  'wait',
  'watch',
]);
const SHORT = {
  n: 'namespace',
  o: 'output',
  l: 'selector',
  f: 'filename',
  p: 'patch',
  c: 'container',
  v: 'v',
  A: 'all-namespaces',
  q: 'quiet',
  t: 'tty',
  T: 'no-tty',
  I: 'no-stdin',
  w: 'watch',
  i: 'stdin',
  R: 'recursive',
};

export class UsageError extends Error {}

// An error oc prints as it is (stderr) before exiting with `code`.
export class CliError extends Error {
  constructor(text, code = 1) {
    super(text);
    this.code = code;
  }
}

export function parseArgs(args) {
  const flags = {};
  const words = [];
  let dash;
  const set = (name, value) => {
    (flags[name] ??= []).push(value);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      dash = args.slice(i + 1);
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (VALUED.has(name)) {
        if (eq > 0) set(name, a.slice(eq + 1));
        else if (i + 1 < args.length) set(name, args[++i]);
        else throw new UsageError(`flag needs an argument: --${name}`);
      } else if (BOOLS.has(name)) set(name, eq > 0 ? a.slice(eq + 1) : 'true');
      else throw new UsageError(`unknown flag: --${name}`);
    } else if (a.startsWith('-') && a.length > 1) {
      const name = SHORT[a[1]];
      if (!name) throw new UsageError(`unknown shorthand flag: '${a[1]}' in ${a}`);
      if (VALUED.has(name)) {
        if (a.length > 2) set(name, a[2] === '=' ? a.slice(3) : a.slice(2));
        else if (i + 1 < args.length) set(name, args[++i]);
        else throw new UsageError(`flag needs an argument: '${a[1]}' in -${a[1]}`);
      } else set(name, a.length > 2 && a[2] === '=' ? a.slice(3) : 'true');
    } else words.push(a);
  }
  const value = (name) => flags[name]?.at(-1);
  const bool = (name) => flags[name] !== undefined && flags[name].at(-1) !== 'false';
  return { words, flags, dash, value, bool };
}
