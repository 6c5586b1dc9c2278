// Fixed names and places on the installed bastion, shared by the renderers (which write them)
// and the agent (which reads them): directories, the agent's own files, ports, the bridge, and
// the placeholders the agent fills at first boot.

export const SYSIMAGE = '/mnt/sysimage';
export const AGENT_DIR = '/usr/local/lib/fyr';
export const AGENT_UNIT = 'fyr-agent.service';
export const STATE_DIR = '/var/lib/fyr';
// The agent's own files from the bundle and the media: site, BMC passwords, manifests.
export const AGENT_ETC = '/etc/fyr';
export const AGENT_FILES = {
  site: `${AGENT_ETC}/site.json`,
  secrets: `${AGENT_ETC}/bmc-secrets.json`,
  manifest: `${AGENT_ETC}/manifest.json`,
  // Copied from the media by the kickstart.
  release: `${AGENT_ETC}/release.json`,
} as const;
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
  // Filled with a JSON list (YAML flow), from the release's IDMS (formats/digest-sources.ts).
  imageDigestSources: '@@FYR:image-digest-sources@@',
} as const;

// Comment that tags HAProxy's bootstrap servers; the agent deletes those lines after bootstrap.
export const BOOTSTRAP_MARK = 'fyr:bootstrap';
