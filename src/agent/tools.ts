// Command lines of the programs the agent drives, as pure argv builders (tested against literal
// arrays). Secrets never appear here: they go through files, stdin or the environment.

export const REGISTRY_CONTAINER = 'fyr-registry';
export const REGISTRY_USER = 'fyr';

export const openshiftInstall = {
  manifests: (dir: string) => ['create', 'manifests', '--dir', dir, '--log-level', 'info'],
  ignition: (dir: string) => ['create', 'ignition-configs', '--dir', dir, '--log-level', 'info'],
  waitBootstrap: (dir: string) => ['wait-for', 'bootstrap-complete', '--dir', dir, '--log-level', 'info'],
  waitInstall: (dir: string) => ['wait-for', 'install-complete', '--dir', dir, '--log-level', 'info'],
};

// Where the kubelet-serving signer's date is read (day2.md §3.4): the annotation only, never
// the secret's data (the signer's private key).
const SIGNER_NOT_AFTER = '{.metadata.annotations.auth\\.openshift\\.io/certificate-not-after}';
// A node's own file system inside `oc debug node/N` (the node's / is mounted at /host).
const onHost = (node: string, argv: readonly string[]) => [
  'debug',
  '--as-root',
  `node/${node}`,
  '--',
  'chroot',
  '/host',
  ...argv,
];

export const oc = {
  csrs: () => ['get', 'csr', '--output', 'json'],
  approve: (names: readonly string[]) => ['adm', 'certificate', 'approve', ...names],
  clusterVersion: () => ['get', 'clusterversion', 'version', '--output', 'json'],
  clusterOperators: () => ['get', 'clusteroperators', '--output', 'json'],
  nodes: () => ['get', 'nodes', '--output', 'json'],
  signerNotAfter: () => [
    '--namespace',
    'openshift-kube-apiserver-operator',
    'get',
    'secret',
    'kube-apiserver-to-kubelet-signer',
    '--output',
    `jsonpath=${SIGNER_NOT_AFTER}`,
  ],
  // The cluster's own backup script on a control-plane node (cluster-etcd-operator
  // bindata/etcd/cluster-backup.sh, installed there by the etcd pod).
  clusterBackup: (node: string, dir: string) => onHost(node, ['/usr/local/bin/cluster-backup.sh', dir]),
  hostMakeDir: (node: string, dir: string) => onHost(node, ['mkdir', '-p', dir]),
  hostList: (node: string, dir: string) => onHost(node, ['ls', '-1', dir]),
  hostCat: (node: string, file: string) => onHost(node, ['cat', file]),
  hostRemove: (node: string, path: string) => onHost(node, ['rm', '-rf', path]),
  // Day-2 power (day2.md §4.1): the documented shutdown and restart, node by node.
  cordon: (node: string) => ['adm', 'cordon', node],
  uncordon: (node: string) => ['adm', 'uncordon', node],
  drain: (node: string, timeoutS: number) => [
    'adm',
    'drain',
    node,
    '--ignore-daemonsets',
    '--delete-emptydir-data',
    '--force',
    `--timeout=${timeoutS}s`,
  ],
  // The node's own systemd powers it off a minute later, after oc debug has come back.
  hostShutdown: (node: string) => onHost(node, ['shutdown', '-h', '1']),
  // "Shutdown scheduled for …" when one is (systemd's shutdown --show).
  hostShutdownShow: (node: string) => onHost(node, ['shutdown', '--show']),
  deleteNode: (node: string) => ['delete', 'node', node],
  applyFile: (file: string) => ['apply', '--filename', file],
  // Day 2, operators and storage (day2.md §5): one object read, the OLM and storage patches.
  getNamespaced: (namespace: string, kind: string, name: string) => [
    '--namespace',
    namespace,
    'get',
    kind,
    name,
    '--output',
    'json',
  ],
  getAll: (kind: string) => ['get', kind, '--output', 'json'],
  getAllIn: (namespace: string, kind: string) => ['--namespace', namespace, 'get', kind, '--output', 'json'],
  clusterOperator: (name: string) => ['get', 'clusteroperator', name, '--output', 'json'],
  // Day 2, upgrade (day2.md §1.4): by digest, never --force for a signed release.
  upgrade: (image: string) => ['adm', 'upgrade', '--allow-explicit-upgrade', `--to-image=${image}`],
  ackAdminGate: (key: string) => [
    '--namespace',
    'openshift-config',
    'patch',
    'configmap',
    'admin-acks',
    '--type',
    'merge',
    '--patch',
    JSON.stringify({ data: { [key]: 'true' } }),
  ],
  disableDefaultSources: (patch: unknown) => [
    'patch',
    'operatorhub',
    'cluster',
    '--type',
    'json',
    '--patch',
    JSON.stringify(patch),
  ],
  approveInstallPlan: (namespace: string, name: string) => [
    '--namespace',
    namespace,
    'patch',
    'installplan',
    name,
    '--type',
    'merge',
    '--patch',
    '{"spec":{"approved":true}}',
  ],
  mergePatch: (kind: string, name: string, patch: unknown) => [
    'patch',
    kind,
    name,
    '--type',
    'merge',
    '--patch',
    JSON.stringify(patch),
  ],
  // The pointer ignition the cluster keeps for new machines (day2.md §2.2): a "merge" of
  // https://api-int.<cluster>:22623/config/<pool> with the cluster's root CA.
  userData: (role: 'worker' | 'master') => [
    '--namespace',
    'openshift-machine-api',
    'extract',
    `secret/${role}-user-data-managed`,
    '--keys=userData',
    '--to=-',
  ],
  unschedulable: (node: string) => ['get', 'node', node, '--output', 'jsonpath={.spec.unschedulable}'],
  waitStable: (minimumS: number, timeoutS: number) => [
    'adm',
    'wait-for-stable-cluster',
    `--minimum-stable-period=${minimumS}s`,
    `--timeout=${timeoutS}s`,
  ],
  // Disk-to-mirror archive (oc adm release mirror --to-dir) into the bastion's registry.
  mirror: (authFile: string, fromDir: string, version: string, registry: string) => [
    'image',
    'mirror',
    '--registry-config',
    authFile,
    `--from-dir=${fromDir}`,
    `file://openshift/release:${version}*`,
    `${registry}/openshift/release`,
  ],
};

