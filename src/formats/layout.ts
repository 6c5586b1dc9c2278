// Fixed names and places shared by the renderers, the ISO builder and the agent: where the
// bundle sits on the install media and on the bastion, ports, interface names.

// On the install media (mounted by Anaconda at /run/install/repo).
export const MEDIA_ROOT = '/run/install/repo';
export const MEDIA_DIR = 'fyr';
// The site area fyr build fills: a tar whose bundle/ is laid onto the bastion.
export const MEDIA_SITE_TAR = `${MEDIA_DIR}/site.tar`;
export const MEDIA_AGENT = `${MEDIA_DIR}/agent`;
// The composer image-installer payload (osbuild puts it at the root of its ISO).
export const MEDIA_LIVEIMG = 'liveimg.tar.gz';

// On the installed bastion.
export const SYSIMAGE = '/mnt/sysimage';
export const AGENT_DIR = '/usr/local/lib/fyr';
export const AGENT_UNIT = 'fyr-agent.service';
export const STATE_DIR = '/var/lib/fyr';
// The agent's own files from the bundle and the media: site, BMC passwords, manifests.
export const AGENT_ETC = '/etc/fyr';
export const TFTP_ROOT = '/var/lib/tftpboot';
export const CONTENT_ROOT = '/var/www/fyr';

// The LAN side is a bridge so the bootstrap VM sits on the same layer 2 as the nodes.
export const LAN_BRIDGE = 'br-fyr';

export const PORTS = {
  // LAN-only HTTP for ignition files and RHCOS artifacts (80 and 443 belong to ingress).
  content: 8080,
  tang: 7500,
  registry: 8443,
  cockpit: 9090,
  // The agent's read-only status page and JSON API.
  status: 8090,
} as const;

// Marks the lines the agent edits at first boot, so the format stays valid before it does.
export const PLACEHOLDER = {
  registryCa: '@@FYR:registry-ca@@',
  pullSecret: '@@FYR:pull-secret@@',
  tangThumbprint: '@@FYR:tang-thumbprint@@',
} as const;

// Comment that tags HAProxy's bootstrap servers; the agent deletes those lines after bootstrap.
export const BOOTSTRAP_MARK = 'fyr:bootstrap';
