// make lab: the virtual site (test/lab/run-lab.ts) on this machine, start to finish, no input.
//   node --import tsx test/tools/lab.ts [--os rhel9|rhel10] [--crash] [--no-screenshots] [--out DIR]
import { parseArgs } from 'node:util';
import { runLab } from '../lab/run-lab.js';

const { values } = parseArgs({
  options: {
    os: { type: 'string', default: 'rhel9' },
    crash: { type: 'boolean', default: false },
    'no-screenshots': { type: 'boolean', default: false },
    out: { type: 'string', default: 'out/lab' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`Usage: make lab [LAB_OS=rhel9|rhel10] [LAB_CRASH=1]

Builds a sealed site ISO for the edge example (fyr release, fyr build), runs the bastion's
agent from it with the real daemons in network namespaces, and lets it power on three qemu VMs
(one BIOS, two UEFI) through real IPMI (ipmi_sim) and Redfish BMCs. The VMs PXE-boot the
rendered menus through real firmware and loaders, install a stand-in RHCOS and come up from
their disks; a stray VM is reported by MAC. Then the agent keeps the site: etcd backups on
schedule and on request, a stranger's CSR shown and never approved, a node going NotReady and
back; a worker added from an edited site file (fyr build, fyr-agent apply: its VM PXE-boots
and joins); the whole site shut down (every VM off) and powered on again from the disks.
Prints each node's timeline and the day-2 times; keeps screenshots of the status page and the dashboard,
serial consoles and logs in --out (default out/lab).

Options:
  --os OS           rhel9 (dhcpd, default) or rhel10 (Kea)
  --crash           kill the agent (SIGKILL) while VMs boot and again while it watches, and
                    the keeper in the middle of the apply, the shutdown and the power-on
  --no-screenshots  skip the status-page screenshots (headless Chromium)
  --out DIR         where the artifacts go (default out/lab)`);
  process.exit(0);
}
if (values.os !== 'rhel9' && values.os !== 'rhel10') {
  console.error(`lab: --os must be rhel9 or rhel10, not ${values.os}`);
  process.exit(2);
}
try {
  await runLab({
    os: values.os,
    crash: values.crash,
    artifacts: values.out,
    screenshots: !values['no-screenshots'],
    log: (line) => console.log(line),
  });
} catch (err) {
  console.error(`lab: ${(err as Error).message}`);
  process.exit(1);
}
