// A far-edge site on one machine, for the agent's end-to-end tests. Network namespaces: the
// bastion (LAN bridge br-fyr with the bastion's address, WAN and LAN NICs), the BMCs (real
// ipmi_sim, Redfish doubles), one per node and one for the bootstrap VM, plus a stray machine
// the site does not know. The bastion's files are the rendered example bundle under a root
// directory; its daemons (dhcpd, named, chronyd, in.tftpd, httpd, haproxy, tangd) are the real
// ones, run by the agent's supervisor. openshift-install, oc, virsh, podman, nmcli, firewall-cmd,
// qemu-img and update-ca-trust are the doubles in test/doubles/bin. Everything is torn down,
// processes first, in close(). With `vms` it is the virtual site (docs/lab.md): the media comes
// from fyr release + fyr build, the nodes and a stray are qemu VMs (test/lab/) powered by the
// same BMCs, and the boot loaders are Debian's.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, chmod, cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { execa, type ResultPromise } from 'execa';
import { agentSecretsJson, type AgentSecrets } from '../../src/formats/agent-secrets.js';
import type { BastionOs } from '../../src/formats/bastion-os.js';
import { seal } from '../../src/seal/age.js';
import { AGENT_DIR, PORTS } from '../../src/formats/bastion-layout.js';
import { buildSiteMedia, LAB_UNLOCK_CODE_FILE, type SiteMedia } from '../lab/site-media.js';
import { makeVm, vmCommand, type Firmware, type Vm } from '../lab/vms.js';
import { GRUB_GLUE, LAB_FILES, LAB_FIXTURE_DIR } from '../tools/lab-fixtures.js';
import { ipmiSimFiles } from './ipmi-sim.js';
import { makeContentV2 } from './content.js';
import { renderTo, variantSite } from './render.js';
import { makeTmpdir, removeTmpdir } from './tmpdir.js';
import { startEtcd } from './etcd.js';
import { doublesBin } from '../doubles/bundle.mjs';
import { initCluster } from '../doubles/cluster/index.mjs';
import { selfSignedCert } from './bmcs.js';

const run = promisify(execFile);
const DOUBLES = resolve('test/doubles');
export const AGENT = resolve('dist/agent/fyr-agent.mjs');
const BASTION = '192.168.8.1';
const STRAY_MAC = '52:54:00:de:ad:01';
const STRAY_VM_MAC = '52:54:00:de:ad:02';
// The virtual site's firmware per node: one BIOS (SeaBIOS + iPXE) and two UEFI (OVMF).
export const LAB_FIRMWARE: Record<string, Firmware> = { 'cp-0': 'bios', 'cp-1': 'uefi', 'cp-2': 'uefi' };
const UNLOCK_CODE = '31415-92653-58979-32384-62643-38327-95028-84197';
// The virtual site's spare: a worker racked but not in the site file, until the lab adds it
// (fyr-agent apply of an edited site, test/lab/day2-nodes.ts). Its BMC is a Redfish double.
export const SPARE = {
  name: 'w-0',
  mac: '52:54:00:00:00:20',
  ip: '192.168.8.20',
  bmc: '192.168.8.220',
  password: 'spare-bmc-password',
} as const;
const SPARE_NODE = `  - name: ${SPARE.name}
    role: worker
    mac: "${SPARE.mac}"
    ip: ${SPARE.ip}
    installDisk: /dev/nvme0n1
    bmc: { type: redfish, address: ${SPARE.bmc}, username: admin, password: { secret: bmc-${SPARE.name} } }
`;

export interface LabNode {
  name: string;
  mac: string;
  ip: string;
  ign: string;
  bmc: 'redfish' | 'ipmi' | 'libvirt';
  machine: string;
  ns: string;
  // The virtual site: the node's VM (machine is its directory).
  vm?: Vm;
}

