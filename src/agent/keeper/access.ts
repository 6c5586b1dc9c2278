// What the status page tells the site's operator to do next: where the console and API are,
// where the credentials are on the bastion (paths only), and the DNS records the WAN side
// needs, pointed at the bastion's WAN address (read from the interface: DHCP may change it).
import { join } from 'node:path';
import type { AgentContext } from '../context.js';
import { ip } from '../tools.js';
import type { SiteAccess } from './records.js';

export async function wanAddress(ctx: AgentContext): Promise<string | undefined> {
  const wan = ctx.site.network.wan;
  if (wan.mode === 'static') return wan.address;
  const r = await ctx.exec('ip', ip.addresses(wan.interface)).catch(() => undefined);
  try {
    const links = JSON.parse(r?.stdout ?? '[]') as Array<{ addr_info?: Array<{ local?: string }> }>;
    return links.flatMap((l) => l.addr_info ?? []).find((a) => a.local)?.local;
  } catch {
    return undefined;
  }
}

export async function siteAccess(ctx: AgentContext): Promise<SiteAccess> {
  const fqdn = ctx.site.cluster.fqdn;
  const address = await wanAddress(ctx);
  const value = address ? { value: address } : {};
  return {
    consoleUrl: `https://console-openshift-console.apps.${fqdn}`,
    apiUrl: `https://api.${fqdn}:6443`,
    kubeconfig: join(ctx.paths.authDir, 'kubeconfig'),
    kubeadminPassword: join(ctx.paths.authDir, 'kubeadmin-password'),
    wanInterface: ctx.site.network.wan.interface,
    ...(address ? { wanAddress: address } : {}),
    dnsRecords: [
      { name: `api.${fqdn}`, type: 'A', ...value },
      { name: `*.apps.${fqdn}`, type: 'A', ...value },
      { name: ctx.site.bastion.fqdn, type: 'A', ...value },
    ],
  };
}
