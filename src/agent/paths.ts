// Every bastion path the agent touches, under one root: "/" on the bastion, a temporary tree in
// tests. formats/bastion-layout.ts names the places; this file only joins them. The places that
// differ by OS (the DHCP server's, the PXE loaders) are in os-profile.ts.
import { basename, join } from 'node:path';
import { RESEALED_SECRETS, SEALED_SECRETS } from '../formats/sealed-secrets.js';
import { AGENT_FILES, CONTENT_ROOT, STATE_DIR, TFTP_ROOT } from '../formats/bastion-layout.js';

export interface Paths {
  root: string;
  siteJson: string;
  secretsJson: string;
  // Sealed sites: the secrets sealed to the unlock code, their resealed copy, and the socket
  // \`fyr-agent unlock\` talks to.
  sealedSecrets: string;
  resealedSecrets: string;
  unlockSocket: string;
  // Where fyr-agent subcommands (backup, ...) ask the running keeper for an operation.
  keeperSocket: string;
  manifestJson: string;
  releaseJson: string;
  stateDir: string;
  stateFile: string;
  doneMarker: string;
  installDir: string;
  authDir: string;
  // The kubeconfig the installer wrote (admin), as the agent uses it after install.
  kubeconfig: string;
  // etcd backups kept on the bastion, one directory each.
  backupsDir: string;
  registryDir: string;
  workDir: string;
  installConfigTemplate: string;
  manifestsDir: string;
  bootstrapXml: string;
  haproxyCfg: string;
  tftpRoot: string;
  contentRoot: string;
  binDir: string;
  caAnchor: string;
  tangDb: string;
  httpLog: string;
  libvirtImages: string;
  // The kernel's view of the NICs: not under root, it is this machine's (or namespace's).
  sysNet: string;
}

export function bastionPaths(root: string, overrides: { site?: string; state?: string } = {}): Paths {
  const at = (p: string) => join(root, p);
  const stateDir = overrides.state ?? at(STATE_DIR);
  const tftpRoot = at(TFTP_ROOT);
  return {
    root,
    siteJson: overrides.site ?? at(AGENT_FILES.site),
    secretsJson: at(AGENT_FILES.secrets),
    sealedSecrets: at(SEALED_SECRETS),
    resealedSecrets: overrides.state ? join(overrides.state, basename(RESEALED_SECRETS)) : at(RESEALED_SECRETS),
    unlockSocket: at('/run/fyr/unlock.sock'),
    keeperSocket: at('/run/fyr/keeper.sock'),
    manifestJson: at(AGENT_FILES.manifest),
    releaseJson: at(AGENT_FILES.release),
    stateDir,
    stateFile: join(stateDir, 'state.json'),
    doneMarker: join(stateDir, 'done'),
    installDir: join(stateDir, 'install'),
    authDir: join(stateDir, 'auth'),
    kubeconfig: join(stateDir, 'install', 'auth', 'kubeconfig'),
    backupsDir: join(stateDir, 'backups'),
    registryDir: join(stateDir, 'registry'),
    workDir: join(stateDir, 'work'),
    installConfigTemplate: at(`${STATE_DIR}/install-config.yaml`),
    manifestsDir: at(`${STATE_DIR}/manifests`),
    bootstrapXml: at(`${STATE_DIR}/bootstrap.xml`),
    haproxyCfg: at('/etc/haproxy/haproxy.cfg'),
    tftpRoot,
    contentRoot: at(CONTENT_ROOT),
    binDir: at('/usr/local/bin'),
    caAnchor: at('/etc/pki/ca-trust/source/anchors/fyr-registry.crt'),
    tangDb: at('/var/db/tang'),
    httpLog: at('/var/log/httpd/fyr-content_log'),
    libvirtImages: at('/var/lib/libvirt/images'),
    sysNet: '/sys/class/net',
  };
}
