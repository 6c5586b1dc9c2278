// The agent's command lines, against literal arrays: what runs on the bastion is exactly this.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IPMI_COMMANDS, ipmitoolArgs } from '../../src/agent/bmc/index.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CommandError, exec } from '../../src/agent/exec.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';
import {
  firewallCmd,
  htpasswd,
  ip,
  mount,
  nmcli,
  oc,
  openshiftInstall,
  openssl,
  podman,
  qemuImg,
  sysctl,
  virsh,
} from '../../src/agent/tools.js';

test('tools :: ipmitool: lanplus, password from the environment (-E), short timeouts', () => {
  const target = { address: '192.168.8.211', port: 623, username: 'admin' };
  assert.equal(ipmitoolArgs(target, IPMI_COMMANDS.status), [
    '-I',
    'lanplus',
    '-H',
    '192.168.8.211',
    '-p',
    '623',
    '-U',
    'admin',
    '-E',
    '-N',
    '2',
    '-R',
    '2',
    'chassis',
    'power',
    'status',
  ]);
  assert.equal(IPMI_COMMANDS.pxeOnce, ['chassis', 'bootdev', 'pxe']);
  assert.equal(IPMI_COMMANDS.on, ['chassis', 'power', 'on']);
  assert.equal(IPMI_COMMANDS.reset, ['chassis', 'power', 'reset']);
  assert.equal(ipmitoolArgs({ ...target, cipherSuite: 3 }, IPMI_COMMANDS.off).slice(6, 12), [
    '-U',
    'admin',
    '-E',
    '-C',
    '3',
    '-N',
  ]);
  assert.equal(IPMI_COMMANDS.soft, ['chassis', 'power', 'soft']);
  assert.equal(IPMI_COMMANDS.off, ['chassis', 'power', 'off']);
  assert.not.ok(ipmitoolArgs(target, IPMI_COMMANDS.on).includes('-P'), 'never -P PASSWORD');
});

