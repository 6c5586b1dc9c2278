// What the virtual site must show when it is done (the issue's list): every node powered on
// exactly once through its own BMC protocol; its firmware got the loader for its architecture;
// it fetched the kernel and initramfs its own menu names and its role's ignition, and wrote that
// ignition to the install device the site names; the stray got a pool address, booted the
// default menu, never installed and was reported; and (assertNoSecrets, at the very end) no
// secret anywhere a person can read.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { AGENT_DIR } from '../../src/formats/bastion-layout.js';
import { PHASES } from '../../src/agent/state.js';
import { doublesBin } from '../doubles/bundle.mjs';
import type { Lab } from '../helpers/agent-lab.js';
import { consoleTail, readDisk, serialText } from './vms.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const lines = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
const macFile = (mac: string) => mac.toLowerCase().replace(/:/g, '-');

// The HTTP paths a rendered menu names: kernel, initramfs and ignition.
export function menuPaths(menu: string): { kernel: string; initramfs: string; ignition: string } {
  const path = (re: RegExp) => {
    const m = re.exec(menu);
    if (!m) throw new Error(`the menu names no ${re}`);
    return new URL(m[1]!.replace(/^\(http,([^)]+)\)/, 'http://$1')).pathname;
  };
  return {
    kernel: path(/(?:KERNEL|linux) '?((?:http:\/\/|\(http,)[^\s']+)/),
    initramfs: path(/(?:initrd=|initrd ')((?:http:\/\/|\(http,)[^\s']+)/),
    ignition: path(/coreos\.inst\.ignition_url=(http:\/\/[^\s']+)/),
  };
}

export async function assertLab(
  lab: Lab,
  o: { output: string; crash: boolean; runs: number; os: string },
): Promise<void> {
  const state = await lab.state();
  if (o.os === 'rhel10') await assertKea(lab);
  for (const p of PHASES) assert.equal(state.phases[p].status, 'done', `phase ${p} is done`);
  // The registry was served from the stick's tree (fyr content's, carried by fyr release):
  // the real registry started read-only on it, nothing untarred, nothing pushed; at the end it
  // serves the disk copy, and the same container did both.
  const calls = await lines(join(lab.doubles, 'calls.log'));
  assert.ok(!calls.some((c) => c.startsWith('["oc","image","mirror"')), 'no oc image mirror push');
  const registryRun = calls.find((c) => c.startsWith('["podman","run"')) ?? '';
  assert.ok(
    registryRun.includes('/var/lib/fyr/registry/serve:/var/lib/registry:ro,rslave'),
    `the registry runs on the serve directory: ${registryRun}`,
  );
  assert.equal(await readlink(join(lab.root, 'var/lib/fyr/registry/serve/current')), 'disk');
  assert.equal(calls.filter((c) => c.startsWith('["podman","run"')).length, 1, 'one registry container');
  assert.match(
    await readFile(join(lab.doubles, 'registry.log'), 'utf8'),
    /GET \/v2\/openshift\/release-images\/manifests\/4\.18\.9-x86_64 HTTP\/[0-9.]+" 200/,
  );
  await assertStorage(lab, state);
  const site = JSON.parse(await readFile(join(lab.root, 'etc/fyr/site.json'), 'utf8'));
  // httpd's access log (CustomLog logs/fyr-content_log in the bundle's fyr-content.conf).
  const access = await lines(join(lab.root, 'var/log/httpd/fyr-content_log'));
  // The menus the bastion served: the bundle from the site ISO.
  const bundle = join(lab.bundle, 'var/lib/tftpboot');
  for (const n of lab.nodes.filter((x) => x.vm)) {
    const vm = n.vm!;
    const node = site.nodes.find((s: { name: string }) => s.name === n.name);
    // Powered on exactly once, through its own BMC, into a one-time PXE boot; every later boot
    // (after the install's reboot) is the firmware's own order.
    assert.deepEqual(await lines(join(vm.dir, 'events')), ['power boot=pxe'], `${n.name}: one power-on, PXE once`);
    const boots = (await lines(join(vm.dir, 'boots'))).filter((b) => / boot device=/.test(b));
    assert.equal(
      boots.filter((b) => b.endsWith('device=pxe')).length,
      1,
      `${n.name}: the VM was started once by its BMC`,
    );
    const requests = await lines(join(vm.dir, 'requests'));
    if (n.bmc === 'redfish')
      assert.equal(
        requests.filter((r) => r === 'POST /redfish/v1/Systems/1/Actions/ComputerSystem.Reset').length,
        1,
        `${n.name}: one Redfish ComputerSystem.Reset`,
      );
    else assert.equal(requests.length, 0, `${n.name}: powered through IPMI (ipmi_sim), no Redfish request`);
    // The loader for its architecture, from the rendered DHCP config.
    const serial = await serialText(vm);
    if (vm.firmware === 'bios') {
      assert.match(serial, /tftp:\/\/192\.168\.8\.1\/lpxelinux\.0\.\.\. ok/, `${n.name}: iPXE fetched lpxelinux.0`);
      assert.match(serial, /PXELINUX 6\.04/, `${n.name}: pxelinux ran`);
    } else {
      assert.match(serial, /UEFI PXEv4 \(MAC:/, `${n.name}: OVMF's PXE booted`);
      assert.match(serial, /Welcome to GRUB!/, `${n.name}: shim started GRUB`);
      assert.match(
        serial,
        new RegExp(`glue: file /uefi/grub\\.cfg-01-${macFile(n.mac)}`),
        `${n.name}: its own GRUB menu`,
      );
    }
    // What its own menu names, fetched from its own address.
    const menu = await readFile(
      vm.firmware === 'bios'
        ? join(bundle, 'pxelinux.cfg', `01-${macFile(n.mac)}`)
        : join(bundle, 'uefi', `grub.cfg-01-${macFile(n.mac)}`),
      'utf8',
    );
    const paths = menuPaths(menu);
    const got = (path: string) =>
      access.some((l) => l.startsWith(`${n.ip} `) && l.includes(`"GET ${path} HTTP/`) && / 200 \d+/.test(l));
    for (const [what, path] of Object.entries({ ...paths, rootfs: '/rhcos/rootfs.img' }))
      assert.ok(got(path), `${n.name}: GET ${path} (${what}) from ${n.ip} answered 200`);
    assert.equal(paths.ignition, `/ignition/${n.ign}.ign`, `${n.name}: its role's ignition`);
    // Written to the install device the site names, the same bytes the agent made.
    const disk = await readDisk(vm);
    assert.ok(disk.marker, `${n.name}: the stand-in wrote its marker to the disk`);
    assert.match(disk.marker!, new RegExp(`mac=${n.mac} ok=1 `), `${n.name}: the marker is its own`);
    assert.match(disk.marker!, new RegExp(` dev=${node.installDisk} `), `${n.name}: written to ${node.installDisk}`);
    const made = await readFile(join(lab.root, 'var/lib/fyr/install', `${n.ign}.ign`));
    assert.equal(sha(disk.ignition!), sha(made), `${n.name}: the ignition on its disk is the agent's ${n.ign}.ign`);
    assert.match(serial, /FYR-DISK: installed/, `${n.name}: the next boot came up from the disk`);
    // The agent followed it from the firmware's own requests.
    const record = state.nodes.find((r: { name: string }) => r.name === n.name);
    for (const step of ['dhcp', 'kernel', 'initramfs', 'rootfs', 'ignition'])
      assert.ok(record.seen[step], `${n.name}: the agent saw ${step}`);
  }
  // The stray: a pool address, the default menu, no install, reported by MAC.
  const stray = lab.strayVm!;
  const strayText = await serialText(stray);
  assert.match(
    strayText,
    /Booting from local disk/,
    `the stray booted the default menu (local disk); its console ends:\n${consoleTail(strayText)}`,
  );
  assert.doesNotMatch(strayText, /FYR-STANDIN/, 'the stray never ran the installer');
  assert.equal((await readDisk(stray)).marker, undefined, 'nothing was written to the stray disk');
  const reported = state.unknownMacs.find((u: { mac: string }) => u.mac === lab.strayMac);
  assert.ok(reported, `the agent reported the stray's MAC ${lab.strayMac}`);
  assert.match(String(reported.ip), /^192\.168\.8\.1\d\d$/, 'the stray got an address from the pool');
  assert.match(o.output, new RegExp(`PXE-booted: MAC ${lab.strayMac}`), 'the agent said so in its log');
  if (o.crash) assert.equal(o.runs, 3, 'killed twice, the agent finished on its third run');
}

// Storage from the stick (the site asks for lvms; fyr content mirrored lvms-operator): the
// catalog served from the bastion's registry, the operator installed from it (the fake cluster
// pulls from that registry only), lvms-vg1 the one default StorageClass, shown by the status.
async function assertStorage(lab: Lab, state: Awaited<ReturnType<Lab['state']>>): Promise<void> {
  assert.equal(state.storage?.storageClass, 'lvms-vg1', 'the storage phase recorded the default class');
  assert.deepEqual(
    state.operators?.map((o: { name: string; namespace: string }) => `${o.name} ${o.namespace}`),
    ['lvms-operator openshift-storage'],
    'lvms-operator installed from the stick',
  );
  const env = {
    PATH: `${doublesBin()}:${process.env.PATH}`,
    FYR_DOUBLES_DIR: lab.doubles,
    KUBECONFIG: join(lab.root, 'var/lib/fyr/install/auth/kubeconfig'),
  };
  const get = async (args: string[]) => JSON.parse((await execa('oc', [...args, '--output', 'json'], { env })).stdout);
  const classes = (await get(['get', 'storageclass'])).items as Array<{
    metadata: { name: string; annotations?: Record<string, string> };
  }>;
  assert.deepEqual(
    classes
      .filter((c) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true')
      .map((c) => c.metadata.name),
    ['lvms-vg1'],
    'lvms-vg1 is the only default StorageClass',
  );
  const site = JSON.parse(await readFile(join(lab.root, 'etc/fyr/site.json'), 'utf8'));
  const cs = await get([
    '--namespace',
    'openshift-marketplace',
    'get',
    'catalogsource',
    'cs-redhat-operator-index-v4-18',
  ]);
  assert.match(cs.spec.image, new RegExp(`^${site.bastion.fqdn}:\\d+/redhat/redhat-operator-index:v4\\.18$`));
  const csv = await get(['--namespace', 'openshift-storage', 'get', 'clusterserviceversion', state.operators![0]!.csv]);
  assert.equal(csv.status.phase, 'Succeeded', 'the CSV the stick carries succeeded');
  const status = await execa(
    process.execPath,
    [join(lab.root, AGENT_DIR, 'fyr-agent.mjs'), 'status', '--root', lab.root],
    { reject: false },
  );
  assert.match(status.stdout, /storage: ready, LVM Storage; default StorageClass lvms-vg1/, 'the status shows it');
}

// No secret where a person can read: agent output, fyr-agent status, the state file, the
// daemons', BMCs' and VMs' logs (more: secrets the lab added later, e.g. the spare's BMC's).
// RHEL 10's DHCP is Kea's: it gave each VM's firmware its reservation, answered the agent's
// health check over its control socket, and dhcpd never ran.
async function assertKea(lab: Lab): Promise<void> {
  const kea = await readFile(join(lab.dir, 'run/kea-dhcp4.log'), 'utf8');
  assert.match(kea, /DHCP4_STARTED/);
  assert.match(kea, /COMMAND_RECEIVED Received command 'status-get'/);
  for (const n of lab.nodes.filter((x) => x.vm))
    assert.match(
      kea,
      new RegExp(
        `DHCP4_LEASE_ALLOC \\[hwtype=1 ${n.mac.toLowerCase()}\\].*lease ${n.ip.replaceAll('.', '\\.')} has been allocated`,
      ),
      `${n.name}: Kea leased ${n.ip} to ${n.mac}`,
    );
  assert.equal(await readFile(join(lab.dir, 'run/dhcpd.log')).catch(() => undefined), undefined, 'dhcpd never ran');
}

export async function assertNoSecrets(lab: Lab, output: string, more: string[] = []): Promise<void> {
  const status = await execa(
    process.execPath,
    [join(lab.root, AGENT_DIR, 'fyr-agent.mjs'), 'status', '--root', lab.root],
    {
      reject: false,
    },
  );
  const texts = [output, status.stdout, await readFile(join(lab.root, 'var/lib/fyr/state.json'), 'utf8')];
  for (const f of await readdir(join(lab.dir, 'run')))
    if (f.endsWith('.log')) texts.push(await readFile(join(lab.dir, 'run', f), 'utf8'));
  const machines = [...lab.nodes, ...(lab.spare ? [lab.spare.node] : []), { name: 'stray', vm: lab.strayVm }];
  for (const n of machines)
    for (const f of ['serial.log', 'qemu.log', 'requests', 'events', 'boots'])
      if (n.vm) texts.push(await readFile(join(n.vm.dir, f), 'latin1').catch(() => ''));
  const readable = texts.join('\n');
  for (const secret of [...lab.secretValues, ...more])
    assert.ok(!readable.includes(secret), 'a secret reached a log, the state or the status');
}
