// The nodes' hosts: each node's "/" is the directory cluster/hosts/NAME/, laid out as RHCOS
// has it where the agent looks (static pod manifests and resources, the etcd scripts,
// /usr/local/bin/cluster-backup.sh on control planes, /var/lib/kubelet/pki). `oc debug
// node/NAME -- chroot /host CMD…` runs CMD there: cat, ls, rm, mkdir, test, shutdown and
// cluster-backup.sh; anything else is what chroot says of a missing program.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { chassisPowerSince } from '../lib.mjs';
import { doublesFile } from '../root.mjs';
import { CliError } from './argv.mjs';
import { clusterBackup } from './backup.mjs';
import { STATIC_POD_OPERATORS, isTrue } from './objects.mjs';
import { kubeletRunning } from './power.mjs';
import { hostRoot } from './state.mjs';
import { randSuffix, sleep, timeScale } from './util.mjs';

const write = (file, text, mode = 0o644) => {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text, { mode });
};

// The host tree a node boots with. Control planes carry what the etcd static pod's init
// container installs (cluster-etcd-operator bindata/etcd/pod.gotpl.yaml): the scripts in
// /usr/local/bin and the etcd-scripts configmap under static-pod-resources/etcd-certs.
export function layoutHost(doublesDir, machine, { caPem }) {
  const root = hostRoot(doublesDir, machine.name);
  mkdirSync(join(root, 'home/core'), { recursive: true });
  mkdirSync(join(root, 'var/lib/kubelet/pki'), { recursive: true });
  write(join(root, 'etc/hostname'), `${machine.name}\n`);
  if (machine.role !== 'control-plane') return;
  const k8s = join(root, 'etc/kubernetes');
  for (const [op, rev] of Object.entries(STATIC_POD_OPERATORS)) {
    const dir = `/etc/kubernetes/static-pod-resources/${op}-pod-${rev}`;
    write(
      join(k8s, 'manifests', `${op}-pod.yaml`),
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${op}\n  namespace: openshift-${op}\nspec:\n  volumes:\n  - hostPath:\n      path: ${dir}\n    name: resource-dir\n`,
    );
    write(join(root, dir, `${op}-pod.yaml`), `# ${op} static pod, revision ${rev}\n`);
    write(join(root, dir, 'configmaps/config/config.yaml'), `# ${op} configuration, revision ${rev}\n`);
    write(join(root, dir, 'secrets/serving-cert/tls.key'), `# ${op} serving key (fake)\n`, 0o600);
  }
  const scripts = join(k8s, 'static-pod-resources/etcd-certs/configmaps/etcd-scripts');
  write(
    join(scripts, 'etcd.env'),
    [
      'export ETCDCTL_API="3"',
      'export ETCDCTL_CACERT="/etc/kubernetes/static-pod-certs/configmaps/etcd-all-bundles/server-ca-bundle.crt"',
      `export ETCDCTL_CERT="/etc/kubernetes/static-pod-certs/secrets/etcd-all-certs/etcd-peer-${machine.name}.crt"`,
      `export ETCDCTL_KEY="/etc/kubernetes/static-pod-certs/secrets/etcd-all-certs/etcd-peer-${machine.name}.key"`,
      `export NODE_${machine.name.replace(/[^A-Za-z0-9]/g, '_')}_IP="${machine.ip}"`,
      '',
    ].join('\n'),
  );
  write(join(scripts, 'etcd-common-tools'), '# Common environment variables\nCONFIG_FILE_DIR="/etc/kubernetes"\n');
  write(join(k8s, 'static-pod-resources/etcd-certs/configmaps/etcd-all-bundles/server-ca-bundle.crt'), caPem);
  write(
    join(root, 'usr/local/bin/cluster-backup.sh'),
    '#!/usr/bin/env bash\n\n### Created by cluster-etcd-operator. DO NOT edit.\n# (the fake cluster runs its own cluster-backup.sh for this path: test/doubles/cluster/backup.mjs)\n',
    0o755,
  );
}

// A path inside a root, as chroot confines it ("/.." is "/").
export function inRoot(root, path) {
  return join(root, normalize(`/${path}`));
}

const BUILTINS = ['cat', 'ls', 'rm', 'mkdir', 'test', 'shutdown'];
const PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

// Runs argv with `resolve` mapping its paths; out() takes the container's output (stdout and
// stderr both: oc debug streams the pod's log). Returns the exit status.
async function run(ctx, argv, resolve, out, node) {
  const [cmd, ...rest] = argv;
  const base = cmd.split('/').pop();
  let program;
  if (BUILTINS.includes(base) && (!cmd.includes('/') || PATH.includes(cmd.slice(0, cmd.lastIndexOf('/')))))
    program = base;
  else {
    const candidates = cmd.includes('/') ? [cmd] : PATH.map((d) => `${d}/${cmd}`);
    const found = candidates.find((p) => existsSync(resolve(p)) && statSync(resolve(p)).isFile());
    if (found && found.split('/').pop() === 'cluster-backup.sh') program = 'cluster-backup.sh';
  }
  switch (program) {
    case 'cat': {
      let status = 0;
      for (const p of rest) {
        const f = resolve(p);
        if (!existsSync(f)) {
          out(`cat: ${p}: No such file or directory\n`);
          status = 1;
        } else if (statSync(f).isDirectory()) {
          out(`cat: ${p}: Is a directory\n`);
          status = 1;
        } else
          for await (const chunk of createReadStream(f, { highWaterMark: 1 << 20 }))
            if (!out(chunk)) await ctx.io.drain(); // stream: never more than a chunk in memory
      }
      return status;
    }
    case 'ls': {
      const all = rest.some((a) => /^-[a-zA-Z1]*a/.test(a));
      const paths = rest.filter((a) => !a.startsWith('-'));
      let status = 0;
      for (const p of paths.length > 0 ? paths : ['/']) {
        const f = resolve(p);
        if (!existsSync(f)) {
          out(`ls: cannot access '${p}': No such file or directory\n`);
          status = 2;
        } else if (!statSync(f).isDirectory()) out(`${p}\n`);
        else {
          if (paths.length > 1) out(`${p}:\n`);
          const names = readdirSync(f)
            .filter((n) => all || !n.startsWith('.'))
            .sort();
          out(names.map((n) => `${n}\n`).join(''));
        }
      }
      return status;
    }
    case 'rm': {
      const opts = rest.filter((a) => a.startsWith('-')).join('');
      const recursive = /[rR]/.test(opts);
      const force = /f/.test(opts);
      let status = 0;
      for (const p of rest.filter((a) => !a.startsWith('-'))) {
        if (recursive && normalize(`/${p}`) === '/') {
          out(
            `rm: it is dangerous to operate recursively on '${p}'\nrm: use --no-preserve-root to override this failsafe\n`,
          );
          status = 1;
          continue;
        }
        const f = resolve(p);
        if (!existsSync(f)) {
          if (!force) {
            out(`rm: cannot remove '${p}': No such file or directory\n`);
            status = 1;
          }
        } else if (statSync(f).isDirectory() && !recursive) {
          out(`rm: cannot remove '${p}': Is a directory\n`);
          status = 1;
        } else rmSync(f, { recursive: true, force: true });
      }
      return status;
    }
    case 'mkdir': {
      const parents = rest.includes('-p');
      let status = 0;
      for (const p of rest.filter((a) => !a.startsWith('-'))) {
        const f = resolve(p);
        if (existsSync(f) && !parents) {
          out(`mkdir: cannot create directory '${p}': File exists\n`);
          status = 1;
        } else if (!parents && !existsSync(join(f, '..'))) {
          out(`mkdir: cannot create directory '${p}': No such file or directory\n`);
          status = 1;
        } else mkdirSync(f, { recursive: true });
      }
      return status;
    }
    case 'test': {
      const [op, p] = rest;
      if (p === undefined) return op === undefined || op === '' ? 1 : 0;
      const f = resolve(p);
      if (op === '-e') return existsSync(f) ? 0 : 1;
      if (op === '-f') return existsSync(f) && statSync(f).isFile() ? 0 : 1;
      if (op === '-d') return existsSync(f) && statSync(f).isDirectory() ? 0 : 1;
      out(`test: ${op}: unary operator expected\n`);
      return 2;
    }
    case 'shutdown':
      return shutdown(ctx, rest, out, node);
    case 'cluster-backup.sh':
      return clusterBackup(ctx, { node, args: rest, resolve, out });
    default:
      out(`chroot: failed to run command '${cmd}': No such file or directory\n`);
      return 127;
  }
}

// systemd's FORMAT_TIMESTAMP_STYLE(…, TIMESTAMP_PRETTY): "%a %Y-%m-%d %H:%M:%S %Z", seconds
// truncated; RHCOS hosts keep UTC.
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
function prettyTimestamp(ms) {
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC`;
}

// shutdown, systemd's compatibility command (src/systemctl/systemctl-compat-shutdown.c:
// getopt "HPrhkKat:fFc", --halt/--poweroff/--show; systemctl-sysv-compat.c
// parse_shutdown_time_spec: "now", minutes ("1", "+5") or "hh:mm"; no time is one minute).
// A scheduled power-off goes to logind (systemctl-logind.c logind_schedule_shutdown), which
// prints "Shutdown scheduled for …, use 'shutdown -c' to cancel." and powers the host off when
// due; here a detached process (shutdown.mjs) does that after the delay divided by
// FYR_DOUBLE_TIME_SCALE, while the printed time is the real one. "now" powers off at once
// and prints nothing. -c cancels; --show prints the schedule. A reboot is not modelled.
async function shutdown(ctx, argv, out, node) {
  let action = 'poweroff';
  const operands = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (a === '--halt') action = 'halt';
    else if (a === '--poweroff') action = 'poweroff';
    else if (a === '--reboot') action = 'reboot';
    else if (a === '--show') action = 'show';
    else if (a === '--no-wall') continue;
    else if (a.startsWith('--')) {
      out(`shutdown: unrecognized option '${a}'\n`);
      return 1;
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        if (c === 'H') action = 'halt';
        else if (c === 'P') action = 'poweroff';
        else if (c === 'h') action = action === 'halt' ? 'halt' : 'poweroff';
        else if (c === 'r' || c === 'K') action = 'reboot';
        else if (c === 'c') action = 'cancel';
        else if (c === 't') {
          if (j === a.length - 1) i++; // -t takes (and ignores) an argument
          break;
        } else if (!'kaFf'.includes(c)) {
          out(`shutdown: invalid option -- '${c}'\n`);
          return 1;
        }
      }
    } else operands.push(a);
  }
  if (action === 'reboot') {
    out('oc double: shutdown -r (a reboot) is not modelled\n');
    return 1;
  }
  const now = Date.now();
  const name = node.name;
  if (action === 'show' || action === 'cancel')
    return ctx.call(ctx, (state) => {
      const m = state.machines.find((x) => x.name === name);
      if (action === 'cancel') delete m.shutdown;
      else if (m.shutdown)
        out(`Shutdown scheduled for ${prettyTimestamp(m.shutdown.shown)}, use 'shutdown -c' to cancel.\n`);
      else out('No scheduled shutdown.\n');
      return 0;
    });
  let when = now + 60_000;
  const spec = operands[0];
  if (spec !== undefined) {
    let m;
    if (spec === 'now') when = now;
    else if ((m = /^\+?(\d+)$/.exec(spec))) when = now + Number(m[1]) * 60_000;
    else if ((m = /^(\d+):(\d+)$/.exec(spec)) && Number(m[1]) <= 23 && Number(m[2]) <= 59) {
      const d = new Date(now);
      when = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), Number(m[1]), Number(m[2]));
      if (when < now) when += 24 * 3600_000;
    } else {
      out(`Failed to parse time specification: ${spec}\n`);
      return 1;
    }
  }
  const delay = (when - now) / timeScale();
  const token = randomUUID();
  const chassis = ctx.call(ctx, (state) => {
    const m = state.machines.find((x) => x.name === name);
    m.shutdown = { token, due: now + delay, shown: when };
    return m.chassis;
  });
  spawn(
    process.execPath,
    [
      doublesFile('cluster/shutdown.mjs'),
      ctx.dir,
      name,
      token,
      String(Math.max(0, Math.round(delay))),
      String(chassis ? (chassisPowerSince(chassis) ?? '') : ''),
    ],
    { detached: true, stdio: 'ignore' },
  ).unref();
  if (when > now) out(`Shutdown scheduled for ${prettyTimestamp(when)}, use 'shutdown -c' to cancel.\n`);
  return 0;
}

// generateapp.MakeSimpleName: lower case, only [a-z0-9-].
const simpleName = (name) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);

// oc debug node/NAME -- COMMAND (oc pkg/cli/debug/debug.go, release-4.18): the pod runs the
// command and oc follows its log, so the command's stdout and stderr both reach oc's stdout;
// oc's own lines go to stderr. A non-zero exit is oc's "non-zero exit code from debug
// container", exit 1. On a node that is not Ready the pod never starts: oc gives up with
// "timed out waiting for the condition" (after 15 minutes for real; here 15 min divided by
// FYR_DOUBLE_TIME_SCALE, at most 2 s).
export async function debug(ctx, words, call) {
  const { args, io } = ctx;
  const target = words[0] ?? '';
  const m = /^(?:node|nodes|no)\/(.+)$/.exec(target);
  if (!m || words.length > 1) throw new CliError('oc double: only oc debug node/NAME -- COMMAND… is supported', 2);
  const name = m[1];
  const command = ctx.args.dash;
  if (!command || command.length === 0)
    throw new CliError('oc double: oc debug needs a command after -- (no interactive shell here)', 2);
  const info = call(ctx, (state) => {
    const node = state.objects.nodes[name];
    if (!node) throw new CliError(`Error from server (NotFound): nodes "${name}" not found`);
    const m = state.machines.find((x) => x.name === name);
    // A pod cannot start where no kubelet runs, whatever the Node still says.
    const running = !m || kubeletRunning(m, Date.now());
    return { ready: running && isTrue(node.status.conditions, 'Ready'), cluster: state.cluster };
  });
  const quiet = args.bool('quiet');
  const pod = `${simpleName(name)}-debug-${randSuffix()}`;
  if (!quiet) io.err(`Starting pod/${pod} ...\nTo use host binaries, run \`chroot /host\`\n`);
  let status;
  if (!info.ready) {
    await sleep(Math.min((15 * 60_000) / timeScale(), 2000));
    if (!quiet) io.err('\nRemoving debug pod ...\n');
    io.err('error: timed out waiting for the condition\n');
    return 1;
  }
  const root = hostRoot(ctx.dir, name);
  ctx.call = call;
  if (command[0] === 'chroot' && command[1] === '/host') {
    const resolve = (p) => inRoot(root, p);
    status = command.length > 2 ? await run(ctx, command.slice(2), resolve, io.out, { name, ...info }) : 0;
  } else {
    // Outside the chroot the tools image sees the host under /host only.
    const resolve = (p) =>
      normalize(`/${p}`).startsWith('/host/')
        ? inRoot(root, normalize(`/${p}`).slice(5))
        : inRoot(join(root, '..', '..', 'image'), p);
    if (BUILTINS.includes(command[0].split('/').pop()))
      status = await run(ctx, command, resolve, io.out, { name, ...info });
    else {
      io.out(`exec: "${command[0]}": executable file not found in $PATH\n`);
      status = 127;
    }
  }
  if (!quiet) io.err('\nRemoving debug pod ...\n');
  if (status !== 0) {
    io.err('error: non-zero exit code from debug container\n');
    return 1;
  }
  return 0;
}
