// The site bundle: every file laid onto the bastion, at the path it takes there. Each entry
// names its template under overlays/ and the view it is rendered with.
import { createHash } from 'node:crypto';
import { clusterZones } from './dns.js';
import { renderTemplate } from './engine.js';
import { agentSecretsJson } from '../formats/agent-secrets.js';
import { bmcSecrets } from './secrets.js';
import { AGENT_DIR, AGENT_FILES } from '../formats/bastion-layout.js';
import { DHCP_SERVERS, KEA_NAMES } from '../formats/bastion-os.js';
import { isSealed, type SiteView } from './view.js';

export interface RenderedFile {
  // Relative path, "/"-separated, e.g. bundle/etc/named.conf.
  path: string;
  mode: number;
  content: string;
}

interface Output {
  path: string;
  template: string;
  mode?: number;
  extra?: object;
}

// Stable UUIDs (NetworkManager connections, the libvirt domain): the same site gives the same id.
function stableUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// RHEL 9 serves DHCP with ISC dhcpd, RHEL 10 with Kea: each gets its own config, at the path its unit reads.
function dhcpConfig(view: SiteView): Output {
  const server = DHCP_SERVERS[view.options.os];
  const path = server.config.slice(1);
  return server.kind === 'kea'
    ? { path, template: 'etc/kea/kea-dhcp4.conf.ejs', extra: { kea: KEA_NAMES } }
    : { path, template: 'etc/dhcp/dhcpd.conf.ejs' };
}

function outputs(view: SiteView): Output[] {
  const zones = clusterZones(view);
  const site = view.site;
  const roles = [
    ...new Set(
      view.hosts.filter((h) => h.role !== 'bootstrap').map((h) => (h.role === 'control-plane' ? 'master' : 'worker')),
    ),
  ];
  return [
    dhcpConfig(view),
    { path: 'etc/named.conf', template: 'etc/named.conf.ejs', mode: 0o640, extra: { zones } },
    ...[zones.forward, ...zones.reverse].map((zone) => ({
      path: `var/named/${zone.file}`,
      template: 'var/named/zone.ejs',
      mode: 0o640,
      extra: { zone },
    })),
    { path: 'etc/haproxy/haproxy.cfg', template: 'etc/haproxy/haproxy.cfg.ejs' },
    { path: 'etc/chrony.conf', template: 'etc/chrony.conf.ejs' },
    { path: 'var/lib/tftpboot/pxelinux.cfg/default', template: 'var/lib/tftpboot/pxelinux.cfg/default.ejs' },
    { path: 'var/lib/tftpboot/uefi/grub.cfg', template: 'var/lib/tftpboot/uefi/grub.cfg.ejs' },
    ...view.hosts.flatMap((host) => [
      {
        path: `var/lib/tftpboot/pxelinux.cfg/${host.macFile}`,
        template: 'var/lib/tftpboot/pxelinux.cfg/host.ejs',
        extra: { host },
      },
      {
        path: `var/lib/tftpboot/uefi/grub.cfg-${host.macFile}`,
        template: 'var/lib/tftpboot/uefi/host.ejs',
        extra: { host },
      },
    ]),
    { path: 'etc/httpd/conf.d/fyr-content.conf', template: 'etc/httpd/conf.d/fyr-content.conf.ejs' },
    { path: 'etc/firewalld/zones/fyr-wan.xml', template: 'etc/firewalld/zones/fyr-wan.xml.ejs' },
    { path: 'etc/firewalld/zones/fyr-lan.xml', template: 'etc/firewalld/zones/fyr-lan.xml.ejs' },
    { path: 'etc/firewalld/policies/fyr-lan-to-wan.xml', template: 'etc/firewalld/policies/fyr-lan-to-wan.xml.ejs' },
    ...(site.network.gateway === 'nat'
      ? [
          {
            path: 'etc/firewalld/policies/fyr-wan-to-lan.xml',
            template: 'etc/firewalld/policies/fyr-wan-to-lan.xml.ejs',
          },
        ]
      : []),
    { path: 'etc/sysctl.d/90-fyr-forward.conf', template: 'etc/sysctl.d/90-fyr-forward.conf.ejs' },
    // NetworkManager ignores keyfiles other users can read.
    {
      path: 'etc/NetworkManager/system-connections/fyr-wan.nmconnection',
      template: 'etc/NetworkManager/system-connections/fyr-wan.nmconnection.ejs',
      mode: 0o600,
    },
    {
      path: 'etc/NetworkManager/system-connections/fyr-lan.nmconnection',
      template: 'etc/NetworkManager/system-connections/fyr-lan.nmconnection.ejs',
      mode: 0o600,
    },
    {
      path: 'etc/NetworkManager/system-connections/fyr-lan-port.nmconnection',
      template: 'etc/NetworkManager/system-connections/fyr-lan-port.nmconnection.ejs',
      mode: 0o600,
    },
    { path: 'etc/systemd/system/tangd.socket.d/fyr.conf', template: 'etc/systemd/system/tangd.socket.d/fyr.conf.ejs' },
    { path: 'etc/cockpit/cockpit.conf', template: 'etc/cockpit/cockpit.conf.ejs' },
    { path: 'etc/systemd/system/fyr-agent.service', template: 'etc/systemd/system/fyr-agent.service.ejs' },
    // So a tech on the console or over SSH can run `fyr-agent status` and `fyr-agent unlock`.
    { path: 'usr/local/bin/fyr-agent', template: 'usr/local/bin/fyr-agent.ejs', mode: 0o755 },
    { path: 'var/lib/fyr/bootstrap.xml', template: 'var/lib/fyr/bootstrap.xml.ejs' },
    { path: 'var/lib/fyr/install-config.yaml', template: 'var/lib/fyr/install-config.yaml.ejs', mode: 0o600 },
    ...(site.diskEncryption.tang
      ? roles.map((role) => ({
          path: `var/lib/fyr/manifests/99-${role}-tang-disk-encryption.yaml`,
          template: 'var/lib/fyr/manifests/tang.yaml.ejs',
          extra: { role },
        }))
      : []),
  ];
}

// The normalized site as the agent reads it: no secrets, nothing about the build machine.
function siteJson(view: SiteView): string {
  const { file: _file, display: _display, secrets: _secrets, ...rest } = view.site;
  return `${JSON.stringify({ ...rest, bootstrap: { mac: view.bootstrap.mac, ip: view.bootstrap.ip } }, null, 2)}\n`;
}

export function renderBundle(view: SiteView): RenderedFile[] {
  const common = { ...view, uuid: (id: string) => stableUuid(`${view.site.cluster.fqdn}/${id}`), agentDir: AGENT_DIR };
  const files = outputs(view).map((o) => ({
    path: `bundle/${o.path}`,
    mode: o.mode ?? 0o644,
    content: renderTemplate('overlays', o.template, { ...common, ...o.extra }),
  }));
  files.push({ path: `bundle${AGENT_FILES.site}`, mode: 0o644, content: siteJson(view) });
  // Unsealed only: sealed, the BMC passwords travel in secrets.age, which the caller seals.
  if (!isSealed(view.options))
    files.push({ path: `bundle${AGENT_FILES.secrets}`, mode: 0o600, content: agentSecretsJson(bmcSecrets(view)) });
  return files;
}