test('tools :: openshift-install and oc', () => {
  assert.equal(openshiftInstall.manifests('/var/lib/fyr/install.tmp'), [
    'create',
    'manifests',
    '--dir',
    '/var/lib/fyr/install.tmp',
    '--log-level',
    'info',
  ]);
  assert.equal(openshiftInstall.ignition('/d'), ['create', 'ignition-configs', '--dir', '/d', '--log-level', 'info']);
  assert.equal(openshiftInstall.waitBootstrap('/d'), [
    'wait-for',
    'bootstrap-complete',
    '--dir',
    '/d',
    '--log-level',
    'info',
  ]);
  assert.equal(openshiftInstall.waitInstall('/d'), [
    'wait-for',
    'install-complete',
    '--dir',
    '/d',
    '--log-level',
    'info',
  ]);
  assert.equal(oc.csrs(), ['get', 'csr', '--output', 'json']);
  assert.equal(oc.approve(['csr-a', 'csr-b']), ['adm', 'certificate', 'approve', 'csr-a', 'csr-b']);
  assert.equal(oc.clusterVersion(), ['get', 'clusterversion', 'version', '--output', 'json']);
  assert.equal(oc.clusterOperators(), ['get', 'clusteroperators', '--output', 'json']);
  assert.equal(oc.nodes(), ['get', 'nodes', '--output', 'json']);
  // The signer's date from its annotation only: never the secret's data (a private key).
  assert.equal(oc.signerNotAfter(), [
    '--namespace',
    'openshift-kube-apiserver-operator',
    'get',
    'secret',
    'kube-apiserver-to-kubelet-signer',
    '--output',
    'jsonpath={.metadata.annotations.auth\\.openshift\\.io/certificate-not-after}',
  ]);
  assert.equal(oc.clusterBackup('cp-0', '/home/core/assets/backup/fyr-1'), [
    'debug',
    '--as-root',
    'node/cp-0',
    '--',
    'chroot',
    '/host',
    '/usr/local/bin/cluster-backup.sh',
    '/home/core/assets/backup/fyr-1',
  ]);
  assert.equal(oc.cordon('w-0'), ['adm', 'cordon', 'w-0']);
  assert.equal(oc.uncordon('w-0'), ['adm', 'uncordon', 'w-0']);
  assert.equal(oc.drain('w-0', 300), [
    'adm',
    'drain',
    'w-0',
    '--ignore-daemonsets',
    '--delete-emptydir-data',
    '--force',
    '--timeout=300s',
  ]);
  assert.equal(oc.hostShutdown('cp-0'), [
    'debug',
    '--as-root',
    'node/cp-0',
    '--',
    'chroot',
    '/host',
    'shutdown',
    '-h',
    '1',
  ]);
  assert.equal(oc.waitStable(300, 3600), [
    'adm',
    'wait-for-stable-cluster',
    '--minimum-stable-period=300s',
    '--timeout=3600s',
  ]);
  assert.equal(oc.hostMakeDir('cp-1', '/d'), [
    'debug',
    '--as-root',
    'node/cp-1',
    '--',
    'chroot',
    '/host',
    'mkdir',
    '-p',
    '/d',
  ]);
  assert.equal(oc.hostList('cp-1', '/d'), [
    'debug',
    '--as-root',
    'node/cp-1',
    '--',
    'chroot',
    '/host',
    'ls',
    '-1',
    '/d',
  ]);
  assert.equal(oc.hostCat('cp-1', '/d/f'), ['debug', '--as-root', 'node/cp-1', '--', 'chroot', '/host', 'cat', '/d/f']);
  assert.equal(oc.hostRemove('cp-1', '/d'), [
    'debug',
    '--as-root',
    'node/cp-1',
    '--',
    'chroot',
    '/host',
    'rm',
    '-rf',
    '/d',
  ]);
  assert.equal(openssl.csrText(), ['req', '-noout', '-text', '-nameopt', 'RFC2253']);
  assert.equal(ip.addresses('eno1'), ['-json', '-4', 'address', 'show', 'dev', 'eno1']);
  assert.equal(
    oc.mirror(
      '/var/lib/fyr/auth/pull-secret.json',
      '/var/lib/fyr/work/mirror',
      '4.16.3',
      'bastion.edge.example.com:8443',
    ),
    [
      'image',
      'mirror',
      '--registry-config',
      '/var/lib/fyr/auth/pull-secret.json',
      '--from-dir=/var/lib/fyr/work/mirror',
      'file://openshift/release:4.16.3*',
      'bastion.edge.example.com:8443/openshift/release',
    ],
  );
});

test('tools :: virsh, qemu-img, podman, openssl, htpasswd, nmcli, firewall-cmd, sysctl, mount', () => {
  assert.equal(virsh.define('/var/lib/fyr/bootstrap.xml'), ['define', '/var/lib/fyr/bootstrap.xml']);
  assert.equal(virsh.exists('edge-bootstrap'), ['dominfo', 'edge-bootstrap']);
  assert.equal(virsh.state('edge-bootstrap'), ['domstate', 'edge-bootstrap']);
  assert.equal(virsh.undefine('edge-bootstrap'), ['undefine', 'edge-bootstrap', '--nvram']);
  assert.equal(qemuImg.create('/var/lib/libvirt/images/b.qcow2', 120), [
    'create',
    '-f',
    'qcow2',
    '/var/lib/libvirt/images/b.qcow2',
    '120G',
  ]);
  assert.equal(podman.load('/m/registry.tar'), ['load', '--input', '/m/registry.tar']);
  assert.equal(
    podman.runRegistry({
      image: 'docker.io/library/registry:2',
      port: 8443,
      dataDir: '/r/data',
      certDir: '/r/certs',
      authDir: '/r/auth',
    }),
    [
      'run',
      '--detach',
      '--name',
      'fyr-registry',
      '--restart',
      'always',
      '--publish',
      '8443:5000',
      '--volume',
      '/r/data:/var/lib/registry:z',
      '--volume',
      '/r/certs:/certs:z',
      '--volume',
      '/r/auth:/auth:z',
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
      'docker.io/library/registry:2',
    ],
  );
  assert.equal(openssl.registryCert({ key: '/k', cert: '/c', fqdn: 'bastion.edge.example.com', ip: '192.168.8.1' }), [
    'req',
    '-x509',
    '-newkey',
    'rsa:4096',
    '-nodes',
    '-sha256',
    '-days',
    '3650',
    '-keyout',
    '/k',
    '-out',
    '/c',
    '-subj',
    '/CN=bastion.edge.example.com',
    '-addext',
    'subjectAltName=DNS:bastion.edge.example.com,IP:192.168.8.1',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
  ]);
  assert.equal(htpasswd('/r/auth/htpasswd'), ['-i', '-B', '-c', '/r/auth/htpasswd', 'fyr']);
  assert.equal(nmcli.up('fyr-lan'), ['connection', 'up', 'fyr-lan']);
  assert.equal(firewallCmd.activeZones(), ['--get-active-zones']);
  assert.equal(sysctl.load('/etc/sysctl.d/90-fyr-forward.conf'), ['--load', '/etc/sysctl.d/90-fyr-forward.conf']);
  assert.equal(mount.media('FYR-4.16.3', '/run/fyr/media'), ['-o', 'ro', 'LABEL=FYR-4.16.3', '/run/fyr/media']);
  assert.equal(mount.bind('/var/lib/fyr/registry/serve', '/var/lib/fyr/registry/serve'), [
    '--bind',
    '/var/lib/fyr/registry/serve',
    '/var/lib/fyr/registry/serve',
  ]);
  assert.equal(mount.makeShared('/var/lib/fyr/registry/serve'), ['--make-shared', '/var/lib/fyr/registry/serve']);
  assert.equal(mount.bindReadOnly('/run/fyr/media/fyr/payload/registry', '/var/lib/fyr/registry/serve/stick'), [
    '-o',
    'bind,ro',
    '/run/fyr/media/fyr/payload/registry',
    '/var/lib/fyr/registry/serve/stick',
  ]);
  assert.equal(mount.unmount('/var/lib/fyr/registry/serve/stick'), ['/var/lib/fyr/registry/serve/stick']);
});