export interface Lab {
  dir: string;
  root: string;
  media: string;
  doubles: string;
  nodes: LabNode[];
  bastionNs: string;
  // The virtual site: the stray VM (powered on by the lab: it has no BMC) and the site ISO.
  strayVm?: Vm;
  siteIso?: string;
  // The virtual site: the release ISO the site ISO was built from, and the spare worker (its VM
  // and BMC up, off) with the site file that adds it (beside its own secrets file).
  releaseIso?: string;
  spare?: { node: LabNode; siteFile: string };
  // The bundle the bastion's root was made from (the render's, or the site ISO's).
  bundle: string;
  // The agent stops once installed unless `keep` (then it stays up as the keeper, until killed).
  run(args?: string[], keep?: boolean): Promise<{ exitCode: number; output: string }>;
  start(args?: string[], keep?: boolean): ResultPromise;
  // fyr-agent with a subcommand (status, backup, backups) in the bastion's namespaces.
  agent(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  state(): Promise<any>;
  // Runs a command in the stray machine's namespace (a DHCP client, curl).
  stray(cmd: string, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  // The same, left running (its result awaited later).
  strayStart(cmd: string, args: string[]): ResultPromise;
  // What a reboot does to the registry (the agent stopped first): its container's process gone,
  // the bastion's mounts gone (a new mount namespace).
  rebootMounts(): Promise<void>;
  strayMac: string;
  // Sealed labs: the code the secrets are sealed to; every secret value (for leak checks).
  unlockCode: string;
  secretValues: string[];
  // fyr-agent unlock on the bastion, with the code on stdin.
  unlock(code: string): Promise<{ exitCode: number; output: string }>;
  // A line typed at the bastion's console prompt (the systemd-ask-password double reads it).
  typeAtConsole(line: string): Promise<void>;
  calls(): Promise<string[][]>;
  events(node: string): Promise<string[]>;
  close(): Promise<void>;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function ip(args: string[]): Promise<void> {
  await run('ip', args);
}

const labEdits = {
  site: (t: string) =>
    t
      // The lab's release comes from fyr content of 4.18.9; build refuses a site of another minor.
      .replace('openshiftVersion: "4.16.3"', 'openshiftVersion: "4.18"')
      // ipmi_sim does not answer "Get Channel Cipher Suites": naming the suite saves ~5 s a call.
      .replace(
        'bmc: { type: redfish, address: 192.168.8.211,',
        'bmc: { type: ipmi, cipherSuite: 3, address: 192.168.8.211,',
      )
      // Two backups kept: the keeper's retention shows within a lab's few backups.
      .replace(/^ {2}keep: 14 .*$/m, '  keep: 2')
      // The lab's second upgrade is the minor hop to 4.19, behind the gate every 4.18 carries.
      .replace(/\nsecrets:/, '\nupgrades: { adminAcks: [ ack-4.18-kube-1.32-api-removals-in-4.19 ] }\n\nsecrets:'),
  // IPMI passwords stop at 20 bytes.
  secrets: (t: string) => t.replace('bmc-cp-1: example-bmc-password-1', 'bmc-cp-1: ipmi-pass-1'),
};

// The virtual site's storage: LVM Storage on one disk of each control plane, by its slot (the
// fake cluster's machines have that disk), from the lvms-operator its stick carries. Each node
// names its own, so the worker added on day 2 changes no node's storage (apply refuses that).
export const LAB_STORAGE_DISK = '/dev/disk/by-path/pci-0000:00:05.0';
export const LAB_DISK_BYTES = 200 * 1024 ** 3;
const withStorage = (t: string) =>
  t
    .replace(/(\n {2}- name: cp-\d\n)/g, `$1    storageDevices: [ ${LAB_STORAGE_DISK} ]\n`)
    .replace(/\nsecrets:/, '\nstorage: { type: lvms }\n\nsecrets:');

// The lab's site: the edge example, with cp-1 behind an IPMI BMC so both drivers take part;
// the virtual site's with storage too (its stick carries lvms-operator).
async function labSite(dir: string, storage: boolean): Promise<string> {
  return variantSite('edge', dir, {
    site: (t) => (storage ? withStorage(labEdits.site(t)) : labEdits.site(t)),
    secrets: labEdits.secrets,
  });
}

// The same site with the spare worker added, as a user edits it on day 2 (in its own directory).
async function grownSite(dir: string): Promise<string> {
  const grown = join(dir, 'grown');
  await mkdir(grown, { recursive: true });
  return variantSite('edge', grown, {
    site: (t) => withStorage(labEdits.site(t)).replace(/\n\ndiskEncryption:/, `\n${SPARE_NODE}\ndiskEncryption:`),
    secrets: (t) => `${labEdits.secrets(t)}bmc-${SPARE.name}: ${SPARE.password}\n`,
  });
}

// The lab's media is a directory standing in for the ISO: release.json's ISO fields say so (no
// base ISO size, no embed areas, no media check), as fyr-release/1 requires them.
const MEDIA_DIR_FIELDS = {
  base: { volumeId: 'RHEL-9-4-0-BaseOS-x86_64', layout: 'el9', size: 0 },
  embed: {
    kickstart: { path: '/ks.cfg', offset: 0, length: 0 },
    site: { path: '/fyr/site.tar', offset: 0, length: 0 },
  },
  md5: null,
};

async function makeMedia(media: string): Promise<object[]> {
  const files: Array<{ path: string; role: string; data: Buffer }> = [
    { path: 'rhcos/rhcos-live-kernel-x86_64', role: 'rhcos-kernel', data: Buffer.from('kernel\n'.repeat(100)) },
    {
      path: 'rhcos/rhcos-live-initramfs.x86_64.img',
      role: 'rhcos-initramfs',
      data: Buffer.from('initramfs\n'.repeat(100)),
    },
    { path: 'rhcos/rhcos-live-rootfs.x86_64.img', role: 'rhcos-rootfs', data: Buffer.from('rootfs\n'.repeat(1000)) },
    { path: 'rhcos/rhcos-metal.x86_64.raw.gz', role: 'rhcos-metal', data: Buffer.from('metal\n') },
    {
      path: 'bin/openshift-install',
      role: 'openshift-install',
      data: Buffer.from('#!/bin/sh\n# the real installer\n'),
    },
    { path: 'bin/oc', role: 'oc', data: Buffer.from('#!/bin/sh\n# the real oc\n') },
    { path: 'registry/registry.tar', role: 'registry-image', data: Buffer.from('registry image\n') },
  ];
  const payload = [];
  for (const f of files) {
    await mkdir(join(media, 'fyr/payload', f.path, '..'), { recursive: true });
    await writeFile(join(media, 'fyr/payload', f.path), f.data);
    payload.push({ path: `/fyr/payload/${f.path}`, role: f.role, size: f.data.length, sha256: sha256(f.data) });
  }
  // The release mirror is a real tar (the agent unpacks it before oc image mirror).
  const src = join(media, '..', 'mirror-src');
  await mkdir(join(src, 'v2/openshift/release/manifests'), { recursive: true });
  await writeFile(join(src, 'v2/openshift/release/manifests/4.16.3-x86_64'), '{"schemaVersion":2}\n');
  await mkdir(join(media, 'fyr/payload/mirror'), { recursive: true });
  const tar = join(media, 'fyr/payload/mirror/mirror_seq1_000000.tar');
  await run('tar', ['-cf', tar, '-C', src, 'v2']);
  const data = await readFile(tar);
  payload.push({
    path: '/fyr/payload/mirror/mirror_seq1_000000.tar',
    role: 'release-mirror',
    size: data.length,
    sha256: sha256(data),
  });
  await mkdir(join(media, 'fyr/agent'), { recursive: true });
  const agent = await readFile(AGENT);
  await writeFile(join(media, 'fyr/agent/fyr-agent.mjs'), agent);
  const release = {
    format: 'fyr-release/1',
    fyr: 'lab',
    release: { name: 'lab', openshift: '4.16.3' },
    volumeId: 'FYR-LAB',
    sourceDateEpoch: 1_700_000_000,
    payload,
    agent: { path: '/fyr/agent/fyr-agent.mjs', version: 'lab', size: agent.length, sha256: sha256(agent) },
    ...MEDIA_DIR_FIELDS,
  };
  await writeFile(join(media, 'release.json'), `${JSON.stringify(release, null, 2)}\n`);
  return payload;
}

// A release from fyr content (fyr-content/2) laid out as fyr release lays it out: the content
// under /fyr/payload, its registry tree (the synthetic release pushed by the real skopeo into
// the real registry) at /fyr/payload/registry, and release.json recording the tree.
async function makeTreeMedia(media: string): Promise<void> {
  const payloadDir = join(media, 'fyr/payload');
  const { manifest } = await makeContentV2(payloadDir);
  const content = JSON.parse(await readFile(manifest, 'utf8'));
  await mkdir(join(media, 'fyr/agent'), { recursive: true });
  const agent = await readFile(AGENT);
  await writeFile(join(media, 'fyr/agent/fyr-agent.mjs'), agent);
  const release = {
    format: 'fyr-release/1',
    fyr: 'lab',
    release: content.release,
    registry: { ...content.registry, path: '/fyr/payload/registry' },
    volumeId: 'FYR-LAB',
    sourceDateEpoch: 1_700_000_000,
    payload: content.files.map((f: { path: string }) => ({ ...f, path: `/fyr/payload/${f.path}` })),
    agent: { path: '/fyr/agent/fyr-agent.mjs', version: 'lab', size: agent.length, sha256: sha256(agent) },
    ...MEDIA_DIR_FIELDS,
  };
  await writeFile(
    join(media, 'release.json'),
    `${JSON.stringify(release, null, 2)}
`,
  );
}

const selfSigned = selfSignedCert;

// The bastion's filesystem: the rendered bundle, what the kickstart copies beside it, and the
// files RHEL packages would have installed (boot loaders, an httpd main config).
// `from`: the bundle, manifest and release.json (a render, or what %post copies from the media);
// `realLoaders`: Debian's loaders (the virtual site's machines run them) instead of text.
async function makeRoot(
  root: string,
  from: { bundle: string; manifest: string; release: string; agent?: string },
  run: string,
  realLoaders: boolean,
): Promise<void> {
  await cp(from.bundle, root, { recursive: true });
  await cp(from.manifest, join(root, 'etc/fyr/manifest.json'));
  await cp(from.release, join(root, 'etc/fyr/release.json'));
  if (from.agent) await cp(from.agent, join(root, AGENT_DIR), { recursive: true });
  for (const d of [
    'var/lib/dhcpd',
    'var/lib/kea',
    'run/kea',
    'var/log/httpd',
    'var/www/fyr',
    'var/db/tang',
    'tftpboot',
    'boot/efi/EFI/redhat',
    'run/named',
    'dev',
    'etc/pki/ca-trust/source/anchors',
    'usr/local/bin',
    'var/lib/libvirt/images',
    'etc/httpd',
  ])
    await mkdir(join(root, d), { recursive: true });
  await writeFile(join(root, 'var/lib/dhcpd/dhcpd.leases'), '');
  await symlink('../../var/lib/kea/kea4-ctrl-socket', join(root, 'run/kea/kea4-ctrl-socket'));
  // Where RHEL's syslinux-tftpboot, shim-x64 and grub2-efi-x64 put them; the agent's services
  // phase lays them out on the TFTP root.
  const loaders: Array<[string, string]> = [
    ['tftpboot/lpxelinux.0', LAB_FILES.lpxelinux],
    ['tftpboot/ldlinux.c32', LAB_FILES.ldlinux],
    ['boot/efi/EFI/redhat/shimx64.efi', LAB_FILES.shim],
    ['boot/efi/EFI/redhat/grubx64.efi', LAB_FILES.grub],
  ];
  for (const [f, real] of loaders)
    if (realLoaders) await cp(join(LAB_FIXTURE_DIR, real), join(root, f));
    else await writeFile(join(root, f), `${f} (stand-in loader)\n`);
  if (realLoaders) {
    // The lab's one bridge from Debian's net GRUB to RHEL's (test/fixtures/lab/grub-glue.cfg).
    const grub = join(root, 'var/lib/tftpboot/grub');
    await mkdir(grub, { recursive: true });
    await cp(GRUB_GLUE, join(grub, 'grub.cfg'));
    await cp(join(LAB_FIXTURE_DIR, LAB_FILES.grubModules), join(grub, 'x86_64-efi'), { recursive: true });
  }
  // RHEL's httpd.conf names logs/ under ServerRoot /etc/httpd, a link to /var/log/httpd.
  await symlink('../../var/log/httpd', join(root, 'etc/httpd/logs'));
  for (const [name, minor] of [
    ['null', '3'],
    ['random', '8'],
    ['urandom', '9'],
  ] as const)
    await execa('mknod', ['-m', '666', join(root, 'dev', name), 'c', '1', minor]);
  // What RHEL's /etc/httpd/conf/httpd.conf provides before it includes conf.d/*.conf.
  await writeFile(
    join(run, 'httpd.conf'),
    [
      `ServerRoot "${join(root, 'etc/httpd')}"`,
      'ServerName bastion',
      'User www-data',
      'Group www-data',
      `PidFile "${join(run, 'httpd.pid')}"`,
      'LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so',
      'LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so',
      'LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so',
      'ErrorLog /dev/stderr',
      'LogFormat "%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\"" combined',
      `Include "${join(root, 'etc/httpd/conf.d/fyr-content.conf')}"`,
      '',
    ].join('\n'),
  );
}

// How the supervisor runs each unit from the rendered configs. httpd's DocumentRoot is the
// bastion path /var/www/fyr: it gets a private mount of the lab's directory there. Debian 12's
// Kea (2.2) resolves the config's bare lease and socket names against its working directory,
// so it runs in var/lib/kea (where RHEL 10's Kea keeps leases); makeRoot links the socket to
// run/kea, where RHEL 10's Kea puts it and the agent's health check looks.
function supervisorConfig(root: string, runDir: string): object {
  const at = (p: string) => join(root, p);
  return {
    format: 'fyr-supervisor/1',
    runDir,
    services: {
      dhcpd: {
        argv: [
          'dhcpd',
          '-f',
          '-d',
          '-4',
          '-cf',
          at('etc/dhcp/dhcpd.conf'),
          '-lf',
          at('var/lib/dhcpd/dhcpd.leases'),
          '-pf',
          join(runDir, 'dhcpd.pid.own'),
          'br-fyr',
        ],
      },
      'kea-dhcp4': {
        argv: [
          'env',
          `KEA_PIDFILE_DIR=${runDir}`,
          `KEA_LOCKFILE_DIR=${runDir}`,
          'sh',
          '-c',
          'cd "$0" && exec kea-dhcp4 -c "$1"',
          at('var/lib/kea'),
          at('etc/kea/kea-dhcp4.conf'),
        ],
        match: 'kea-dhcp4',
      },
      named: { argv: ['named', '-g', '-4', '-t', root, '-c', '/etc/named.conf'] },
      chronyd: { argv: ['chronyd', '-d', '-x', '-f', at('etc/chrony.conf')] },
      'tftp.socket': { argv: ['in.tftpd', '-L', '-u', 'root', '-s', at('var/lib/tftpboot'), '-a', `${BASTION}:69`] },
      httpd: {
        argv: [
          'unshare',
          '--mount',
          '--propagation',
          'private',
          'sh',
          '-c',
          'mkdir -p /var/www/fyr && mount --bind "$0" /var/www/fyr && exec apache2 -f "$1" -DFOREGROUND',
          at('var/www/fyr'),
          join(runDir, 'httpd.conf'),
        ],
        match: 'apache2',
      },
      // -n: this machine's hard limit of open files (20000) is below what maxconn 20000 needs.
      haproxy: { argv: ['haproxy', '-db', '-n', '4000', '-f', at('etc/haproxy/haproxy.cfg')] },
      'tangd.socket': {
        argv: [
          'socat',
          `TCP-LISTEN:7500,bind=${BASTION},reuseaddr,fork`,
          `EXEC:/usr/libexec/tangd ${at('var/db/tang')}`,
        ],
      },
      'cockpit.socket': { skip: 'the web console is not part of the install; it has no stand-in here' },
    },
  };
}

// bmcPasswords: what a BMC really accepts, when it should differ from the site's secret; os: the
// release the site is rendered for (rhel10 serves DHCP with Kea).
// vms: the virtual site: the media is a site ISO made by fyr release and fyr build (its files); the
// nodes and a stray are qemu VMs (test/lab/vms.ts) behind the same BMCs; the loaders are Debian's.
export async function makeLab(
  tag: string,
  // mirror: an old release (fyr-content/1): a mirror archive that the agent untars and pushes;
  // by default a release with a registry tree, served read-only from the media.
  options: {
    bmcPasswords?: Record<string, string>;
    os?: BastionOs;
    sealed?: boolean;
    vms?: boolean;
    mirror?: boolean;
  } = {},
): Promise<Lab> {
  const dir = await makeTmpdir();
  const root = join(dir, 'root');
  const media = join(dir, 'media');
  const doubles = join(dir, 'doubles');
  const runDir = join(dir, 'run');
  const namespaces: string[] = [];
  // The bastion's mount namespace, kept in a file so that it outlives an agent (as the host's
  // does when the agent restarts): the registry's mounts stay across the crash lab's kills.
  const bastionMounts = join(dir, 'mntns', 'bastion');
  const ns = (name: string) => `fyr-${tag}${process.pid % 10000}-${name}`.slice(0, 28);
  const vms: Vm[] = [];
  let siteMedia: SiteMedia | undefined;
  const close = async () => {
    for (const vm of vms) await vmCommand(vm, 'stop').catch(() => undefined);
    for (const n of namespaces) {
      const pids = (await run('ip', ['netns', 'pids', n]).catch(() => ({ stdout: '' }))).stdout
        .split('\n')
        .filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone already
        }
      }
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const n of namespaces) await run('ip', ['netns', 'del', n]).catch(() => undefined);
    // The bastion's mount namespace (with what the agent mounted in it) goes with its last hold.
    await run('umount', [bastionMounts]).catch(() => undefined);
    await run('umount', [dirname(bastionMounts)]).catch(() => undefined);
    await removeTmpdir(dir);
  };
  try {
    await mkdir(join(doubles, 'hooks'), { recursive: true });
    await mkdir(runDir, { recursive: true });
    const sealed = options.sealed === true;
    const os = options.os ?? 'rhel9';
    const siteFile = await labSite(dir, options.vms === true);
    // The render tells the lab the secrets' values (for its leak checks); the bastion's files come
    // from it, or in the virtual site from the site ISO that fyr build made.
    const { out, result } = await renderTo(siteFile, dir, { os, source: 'liveimg', sealed });
    const unlockCode = options.vms ? (await readFile(LAB_UNLOCK_CODE_FILE, 'utf8')).trim() : UNLOCK_CODE;
    if (options.vms) {
      siteMedia = await buildSiteMedia(dir, siteFile, { os, sealed });
      await makeRoot(root, siteMedia, runDir, true);
    } else {
      await mkdir(media, { recursive: true });
      if (options.mirror) await makeMedia(media);
      else await makeTreeMedia(media);
      await makeRoot(
        root,
        { bundle: join(out, 'bundle'), manifest: join(out, 'manifest.json'), release: join(media, 'release.json') },
        runDir,
        false,
      );
    }
    const secrets = sealed
      ? result.secrets!
      : (JSON.parse(await readFile(join(root, 'etc/fyr/bmc-secrets.json'), 'utf8')) as AgentSecrets);
    // What fyr build puts beside the bundle of a sealed site: the secrets, sealed to the code.
    if (sealed && !options.vms)
      await writeFile(join(root, 'etc/fyr/secrets.age'), await seal(agentSecretsJson(secrets), UNLOCK_CODE), {
        mode: 0o600,
      });
    await writeFile(join(dir, 'services.json'), JSON.stringify(supervisorConfig(root, runDir), null, 2));
    const site = JSON.parse(await readFile(join(root, 'etc/fyr/site.json'), 'utf8'));

    // Namespaces and links: everything hangs off the bastion's bridge.
    const bastionNs = ns('b');
    for (const n of [bastionNs, ns('m')]) {
      await ip(['netns', 'add', n]);
      namespaces.push(n);
      await ip(['-n', n, 'link', 'set', 'lo', 'up']);
    }
    // The cluster the site installs: the fake behind the oc double, its etcd real (on the
    // bastion's loopback, where the agent's oc runs; killed with the namespace).
    const etcd = await startEtcd({ dir, netns: bastionNs });
    const release = JSON.parse(await readFile(join(root, 'etc/fyr/release.json'), 'utf8'));
    initCluster(doubles, {
      // The release the stick carries is what gets installed.
      version: release.release?.openshift ?? '4.18.9',
      clusterName: site.cluster.name,
      baseDomain: site.cluster.domain,
      etcdEndpoint: etcd.endpoint,
      // The bootstrap's own approver would let the control planes join by itself; without it
      // every node waits for the agent's, as workers do, so the approver meets every node.
      bootstrapApproves: false,
      // The bastion's registry as the nodes pull from it: the tree it serves (the stick's, then
      // the disk copy's, through `current`), read from the bastion's side.
      registry: {
        host: `${site.bastion.fqdn}:${PORTS.registry}`,
        tree: join(root, 'var/lib/fyr/registry/serve/current'),
      },
      nodes: site.nodes.map((n: { name: string; ip: string; role: string }) => ({
        name: n.name,
        ip: n.ip,
        role: n.role === 'worker' ? 'worker' : 'control-plane',
        disks: [{ path: LAB_STORAGE_DISK, bytes: LAB_DISK_BYTES }],
        // The virtual site: a node is on when its VM runs (its BMC's chassis is the VM's directory).
        ...(options.vms ? { chassis: join(dir, 'machines', n.name) } : {}),
      })),
    });
    // Slave to this machine's mounts (what the agent mounts stays inside); /sys the netns's own.
    await mkdir(dirname(bastionMounts), { recursive: true });
    await run('mount', ['--bind', dirname(bastionMounts), dirname(bastionMounts)]);
    await run('mount', ['--make-private', dirname(bastionMounts)]);
    await writeFile(bastionMounts, '');
    const newMountNamespace = () =>
      run('nsenter', [
        `--net=/run/netns/${bastionNs}`,
        'unshare',
        `--mount=${bastionMounts}`,
        '--propagation',
        'slave',
        'sh',
        '-c',
        'umount -l /sys && mount -t sysfs sysfs /sys',
      ]);
    await newMountNamespace();
    await ip(['-n', bastionNs, 'link', 'add', 'br-fyr', 'type', 'bridge']);
    await ip(['-n', bastionNs, 'addr', 'add', `${BASTION}/24`, 'dev', 'br-fyr']);
    await ip(['-n', bastionNs, 'link', 'set', 'br-fyr', 'up']);
    for (const [nic, bridged] of [
      ['eno1', false],
      ['eno2', true],
    ] as const) {
      // No dummy driver in every kernel (containers): a veth pair whose peer stays unplugged.
      await ip(['-n', bastionNs, 'link', 'add', nic, 'type', 'veth', 'peer', 'name', `${nic}-peer`]);
      if (bridged) await ip(['-n', bastionNs, 'link', 'set', nic, 'master', 'br-fyr']);
      await ip(['-n', bastionNs, 'link', 'set', nic, 'up']);
    }
    let port = 0;
    const plug = async (target: string, ifname: string, mac?: string) => {
      port += 1;
      await ip([
        'link',
        'add',
        `fyrv${process.pid % 10000}p${port}`,
        'netns',
        bastionNs,
        'type',
        'veth',
        'peer',
        'name',
        ifname,
        'netns',
        target,
      ]);
      await ip(['-n', bastionNs, 'link', 'set', `fyrv${process.pid % 10000}p${port}`, 'master', 'br-fyr', 'up']);
      if (mac) await ip(['-n', target, 'link', 'set', ifname, 'address', mac]);
      await ip(['-n', target, 'link', 'set', ifname, 'up']);
    };
    await plug(ns('m'), 'bmc0');
    const machines: LabNode[] = [
      ...site.nodes.map(
        (n: { name: string; mac: string; ip: string; role: string; bmc: { type: 'redfish' | 'ipmi' } }) => ({
          name: n.name,
          mac: n.mac,
          ip: n.ip,
          ign: n.role === 'control-plane' ? 'master' : 'worker',
          bmc: n.bmc.type,
          machine: join(dir, 'machines', n.name),
          ns: ns(n.name),
        }),
      ),
      {
        name: 'bootstrap',
        mac: site.bootstrap.mac,
        ip: site.bootstrap.ip,
        ign: 'bootstrap',
        bmc: 'libvirt' as const,
        machine: join(dir, 'machines/bootstrap'),
        ns: ns('bootstrap'),
      },
    ];
    // The virtual site's rack: one namespace for every VM, its bridge plugged into the LAN.
    const rack = ns('rack');
    let taps = 0;
    const addVm = async (name: string, mac: string, firmware: Firmware, machine: string): Promise<Vm> => {
      taps += 1;
      const tap = `tap${taps}`;
      await ip(['-n', rack, 'tuntap', 'add', tap, 'mode', 'tap']);
      await ip(['-n', rack, 'link', 'set', tap, 'master', 'br-rack', 'up']);
      await mkdir(machine, { recursive: true });
      const vm: Vm = {
        name,
        mac,
        firmware,
        dir: machine,
        serial: join(machine, 'serial.log'),
        disk: join(machine, 'disk.raw'),
      };
      await makeVm(vm, rack, tap);
      vms.push(vm);
      return vm;
    };
    if (options.vms) {
      await ip(['netns', 'add', rack]);
      namespaces.push(rack);
      await ip(['-n', rack, 'link', 'set', 'lo', 'up']);
      await ip(['-n', rack, 'link', 'add', 'br-rack', 'type', 'bridge']);
      await ip(['-n', rack, 'link', 'set', 'br-rack', 'up']);
      await plug(rack, 'uplink');
      await ip(['-n', rack, 'link', 'set', 'uplink', 'master', 'br-rack']);
    }
    for (const m of machines) {
      if (options.vms && m.bmc !== 'libvirt') {
        m.vm = await addVm(m.name, m.mac, LAB_FIRMWARE[m.name] ?? 'uefi', m.machine);
        await writeFile(join(m.machine, 'name'), `${m.name}\n`);
        continue;
      }
      await ip(['netns', 'add', m.ns]);
      namespaces.push(m.ns);
      await plug(m.ns, 'pxe0', m.mac);
      await mkdir(m.machine, { recursive: true });
      await writeFile(join(m.machine, 'name'), `${m.name}\n`);
      // The node PXE-boots only when its BMC was told to boot from the network.
      const boot = `#!/bin/sh\n${m.bmc === 'libvirt' ? '' : '[ "$1" = pxe ] || exit 0\n'}exec ip netns exec ${m.ns} ${DOUBLES}/pxe-node ${m.ign} pxe0 ${join(m.machine, 'pxe')} ${BASTION}\n`;
      await writeFile(join(m.machine, m.bmc === 'libvirt' ? 'vm-start' : 'on-boot'), boot);
      await chmod(join(m.machine, m.bmc === 'libvirt' ? 'vm-start' : 'on-boot'), 0o755);
    }
    await cp(join(machines.at(-1)!.machine, 'vm-start'), join(doubles, 'hooks/vm-start'));
    // A machine that is not in the site file: it PXE-boots too and must be reported by MAC.
    const stray = ns('x');
    await ip(['netns', 'add', stray]);
    namespaces.push(stray);
    await plug(stray, 'pxe0', STRAY_MAC);
    // The virtual site's stray is a VM too (BIOS), on the lab's own power button.
    const strayVm = options.vms ? await addVm('stray', STRAY_VM_MAC, 'bios', join(dir, 'machines/stray')) : undefined;
    // The spare worker (BIOS), racked and cabled; the site file names it only once the lab adds it.
    const spare: LabNode | undefined = options.vms
      ? {
          name: SPARE.name,
          mac: SPARE.mac,
          ip: SPARE.ip,
          ign: 'worker',
          bmc: 'redfish',
          machine: join(dir, 'machines', SPARE.name),
          ns: rack,
        }
      : undefined;
    if (spare) {
      spare.vm = await addVm(spare.name, spare.mac, 'bios', spare.machine);
      await writeFile(join(spare.machine, 'name'), `${spare.name}\n`);
    }

    // The BMCs, on their LAN addresses in the BMC namespace.
    // systemd-creds is the real one; its host key is the lab's, not this machine's.
    const env = {
      ...process.env,
      FYR_DOUBLES_DIR: doubles,
      // The fake cluster's waits (operators settling, a debug pod on a NotReady node) 20x faster.
      FYR_DOUBLE_TIME_SCALE: '20',
      SYSTEMD_CREDENTIAL_SECRET: join(dir, 'credential.secret'),
    };
    const tls = await selfSigned(dir, 'bmc');
    const startRedfish = async (name: string, address: string, username: string, machine: string) => {
      const child = execa(
        'ip',
        [
          'netns',
          'exec',
          ns('m'),
          process.execPath,
          join(DOUBLES, 'redfish-bmc.mjs'),
          '--listen',
          `${address}:443`,
          '--cert',
          tls.cert,
          '--key',
          tls.key,
          '--user',
          username,
          '--password-file',
          join(machine, 'password'),
          '--machine',
          machine,
          '--name',
          name,
        ],
        { env, reject: false, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((ok, fail) => {
        child.stdout?.once('data', () => ok());
        child.once('exit', () => fail(new Error(`redfish-bmc for ${name} exited`)));
      });
    };
    if (spare) {
      await ip(['-n', ns('m'), 'addr', 'add', `${SPARE.bmc}/24`, 'dev', 'bmc0']);
      await writeFile(join(spare.machine, 'password'), `${SPARE.password}\n`, { mode: 0o600 });
      await startRedfish(spare.name, SPARE.bmc, 'admin', spare.machine);
    }
    for (const [i, node] of site.nodes.entries()) {
      const m = machines[i]!;
      await ip(['-n', ns('m'), 'addr', 'add', `${node.bmc.address}/24`, 'dev', 'bmc0']);
      const password = options.bmcPasswords?.[node.name] ?? secrets.bmc[node.name]!;
      await writeFile(join(m.machine, 'password'), `${password}\n`, { mode: 0o600 });
      if (node.bmc.type === 'redfish') {
        await startRedfish(node.name, node.bmc.address, node.bmc.username, m.machine);
      } else {
        const conf = join(m.machine, 'lan.conf');
        const sim = ipmiSimFiles({
          name: node.name,
          address: node.bmc.address,
          port: 623,
          username: node.bmc.username,
          password,
          machine: m.machine,
        });
        await writeFile(conf, sim.lanConf);
        await writeFile(join(m.machine, 'sim.emu'), sim.emu);
        execa(
          'ip',
          [
            'netns',
            'exec',
            ns('m'),
            'ipmi_sim',
            '-c',
            conf,
            '-f',
            join(m.machine, 'sim.emu'),
            '-s',
            join(m.machine, 'ipmi-state'),
            '-n',
          ],
          { env, reject: false, stdio: 'ignore' },
        );
      }
    }

    // The virtual site runs the agent the media carried, as the bastion does.
    const agentFile = options.vms ? join(root, AGENT_DIR, 'fyr-agent.mjs') : AGENT;
    const agentArgs = (extra: string[]) => [
      `--net=/run/netns/${bastionNs}`,
      `--mount=${bastionMounts}`,
      process.execPath,
      agentFile,
      'run',
      '--root',
      root,
      '--media',
      siteMedia?.media ?? media,
      '--services',
      `supervisor:${join(dir, 'services.json')}`,
      '--poll-ms',
      '200',
      '--watch-timeout-min',
      // The VMs install in about a minute; a boot that never comes fails in minutes. Under CI's
      // load (four TCG VMs beside the other half of the suite) a UEFI PXE boot once took 6.5
      // minutes from its lease to its ignition.
      options.vms ? '10' : '3',
      ...extra,
    ];
    const agentEnv = { ...env, PATH: `${doublesBin()}:${process.env.PATH}` };
    const start = (extra: string[] = [], keep = false) => {
      const child = execa('nsenter', agentArgs([...extra, ...(keep ? [] : ['--exit-when-installed'])]), {
        env: agentEnv,
        reject: false,
        all: true,
        timeout: keep ? 1_800_000 : 300_000,
        // A keeper stopped with SIGTERM finishes its step first.
        forceKillAfterDelay: 60_000,
      });
      // nsenter execs node in place: this pid is the agent's.
      void writeFile(join(doubles, 'agent.pid'), `${child.pid}\n`);
      return child;
    };
    return {
      dir,
      root,
      media,
      doubles,
      nodes: machines,
      bastionNs,
      ...(strayVm ? { strayVm } : {}),
      ...(siteMedia ? { siteIso: siteMedia.iso, releaseIso: siteMedia.releaseIso } : {}),
      ...(spare ? { spare: { node: spare, siteFile: await grownSite(dir) } } : {}),
      bundle: siteMedia?.bundle ?? join(out, 'bundle'),
      start,
      agent: async (args) => {
        const r = await execa(
          'nsenter',
          [
            `--net=/run/netns/${bastionNs}`,
            `--mount=${bastionMounts}`,
            process.execPath,
            agentFile,
            ...args,
            '--root',
            root,
          ],
          { env: agentEnv, reject: false, timeout: 300_000 },
        );
        return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
      },
      run: async (extra = [], keep = false) => {
        const r = await start(extra, keep);
        return {
          exitCode: r.exitCode ?? (r.signal === 'SIGKILL' ? 137 : -1),
          output: `${String(r.all ?? '')}${r.signal ? `\n[agent ended by ${r.signal}]` : ''}${r.timedOut ? '\n[agent timed out]' : ''}`,
        };
      },
      state: async () => JSON.parse(await readFile(join(root, 'var/lib/fyr/state.json'), 'utf8')),
      strayMac: strayVm ? STRAY_VM_MAC : STRAY_MAC,
      unlockCode,
      secretValues: [
        ...Object.values(secrets.bmc),
        ...(secrets.accounts ?? []).map((a) => a.hash),
        ...(sealed ? [unlockCode] : []),
      ],
      unlock: async (code) => {
        const r = await execa(
          'ip',
          ['netns', 'exec', bastionNs, process.execPath, agentFile, 'unlock', '--root', root],
          {
            input: `${code}\n`,
            reject: false,
            timeout: 60_000,
          },
        );
        return { exitCode: r.exitCode ?? -1, output: `${String(r.stdout)}${String(r.stderr)}` };
      },
      typeAtConsole: async (line) => appendFile(join(doubles, 'console'), `${line}\n`),
      stray: async (cmd, args) => {
        const r = await execa('ip', ['netns', 'exec', stray, cmd, ...args], { reject: false, timeout: 60_000 });
        return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
      },
      rebootMounts: async () => {
        const podman = JSON.parse(await readFile(join(doubles, 'state-podman.json'), 'utf8'));
        const pid = podman.containers?.['fyr-registry']?.pid as number | undefined;
        if (pid) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone already
          }
          // Gone, or a zombie whose parent (the podman double) exited long ago.
          const dead = () =>
            readFile(`/proc/${pid}/stat`, 'utf8').then(
              (st) => / Z /.test(st.slice(st.lastIndexOf(')'))),
              () => true,
            );
          for (let i = 0; i < 250 && !(await dead()); i++) await new Promise((r) => setTimeout(r, 20));
        }
        await run('umount', [bastionMounts]);
        await newMountNamespace();
      },
      strayStart: (cmd, args) => execa('ip', ['netns', 'exec', stray, cmd, ...args], { reject: false }),
      calls: async () =>
        (await readFile(join(doubles, 'calls.log'), 'utf8').catch(() => ''))
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as string[]),
      events: async (node) =>
        (await readFile(join(dir, 'machines', node, 'events'), 'utf8').catch(() => '')).split('\n').filter(Boolean),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

const PULL_LOOP = new URL('./pull-loop.mjs', import.meta.url).pathname;

// A cluster node's pulls of `ref` from the bastion's registry, from the stray's namespace, over
// and over until `stop` exists (pull-loop.mjs: one line per pull, "<ms> ok" or "<ms> FAIL …").
export function pullsFromStray(lab: Lab, ref: string, stop: string): ResultPromise {
  const registry = join(lab.root, 'var/lib/fyr/registry');
  return lab.strayStart(process.execPath, [
    PULL_LOOP,
    '192.168.8.1:8443',
    'bastion.edge.example.com',
    join(registry, 'certs/registry.crt'),
    'fyr',
    join(registry, 'password'),
    ref,
    stop,
  ]);
}
