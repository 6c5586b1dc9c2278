// The bundled agent (dist/agent/fyr-agent.mjs) provisions the edge example site in the lab of
// test/helpers/agent-lab.ts: real daemons, real ipmi_sim/ipmitool, the Redfish double, simulated
// PXE machines, and the documented doubles for the installers. Then the same with the agent
// killed (SIGKILL) once in every phase: it resumes and each side effect happens exactly once.
import { createHash } from 'node:crypto';
import { readdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PHASES } from '../../src/agent/state.js';
import { verifyTree } from '../../src/registry/tree.js';
import type { BastionOs } from '../../src/formats/bastion-os.js';
import { AGENT, makeLab, pullsFromStray, type Lab } from '../helpers/agent-lab.js';
import { approvals, fileCsr, objects, setNodeNotReady } from '../doubles/cluster/index.mjs';
import { NODE_BOOTSTRAPPER } from '../../src/agent/cluster/csr.js';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function secretsOf(lab: Lab): Promise<string[]> {
  return Object.values(
    JSON.parse(await readFile(join(lab.root, 'etc/fyr/bmc-secrets.json'), 'utf8')).bmc as Record<string, string>,
  );
}

const count = (calls: string[][], ...prefix: string[]) =>
  calls.filter((c) => prefix.every((p, i) => c[i] === p)).length;

// Waits until the state file satisfies check (the agent writes it atomically, so it parses).
async function until(lab: Lab, check: (s: any) => boolean, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await lab.state().catch(() => undefined);
    if (s && check(s)) return;
    if (Date.now() > deadline) throw new Error(`state never matched: ${JSON.stringify(s?.phases ?? {}).slice(0, 400)}`);
    await sleep(50);
  }
}

async function assertInstalled(lab: Lab, registryRuns = 1): Promise<any> {
  const state = await lab.state();
  for (const p of PHASES) assert.is(state.phases[p].status, 'done', `phase ${p}`);
  assert.ok(state.finishedAt);
  for (const n of state.nodes) {
    for (const step of ['dhcp', 'kernel', 'initramfs', 'rootfs', 'ignition'])
      assert.ok(n.seen[step], `${n.name} ${step} seen`);
    assert.is(n.power, 'on', `${n.name} power`);
  }
  // Each BMC node was powered on exactly once, into a one-time PXE boot.
  for (const n of lab.nodes.filter((x) => x.bmc !== 'libvirt'))
    assert.equal(await lab.events(n.name), ['power boot=pxe'], `${n.name} power events`);
  const calls = await lab.calls();
  assert.is(count(calls, 'virsh', 'define'), 1, 'virsh define once');
  assert.is(count(calls, 'virsh', 'start'), 1, 'virsh start once');
  assert.is(count(calls, 'qemu-img', 'create'), 1, 'one bootstrap disk');
  // A release with a registry tree: the same container serves from the stick, then the copy.
  assert.is(count(calls, 'podman', 'run'), registryRuns, 'the registry started once (again after a reboot)');
  assert.is(count(calls, 'podman', 'load'), 1, 'registry image loaded once');
  // The fake cluster: every node joined (client, then serving CSR approved exactly once) and Ready.
  const approved = approvals(lab.doubles);
  assert.ok(Object.keys(approved).length >= 2 * lab.nodes.filter((n) => n.bmc !== 'libvirt').length);
  for (const [name, n] of Object.entries(approved)) assert.is(n, 1, `${name} approved once`);
  const ready = objects(lab.doubles).nodes.map(
    (n) => `${n.metadata.name}:${n.status.conditions.find((c: { type: string }) => c.type === 'Ready').status}`,
  );
  assert.equal(ready.sort(), ['cp-0:True', 'cp-1:True', 'cp-2:True']);
  // Pivot and finish: no bootstrap in HAProxy, PXE content gone, credentials root-only.
  const haproxy = await readFile(join(lab.root, 'etc/haproxy/haproxy.cfg'), 'utf8');
  assert.not.match(haproxy, /^\s*server bootstrap /m);
  assert.match(haproxy, /^\s*server cp-0 192\.168\.8\.10:6443 /m);
  const gone = (p: string) =>
    stat(p).then(
      () => false,
      () => true,
    );
  assert.ok(await gone(join(lab.root, 'var/www/fyr/ignition')), 'ignition files removed');
  assert.ok(await gone(join(lab.dir, 'run/tftp.socket.pid')), 'tftp stopped');
  assert.is((await stat(join(lab.root, 'var/lib/fyr/auth'))).mode & 0o777, 0o700);
  for (const f of ['kubeconfig', 'kubeadmin-password'])
    assert.is((await stat(join(lab.root, 'var/lib/fyr/auth', f))).mode & 0o777, 0o600, f);
  assert.ok((await stat(join(lab.root, 'var/lib/fyr/done'))).isFile());
  return state;
}

