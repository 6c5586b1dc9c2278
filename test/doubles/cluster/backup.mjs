// cluster-backup.sh as cluster-etcd-operator ships it for 4.18 (bindata/etcd/cluster-backup.sh
// and etcd-common-tools, release-4.18), run on a node's host tree: the same checks, output
// lines, file names and exit codes. The snapshot is taken by the REAL etcdctl (Debian's
// etcd-client, ETCDCTL_API=3) from the cluster's real etcd (the endpoint in the cluster state),
// and the static pod resources are packed by the real tar.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { CliError } from './argv.mjs';
import { condition } from './objects.mjs';
import { hostRoot } from './state.mjs';

const RESOURCES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'];
const SCRIPTS = '/etc/kubernetes/static-pod-resources/etcd-certs/configmaps/etcd-scripts';

// date "+%F_%H%M%S" on a node (RHCOS runs in UTC).
function datestring(now = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return `${now.getUTCFullYear()}-${p(now.getUTCMonth() + 1)}-${p(now.getUTCDate())}_${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
}

// Runs a real program, its stdout and stderr merged in arrival order (as the pod log has them),
// the host tree's location cut out of what it prints so paths read as on the node.
function runMerged(cmd, args, env, root, out) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (d) => chunks.push(d));
    child.stderr.on('data', (d) => chunks.push(d));
    child.on('error', (err) => {
      chunks.push(Buffer.from(`${err.message}\n`));
    });
    child.on('close', (code) => {
      out(Buffer.concat(chunks).toString().split(root).join(''));
      resolve(code ?? 1);
    });
  });
}

export async function clusterBackup(ctx, { node, args, resolve, out }) {
  const root = hostRoot(ctx.dir, node.name);
  let dirty = '';
  if (args[0] === '--force') {
    dirty = '__POSSIBLY_DIRTY__';
    args = args.slice(1);
  }
  const dir = args[0];
  if (!dir || (existsSync(resolve(dir)) && statSync(resolve(dir)).isFile())) {
    out('Path to backup dir required: ./cluster-backup.sh [--force] <path-to-backup-dir>\n');
    return 1;
  }
  mkdirSync(resolve(dir), { recursive: true });
  const date = datestring();
  const tarFile = `${dir}/static_kuberesources_${date}${dirty}.tar.gz`;
  const snapshot = `${dir}/snapshot_${date}${dirty}.db`;
  // trap 'rm -f ${BACKUP_TAR_FILE} ${SNAPSHOT_FILE}' ERR
  const failed = (code) => {
    rmSync(resolve(tarFile), { force: true });
    rmSync(resolve(snapshot), { force: true });
    return code;
  };

  for (const dep of [`${SCRIPTS}/etcd.env`, `${SCRIPTS}/etcd-common-tools`])
    if (!existsSync(resolve(dep))) {
      out(
        'required dependencies not found, please ensure this script is run on a node with a functional etcd static pod\n',
      );
      return 1;
    }
  const env = readFileSync(resolve(`${SCRIPTS}/etcd.env`), 'utf8');
  let cacert = /ETCDCTL_CACERT="([^"]*)"/.exec(env)?.[1] ?? '';
  if (!existsSync(resolve(cacert))) {
    out(`Certificate ${cacert} is missing. Checking in different directory\n`);
    cacert = cacert.replace('static-pod-certs', 'static-pod-resources/etcd-certs');
    if (!existsSync(resolve(cacert))) {
      out(`Certificate ${cacert} is also missing in the second directory. Exiting!\n`);
      return 1;
    }
    out(`Certificate ${cacert} found!\n`);
  }

  // backup_latest_kube_static_resources
  const latestDirs = [];
  for (const resource of RESOURCES) {
    const manifest = `/etc/kubernetes/manifests/${resource}-pod.yaml`;
    if (!existsSync(resolve(manifest))) {
      out(`error finding manifests for the ${resource} pod. please check if it is running.\n`);
      return 1;
    }
    const latest = new RegExp(`/etc/kubernetes/static-pod-resources/${resource}-pod-[0-9]*`).exec(
      readFileSync(resolve(manifest), 'utf8'),
    )?.[0];
    if (!latest) {
      out(`error finding static-pod-resources for the ${resource} pod. please check if it is running.\n`);
      return 1;
    }
    if (dirty === '') {
      // oc get co RESOURCE -o jsonpath='{.status.conditions[?(@.type=="Progressing")].status}'
      let progressing = '';
      try {
        progressing = ctx.call(ctx, (state) => {
          const co = state.objects.clusteroperators[resource];
          return condition(co?.status.conditions, 'Progressing')?.status ?? '';
        });
      } catch (err) {
        if (!(err instanceof CliError)) throw err;
      }
      if (progressing === '') {
        out(
          `Could not find the status of the ${resource}. Check if the API server is running. Pass the --force flag to skip checks.\n`,
        );
        return 1;
      }
      if (progressing !== 'False') {
        out(
          `Currently the ${resource} operator is progressing. A reliable backup requires that a rollout is not in progress.  Aborting!\n`,
        );
        return 1;
      }
    }
    out(`found latest ${resource}: ${latest}\n`);
    latestDirs.push(latest.slice('/etc/kubernetes/'.length));
  }
  const tar = spawnSync('tar', ['-cpzf', resolve(tarFile), '-C', resolve('/etc/kubernetes'), ...latestDirs], {
    encoding: 'utf8',
  });
  if (tar.status !== 0) {
    out(tar.stderr.split(root).join(''));
    return failed(tar.status ?? 1);
  }
  chmodSync(resolve(tarFile), 0o600);

  // dl_etcdctl: RHCOS has podman, so etcdctl comes out of the etcd image (podman rm prints
  // the container's id), then `etcdctl version`.
  out(`${randomBytes(32).toString('hex')}\n`);
  await runMerged('etcdctl', ['version'], {}, root, out);

  const endpoint = node.cluster.etcdEndpoint;
  const saved = await runMerged(
    'etcdctl',
    ['snapshot', 'save', resolve(snapshot)],
    { ETCDCTL_API: '3', ETCDCTL_ENDPOINTS: endpoint },
    root,
    out,
  );
  if (saved !== 0) return failed(saved);
  // check_snapshot_status: with errexit a failed check ends the script through the ERR trap.
  const status = await runMerged(
    'etcdctl',
    ['snapshot', 'status', resolve(snapshot), '-w', 'json'],
    { ETCDCTL_API: '3' },
    root,
    out,
  );
  if (status !== 0) {
    out('Backup integrity verification failed. Backup appears corrupted. Aborting!\n');
    return failed(1);
  }
  out(`snapshot db and kube resources are successfully saved to ${dir}\n`);
  return 0;
}