export const virsh = {
  exists: (name: string) => ['dominfo', name],
  state: (name: string) => ['domstate', name],
  define: (xml: string) => ['define', xml],
  start: (name: string) => ['start', name],
  destroy: (name: string) => ['destroy', name],
  undefine: (name: string) => ['undefine', name, '--nvram'],
};

export const qemuImg = {
  create: (file: string, sizeGiB: number) => ['create', '-f', 'qcow2', file, `${sizeGiB}G`],
};

// The registry container: detached, restarted with the bastion.
const RUN_DETACHED = ['run', '--detach', '--name', REGISTRY_CONTAINER, '--restart', 'always'];

export const podman = {
  imageExists: (image: string) => ['image', 'exists', image],
  load: (archive: string) => ['load', '--input', archive],
  containerExists: () => ['container', 'exists', REGISTRY_CONTAINER],
  containerRunning: () => ['container', 'inspect', '--format', '{{.State.Running}}', REGISTRY_CONTAINER],
  startContainer: () => ['start', REGISTRY_CONTAINER],
  removeContainer: () => ['rm', '--force', '--ignore', REGISTRY_CONTAINER],
  runRegistry: (o: { image: string; port: number; dataDir: string; certDir: string; authDir: string }) => [
    ...RUN_DETACHED,
    '--publish',
    `${o.port}:5000`,
    '--volume',
    `${o.dataDir}:/var/lib/registry:z`,
    '--volume',
    `${o.certDir}:/certs:z`,
    '--volume',
    `${o.authDir}:/auth:z`,
    '--env',
    'REGISTRY_AUTH=htpasswd',
    '--env',
    'REGISTRY_AUTH_HTPASSWD_REALM=fyr',
    '--env',
    'REGISTRY_AUTH_HTPASSWD_PATH=/auth/htpasswd',
    '--env',
    'REGISTRY_HTTP_TLS_CERTIFICATE=/certs/registry.crt',
    '--env',
    'REGISTRY_HTTP_TLS_KEY=/certs/registry.key',
    o.image,
  ],
  // The registry over the serve directory (the stick's tree, later its copy): read-only, with
  // rslave propagation so that mounts made in it on the host reach the container (and their
  // unmounts too); SELinux labels off for the container (a read-only file system cannot be
  // relabelled with :z); TLS and htpasswd come from the config.
  runReadOnlyRegistry: (o: {
    image: string;
    port: number;
    serveDir: string;
    serveMount: string;
    config: string;
    configPath: string;
    certDir: string;
    authDir: string;
  }) => [
    ...RUN_DETACHED,
    '--security-opt',
    'label=disable',
    '--publish',
    `${o.port}:5000`,
    '--volume',
    `${o.serveDir}:${o.serveMount}:ro,rslave`,
    '--volume',
    `${o.config}:${o.configPath}:ro`,
    '--volume',
    `${o.certDir}:/certs:ro`,
    '--volume',
    `${o.authDir}:/auth:ro`,
    o.image,
  ],
};

export const openssl = {
  // A PEM certificate signing request on stdin, its subject and extensions as text.
  csrText: () => ['req', '-noout', '-text', '-nameopt', 'RFC2253'],
  // A self-signed CA-capable certificate for the registry, made on site (never at build time).
  registryCert: (o: { key: string; cert: string; fqdn: string; ip: string }) => [
    'req',
    '-x509',
    '-newkey',
    'rsa:4096',
    '-nodes',
    '-sha256',
    '-days',
    '3650',
    '-keyout',
    o.key,
    '-out',
    o.cert,
    '-subj',
    `/CN=${o.fqdn}`,
    '-addext',
    `subjectAltName=DNS:${o.fqdn},IP:${o.ip}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
  ],
};

// -i: the password comes on stdin; -B: bcrypt, the only hash the registry accepts.
export const htpasswd = (file: string) => ['-i', '-B', '-c', file, REGISTRY_USER];

export const nmcli = {
  reload: () => ['connection', 'reload'],
  up: (connection: string) => ['connection', 'up', connection],
};

export const firewallCmd = {
  reload: () => ['--reload'],
  activeZones: () => ['--get-active-zones'],
};

export const ip = {
  // An interface's IPv4 addresses as JSON.
  addresses: (iface: string) => ['-json', '-4', 'address', 'show', 'dev', iface],
};

export const sysctl = {
  load: (file: string) => ['--load', file],
};

export const mount = {
  media: (label: string, dir: string) => ['-o', 'ro', `LABEL=${label}`, dir],
  bind: (from: string, to: string) => ['--bind', from, to],
  bindReadOnly: (from: string, to: string) => ['-o', 'bind,ro', from, to],
  makeShared: (dir: string) => ['--make-shared', dir],
  // umount's argv.
  unmount: (dir: string) => [dir],
};