const lab = suite('agent :: lab');

// RHEL 9 serves DHCP with dhcpd, RHEL 10 with Kea: the same install, followed through each.
const endToEnd = async (os: BastionOs, more: (l: Lab) => Promise<void> = async () => undefined) => {
  // RHEL 10 runs an older release (a mirror archive pushed by oc image mirror); RHEL 9 the
  // registry tree served read-only from the media.
  const l = await makeLab(os === 'rhel9' ? 'e' : 'r', { os, mirror: os === 'rhel10' });
  try {
    const agent = l.start(['--status-listen', '192.168.8.1:8090']);
    await until(l, (s) => s.phases.services.status === 'done');
    // A machine the site does not know PXE-boots: it gets a pool address and is reported.
    assert.is(
      (
        await l.stray('dhclient', [
          '-4',
          '-1',
          '-sf',
          '/bin/true',
          '-lf',
          join(l.dir, 'stray.leases'),
          '-pf',
          join(l.dir, 'stray.pid'),
          'pxe0',
        ])
      ).exitCode,
      0,
    );
    const leased = /fixed-address ([0-9.]+);/.exec(await readFile(join(l.dir, 'stray.leases'), 'utf8'))?.[1];
    assert.match(String(leased), /^192\.168\.8\.1\d\d$/, 'an address from the pool 192.168.8.100-199');
    await l.stray('ip', ['addr', 'add', `${leased}/24`, 'dev', 'pxe0']);
    // The status page is on the LAN while the agent runs.
    const api = await l.stray('curl', ['-sf', 'http://192.168.8.1:8090/api/status']);
    assert.is(api.exitCode, 0);
    const live = JSON.parse(api.stdout);
    assert.is(live.cluster, 'edge.example.com');
    assert.is(live.state, 'running');
    const page = await l.stray('curl', ['-sf', 'http://192.168.8.1:8090/']);
    assert.match(page.stdout, '<h1>edge.example.com: running</h1>');
    // A registry tree: a client pulls the release over and over, from the payload phase's end to
    // past the switch to the disk copy.
    const stopPulls = join(l.dir, 'stop-pulls');
    let pulls: ResultPromise | undefined;
    if (os === 'rhel9') {
      await until(l, (s) => s.phases.payload.status === 'done');
      pulls = pullsFromStray(l, 'openshift/release-images:4.18.9-x86_64', stopPulls);
    }
    const r = await agent;
    await writeFile(stopPulls, '');
    if (pulls) {
      const lines = String((await pulls).stdout)
        .split('\n')
        .filter(Boolean);
      const copy = (await l.state()).phases['registry-copy'];
      const at = (line: string) => Number(line.split(' ')[0]);
      assert.equal(
        lines.filter((x) => !x.endsWith(' ok')),
        [],
        'no pull failed while the registry moved to the disk',
      );
      assert.ok(at(lines[0]!) < Date.parse(copy.startedAt), 'pulls began before the copy');
      assert.ok(at(lines.at(-1)!) > Date.parse(copy.finishedAt), 'and went on after the switch');
    }
    const output = String(r.all);
    assert.is(r.exitCode, 0, output.slice(-2000));
    const state = await assertInstalled(l);
    assert.equal(
      state.unknownMacs.map((u: { mac: string }) => u.mac),
      [l.strayMac],
    );
    assert.match(output, `a machine that is not in the site file PXE-booted: MAC ${l.strayMac}`);
    // install-config got the registry's pull secret and CA; the Tang MachineConfigs went in.
    const used = await readFile(join(l.root, 'var/lib/fyr/install-config.used.yaml'), 'utf8');
    assert.not.match(used.replace(/^#.*$/gm, ''), '@@FYR:');
    assert.match(used, 'additionalTrustBundle: "-----BEGIN CERTIFICATE-----');
    const pullSecret = JSON.parse(JSON.parse(/^pullSecret: (.*)$/m.exec(used)![1]!));
    assert.equal(Object.keys(pullSecret.auths), ['bastion.edge.example.com:8443']);
    // fyr-agent status tells the same story in the terminal.
    const status = await execa(process.execPath, [AGENT, 'status', '--root', l.root], { reject: false });
    assert.is(status.exitCode, 0);
    assert.match(status.stdout, 'fyr-agent: edge.example.com: DONE');
    assert.match(status.stdout, /cp-1\s+control-plane\s+on\s+192\.168\.8\.11\s+dhcp kernel initramfs rootfs ignition/);
    // No BMC password anywhere a person can read.
    const readable = [
      output,
      status.stdout,
      api.stdout,
      page.stdout,
      await readFile(join(l.root, 'var/lib/fyr/state.json'), 'utf8'),
    ].join('\n');
    for (const secret of await secretsOf(l)) assert.not.ok(readable.includes(secret), 'a BMC password leaked');
    await more(l);
  } finally {
    await l.close();
  }
};

lab('a site installs end to end: real services, both BMC kinds, nodes followed from DHCP to ignition', async () =>
  endToEnd('rhel9', async (l) => {
    // The registry tree was served from the media by the real registry: no untar, no push.
    const calls = await readFile(join(l.doubles, 'calls.log'), 'utf8');
    assert.not.match(calls, '"image","mirror"');
    const run = calls.split('\n').find((c) => c.startsWith('["podman","run"'))!;
    assert.match(run, `"${l.root}/var/lib/fyr/registry/serve:/var/lib/registry:ro,rslave"`);
    assert.match(run, '"--security-opt","label=disable"');
    assert.match(await readFile(join(l.doubles, 'registry.log'), 'utf8'), 'listening on [::]:8443, tls');
    // The bastion serves the release to a client that logs in, and refuses a push.
    const password = (await readFile(join(l.root, 'var/lib/fyr/registry/password'), 'utf8')).trim();
    const auth = `--creds=fyr:${password}`;
    const ref = 'docker://192.168.8.1:8443/openshift/release-images:4.18.9-x86_64';
    const inspect = await l.stray('skopeo', ['inspect', '--tls-verify=false', auth, ref]);
    assert.is(inspect.exitCode, 0, inspect.stderr);
    const push = await l.stray('skopeo', [
      'copy',
      '--dest-tls-verify=false',
      `--dest-creds=fyr:${password}`,
      ref.replace('docker:', 'docker:'),
      'docker://192.168.8.1:8443/x/y:1',
      `--src-creds=fyr:${password}`,
      '--src-tls-verify=false',
    ]);
    assert.is.not(push.exitCode, 0);
    assert.match(push.stderr, /405|Method not allowed/i, push.stderr);
    // install-config's mirrors are the release's IDMS on the bastion's registry; the signature
    // ConfigMap went into the manifests.
    const used = await readFile(join(l.root, 'var/lib/fyr/install-config.used.yaml'), 'utf8');
    assert.match(
      used,
      'imageDigestSources: [{"source":"quay.io/openshift-release-dev/ocp-v4.0-art-dev","mirrors":["bastion.edge.example.com:8443/openshift/release"]},{"source":"quay.io/openshift-release-dev/ocp-release","mirrors":["bastion.edge.example.com:8443/openshift/release-images"]},{"source":"docker.io/library/example","mirrors":["bastion.edge.example.com:8443/library/example"]}]',
    );
    // After the install the tree was copied to the disk and the registry switched to it: the
    // stick may be removed, and the status says so.
    const serve = join(l.root, 'var/lib/fyr/registry/serve');
    assert.is(await readlink(join(serve, 'current')), 'disk');
    assert.not.match(calls, '"podman","rm"');
    const copied = await verifyTree(join(serve, 'disk'));
    assert.equal(copied.problems, []);
    // The stick's tree is unmounted from the running registry's own mount namespace too.
    const podman = JSON.parse(await readFile(join(l.doubles, 'state-podman.json'), 'utf8'));
    const mounts = await readFile(`/proc/${podman.containers['fyr-registry'].pid}/mountinfo`, 'utf8');
    assert.ok(mounts.includes(` ${serve} `), 'the registry has serve mounted');
    assert.not.ok(mounts.includes(` ${join(serve, 'stick')} `), "the stick's tree is gone from under the registry");
    const status = await execa(process.execPath, [AGENT, 'status', '--root', l.root], { reject: false });
    assert.match(status.stdout, 'install media: may be removed');
    const again = await l.stray('skopeo', ['inspect', '--tls-verify=false', auth, ref]);
    assert.is(again.exitCode, 0, again.stderr);
    const manifests = await readFile(join(l.doubles, 'manifests.log'), 'utf8');
    assert.match(
      manifests,
      /openshift\/99_fyr-release-signature\.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sha256-[0-9a-f]{64}\n  namespace: openshift-config-managed/,
    );
  }),
);

// RHEL 10 (Kea) installs in the virtual site (test/agent/virtual-site.test.ts, lab-asserts.ts).

lab('killed (SIGKILL) in every phase, the agent resumes and does each side effect exactly once', async () => {
  const l = await makeLab('k');
  try {
    // After the side effect, before the agent records it: the doubles and BMCs kill it there.
    const afterEffect = [
      'nmcli connection up fyr-lan',
      'podman run',
      'openshift-install create manifests',
      'virsh define',
      'bmc-power cp-0',
      'bmc-power cp-1',
      'openshift-install wait-for bootstrap-complete',
      'virsh undefine',
      'oc adm certificate approve',
    ];
    await writeFile(join(l.doubles, 'kill'), afterEffect.map((k) => `${k}\n`).join(''));
    // Phases with no outside command to hook: killed from here, when the state shows them busy.
    const midPhase: Array<[string, (s: any) => boolean]> = [
      ['preflight', (s) => s.phases.preflight.status === 'running' && /BMC/.test(s.phases.preflight.detail ?? '')],
      [
        'services',
        (s) => s.phases.services.status === 'running' && /starting haproxy/.test(s.phases.services.detail ?? ''),
      ],
      ['watch', (s) => s.phases.watch.status === 'running'],
    ];
    const killedMidPhase: string[] = [];
    // The bootstrap VM boots only once the agent has been killed while watching, so the watch
    // phase is sure to be waiting for it then.
    const go = join(l.dir, 'go-bootstrap');
    await writeFile(
      join(l.doubles, 'hooks/vm-start'),
      `#!/bin/sh\nwhile [ ! -e ${go} ]; do sleep 0.2; done\nexec ${join(l.dir, 'machines/bootstrap/vm-start')} "$@"\n`,
    );
    let certAfterPayload: string | undefined;
    let ignitionAfterInstall: string | undefined;
    let tangKeys: string | undefined;
    let runs = 0;
    let rebooted = false;
    const outputs: string[] = [];
    for (;;) {
      runs += 1;
      assert.ok(runs <= 20, 'the agent keeps failing to finish');
      const agent = l.start(['--status-listen', 'off']);
      let done = false;
      const watcher = (async () => {
        while (!done) {
          const s = await l.state().catch(() => undefined);
          if (s) {
            const next = midPhase.find(([name, check]) => !killedMidPhase.includes(name) && check(s));
            if (next) {
              killedMidPhase.push(next[0]);
              agent.kill('SIGKILL');
              if (next[0] === 'watch') await writeFile(go, '');
              return;
            }
            const certFile = join(l.root, 'var/lib/fyr/registry/certs/registry.crt');
            if (s.phases.payload.status === 'done' && !certAfterPayload)
              certAfterPayload = sha(await readFile(certFile));
            if (s.phases['install-config'].status === 'done' && !ignitionAfterInstall)
              ignitionAfterInstall = sha(await readFile(join(l.root, 'var/lib/fyr/install/master.ign')));
            if (s.phases.services.status === 'done' && !tangKeys)
              tangKeys = (await readdir(join(l.root, 'var/db/tang'))).sort().join(',');
          }
          await sleep(30);
        }
      })();
      const r = await agent;
      done = true;
      await watcher;
      outputs.push(String(r.all));
      if (r.exitCode === 0) break;
      assert.is(r.signal, 'SIGKILL', `run ${runs} ended without being killed:\n${String(r.all).slice(-3000)}`);
      // Killed while watching, the bastion also reboots: the registry's mounts and process are
      // gone; the next start mounts the stick's tree again and starts the registry on it.
      if (killedMidPhase.at(-1) === 'watch' && !rebooted) {
        rebooted = true;
        await l.rebootMounts();
      }
    }
    assert.ok(rebooted);
    assert.match(outputs.join('\n'), "payload: the stick's registry tree mounted again; the registry restarted on it");
    const killed = (await readFile(join(l.doubles, 'kills.log'), 'utf8')).split('\n').filter(Boolean);
    assert.equal(
      killed.map((k) => afterEffect.find((a) => k.startsWith(a))).sort(),
      [...afterEffect].sort(),
      'every planned crash happened',
    );
    assert.equal(killedMidPhase, ['preflight', 'services', 'watch']);
    assert.is(runs, afterEffect.length + midPhase.length + 1);
    await assertInstalled(l, 2);
    const calls = await l.calls();
    assert.is(count(calls, 'virsh', 'undefine'), 1, 'virsh undefine once');
    // Certificates and keys made once: the registry's, Tang's, and the cluster's ignition.
    assert.is(sha(await readFile(join(l.root, 'var/lib/fyr/registry/certs/registry.crt'))), certAfterPayload);
    assert.is(sha(await readFile(join(l.root, 'var/lib/fyr/install/master.ign'))), ignitionAfterInstall);
    assert.is((await readdir(join(l.root, 'var/db/tang'))).sort().join(','), tangKeys);
    assert.is(count(calls, 'openshift-install', 'create', 'ignition-configs'), 1, 'ignition made once');
    // The daemons the killed agent left running were adopted, not started twice.
    assert.is(
      (await readFile(join(l.dir, 'run/dhcpd.log'), 'utf8')).split('Server starting service.').length - 1,
      1,
      'dhcpd started once',
    );
    assert.is(
      (await readFile(join(l.dir, 'run/named.log'), 'utf8')).split('starting BIND').length - 1,
      1,
      'named started once',
    );
  } finally {
    await l.close();
  }
});

lab(
  'sealed: locked until unlocked; a wrong code refused, the console code opens it; killed after, no second ask',
  async () => {
    const l = await makeLab('s', { sealed: true });
    try {
      assert.not.ok(await stat(join(l.root, 'etc/fyr/bmc-secrets.json')).catch(() => undefined), 'no clear secrets');
      const first = l.start(['--status-listen', '192.168.8.1:8090']);
      await until(l, (s) => /^waiting for the unlock code/.test(s.phases.locked.detail ?? ''), 60_000);
      const locked = await execa(process.execPath, [AGENT, 'status', '--root', l.root, '--json'], { reject: false });
      assert.is(JSON.parse(locked.stdout).state, 'locked');
      assert.is((await l.state()).phases.preflight.status, 'pending', 'nothing that needs a secret ran');
      for (const n of l.nodes) assert.equal(await l.events(n.name), [], `${n.name} untouched while locked`);
      // A wrong code over SSH: refused, said so, and the agent keeps waiting.
      const wrong = await l.unlock('12345-67890-12345-67890-12345-67890-12345-67890');
      assert.is(wrong.exitCode, 1, wrong.output);
      assert.match(wrong.output, 'that code does not open the site');
      assert.is((await l.state()).phases.locked.status, 'running');
      // The right one, typed at the console prompt.
      await l.typeAtConsole(l.unlockCode.replaceAll('-', ' '));
      await until(l, (s) => s.phases.services.status === 'done', 120_000);
      first.kill('SIGKILL');
      const firstRun = await first;
      const cred = await readFile(join(l.root, 'var/lib/fyr/secrets.cred'));
      assert.is((await stat(join(l.root, 'var/lib/fyr/secrets.cred'))).mode & 0o777, 0o600);
      // Restarted: the resealed copy opens it; the console is not asked again.
      const second = await l.run(['--status-listen', 'off']);
      assert.is(second.exitCode, 0, second.output.slice(-2000));
      await assertInstalled(l);
      const calls = await l.calls();
      assert.is(count(calls, 'systemd-ask-password'), 1, 'the console was asked once');
      assert.is(count(calls, 'chpasswd', '-e'), 1, 'the account hashes were set once');
      const shadow = await readFile(join(l.doubles, 'shadow'), 'utf8');
      assert.match(shadow, /^root:\$6\$fyrexamplesalt1\$/m);
      assert.match(shadow, /^fyr:\$6\$fyrexamplesalt2\$/m);
      assert.not.match(second.output, 'waiting for the unlock code');
      // No secret, and not the code, anywhere a person or a log can read.
      const readable = [
        String(firstRun.all),
        second.output,
        wrong.output,
        locked.stdout,
        await readFile(join(l.root, 'var/lib/fyr/state.json'), 'utf8'),
        (await execa(process.execPath, [AGENT, 'status', '--root', l.root], { reject: false })).stdout,
        cred.toString('latin1'),
      ].join('\n');
      for (const secret of l.secretValues) assert.not.ok(readable.includes(secret), 'a secret leaked');
    } finally {
      await l.close();
    }
  },
);

const KEEPER_FLAGS = ['--health-every-s', '1', '--backup-every-s', '15', '--first-backup-after-s', '0'];
const BACKUP_ON_CP0 = 'oc debug --as-root node/cp-0 -- chroot /host /usr/local/bin/cluster-backup.sh';

lab(
  'after install the keeper keeps the site: backups on schedule and on request, pruned, resumed after a kill without a second snapshot; only the site CSRs approved; a NotReady node shown',
  async () => {
    const l = await makeLab('q');
    try {
      // Killed right after cluster-backup.sh ran on the node, before the keeper journals it.
      await writeFile(join(l.doubles, 'kill'), `${BACKUP_ON_CP0}\n`);
      const first = l.start(['--status-listen', '192.168.8.1:8090', ...KEEPER_FLAGS], true);
      await until(l, (s) => Boolean(s.finishedAt), 180_000);
      // Day 2 on the fake cluster: a stranger asks to join as a node, cp-1 stops reporting.
      const stranger = fileCsr(l.doubles, {
        username: NODE_BOOTSTRAPPER,
        commonName: 'system:node:intruder',
        organization: 'system:nodes',
      });
      setNodeNotReady(l.doubles, 'cp-1', { reason: 'NodeStatusUnknown' });
      const killed = await first;
      assert.is(killed.signal, 'SIGKILL', String(killed.all).slice(-2000));
      const mid = await l.state();
      assert.is(mid.keeper.operation.kind, 'backup');
      assert.is(mid.keeper.operation.status, 'running');
      const countBackups = async () =>
        count(
          await l.calls(),
          'oc',
          'debug',
          '--as-root',
          'node/cp-0',
          '--',
          'chroot',
          '/host',
          '/usr/local/bin/cluster-backup.sh',
        );
      assert.is(await countBackups(), 1);

      // Restarted: the interrupted backup finishes first, from the node's files.
      const keeper = l.start(['--status-listen', '192.168.8.1:8090', ...KEEPER_FLAGS], true);
      await until(l, (s) => s.keeper?.history?.some((h: any) => h.kind === 'backup' && h.status === 'done'), 120_000);
      assert.is(await countBackups(), 1, 'the killed backup was not taken again');
      const resumed = (await l.state()).keeper.history.find((h: any) => h.status === 'done');
      assert.is(resumed.id, mid.keeper.operation.id);

      // One now, on request, through the running keeper.
      const now = await l.agent(['backup']);
      assert.is(now.exitCode, 0, now.stderr);
      assert.match(
        now.stdout,
        /fyr-agent: backup \d{8}-\d{6} of 4\.18\.9 from cp-0 .*snapshot checked/,
        `${now.stdout}${now.stderr}`,
      );
      assert.match(now.stderr, 'backup: cluster-backup.sh on cp-0');
      // And the next scheduled one: three taken, the newest two kept.
      await until(
        l,
        (s) => s.keeper.history.filter((h: any) => h.kind === 'backup' && h.status === 'done').length >= 3,
        90_000,
      );
      const listed = await l.agent(['backups', '--json']);
      assert.is(listed.exitCode, 0, listed.stderr);
      const kept = JSON.parse(listed.stdout);
      assert.is(kept.backups.length, 2, 'the oldest beyond keep: 2 was removed');
      assert.not.ok(
        kept.backups.some((b: any) => b.id === resumed.id),
        'the oldest went',
      );
      assert.ok(kept.backups.every((b: any) => b.version === '4.18.9' && b.node === 'cp-0'));
      for (const b of kept.backups) {
        assert.is((await stat(b.dir)).mode & 0o777, 0o700);
        const snapshot = b.files.find((f: any) => f.kind === 'snapshot');
        const bytes = await readFile(join(b.dir, snapshot.name));
        assert.is(sha(bytes), snapshot.sha256);
        // The real etcdctl reads what the bastion kept.
        const status = await execa('etcdctl', ['snapshot', 'status', join(b.dir, snapshot.name), '-w', 'json'], {
          env: { ETCDCTL_API: '3' },
        });
        assert.ok(JSON.parse(status.stdout).totalKey > 100, status.stdout);
      }
      // The node's copies are gone once the bastion has them.
      for (const b of kept.backups)
        assert.not.ok(
          await stat(join(l.doubles, 'cluster/hosts/cp-0/home/core/assets/backup', `fyr-${b.id}`)).catch(
            () => undefined,
          ),
        );

      // The stranger's CSR is shown with its requester and never approved; the site's nodes are.
      await until(l, (s) => s.keeper.csrRefused.some((r: any) => r.name === stranger));
      assert.is(approvals(l.doubles)[stranger], undefined);
      // A laptop on the LAN reads the dashboard.
      await l.stray('ip', ['addr', 'add', '192.168.8.150/24', 'dev', 'pxe0']);
      const api = JSON.parse((await l.stray('curl', ['-sf', 'http://192.168.8.1:8090/api/status'])).stdout);
      const refused = api.keeper.csrRefused.find((r: any) => r.name === stranger);
      assert.is(refused.requester, NODE_BOOTSTRAPPER);
      assert.match(refused.reason, 'intruder is not a node of this site');
      // cp-1 NotReady on the dashboard, the others Ready.
      assert.equal(
        api.keeper.nodes.map((n: any) => `${n.name}:${n.ready}`),
        ['cp-0:true', 'cp-1:false', 'cp-2:true'],
      );
      const page = await l.stray('curl', ['-sf', 'http://192.168.8.1:8090/']);
      assert.match(page.stdout, 'intruder');
      const status = await l.agent(['status']);
      assert.match(status.stdout, 'fyr-agent: edge.example.com: DONE');
      assert.match(status.stdout, 'cp-1');
      // Stopped (systemctl stop): a clean end.
      keeper.kill('SIGTERM');
      const end = await keeper;
      assert.is(end.exitCode, 0, String(end.all).slice(-2000));
      const readable = [String(killed.all), String(end.all), status.stdout, JSON.stringify(api), page.stdout].join(
        '\n',
      );
      for (const secret of await secretsOf(l)) assert.not.ok(readable.includes(secret), 'a BMC password leaked');
      // The installer prints the kubeadmin password when the install completes: never shown on.
      const kubeadmin = (await readFile(join(l.root, 'var/lib/fyr/auth/kubeadmin-password'), 'utf8')).trim();
      assert.ok(kubeadmin.length > 8);
      assert.not.ok(readable.includes(kubeadmin), 'the kubeadmin password leaked');
    } finally {
      await l.close();
    }
  },
);

lab('a BMC that refuses the password stops the agent in preflight, before any power-on, naming the node', async () => {
  const l = await makeLab('p', { bmcPasswords: { 'cp-2': 'not-what-the-site-says' } });
  try {
    const r = await l.run(['--status-listen', 'off']);
    assert.is(r.exitCode, 1);
    const state = await l.state();
    assert.is(state.phases.preflight.status, 'failed');
    assert.match(
      state.phases.preflight.error,
      'cp-2: redfish https://192.168.8.212:443: the BMC refused the user name or password (HTTP 401)',
    );
    assert.not.match(state.phases.preflight.error, 'cp-0');
    assert.is(state.phases.preflight.attempts, 1);
    assert.is(state.lastError.phase, 'preflight');
    for (const n of l.nodes) assert.equal(await l.events(n.name), [], `${n.name} was not touched`);
    const status = await execa(process.execPath, [AGENT, 'status', '--root', l.root], { reject: false });
    assert.is(status.exitCode, 1);
    assert.match(status.stdout, 'FAILED');
    assert.match(status.stdout, 'cp-2: redfish');
    for (const secret of [...(await secretsOf(l)), 'not-what-the-site-says'])
      assert.not.ok(`${r.output}${status.stdout}`.includes(secret), 'a password leaked');
  } finally {
    await l.close();
  }
});

lab.run();