test('tools :: a failing program is a retryable CommandError with its masked command; a missing one is not retryable', async () => {
  const dir = await makeTmpdir();
  try {
    await writeFile(join(dir, 'ipmitool'), '#!/bin/sh\necho "ipmitool: password $4 rejected" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const failed = await exec('ipmitool', ['-U', 'admin', '-P', 'hunter2', 'power', 'on'], {
      env: { PATH: `${dir}:/usr/bin:/bin` },
      secrets: ['hunter2'],
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instance(failed, CommandError);
    const err = failed as CommandError;
    assert.is(err.message, 'ipmitool exited with 1: ipmitool: password *** rejected');
    assert.is(err.command, 'ipmitool -U admin -P *** power on');
    assert.is(err.retryable, true);
    const missing = (await exec('ipmitool', ['power', 'on'], { env: { PATH: '' } }).then(
      () => undefined,
      (e: unknown) => e,
    )) as CommandError;
    assert.instance(missing, CommandError);
    assert.is(missing.message, 'ipmitool is not installed');
    assert.is(missing.retryable, false);
  } finally {
    await removeTmpdir(dir);
  }
});

test('tools :: the read-only registry over the serve directory and its removal, as literal arrays', () => {
  assert.equal(
    podman.runReadOnlyRegistry({
      image: 'docker.io/library/registry:2',
      port: 8443,
      serveDir: '/var/lib/fyr/registry/serve',
      serveMount: '/var/lib/registry',
      config: '/var/lib/fyr/registry/config.yml',
      configPath: '/etc/docker/registry/config.yml',
      certDir: '/var/lib/fyr/registry/certs',
      authDir: '/var/lib/fyr/registry/auth',
    }),
    [
      'run',
      '--detach',
      '--name',
      'fyr-registry',
      '--restart',
      'always',
      '--security-opt',
      'label=disable',
      '--publish',
      '8443:5000',
      '--volume',
      '/var/lib/fyr/registry/serve:/var/lib/registry:ro,rslave',
      '--volume',
      '/var/lib/fyr/registry/config.yml:/etc/docker/registry/config.yml:ro',
      '--volume',
      '/var/lib/fyr/registry/certs:/certs:ro',
      '--volume',
      '/var/lib/fyr/registry/auth:/auth:ro',
      'docker.io/library/registry:2',
    ],
  );
  assert.equal(podman.removeContainer(), ['rm', '--force', '--ignore', 'fyr-registry']);
});

test.run();
