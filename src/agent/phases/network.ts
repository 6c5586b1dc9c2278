// Network and firewall: the LAN bridge up, forwarding on, and firewalld running the bundle's
// zones and policies (PAT, or NAT with port forwards). Every step is safe to repeat.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PhaseError, type Phase } from '../context.js';
import { firewallCmd, nmcli, sysctl } from '../tools.js';

export const network: Phase = {
  name: 'network',
  title: 'LAN bridge, forwarding and firewall zones',
  attempts: 3,
  async run(ctx, progress) {
    await progress('loading the forwarding sysctl');
    await ctx.exec('sysctl', sysctl.load(join(ctx.paths.root, 'etc/sysctl.d/90-fyr-forward.conf')));
    const forwarding = (await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim();
    if (forwarding !== '1')
      throw new PhaseError(
        `net.ipv4.ip_forward is ${forwarding} after loading 90-fyr-forward.conf; the cluster LAN cannot reach the WAN`,
      );
    await progress('bringing up the LAN bridge');
    await ctx.exec('nmcli', nmcli.reload());
    await ctx.exec('nmcli', nmcli.up('fyr-lan'));
    await progress('loading the firewall zones');
    await ctx.exec('firewall-cmd', firewallCmd.reload());
    const zones = (await ctx.exec('firewall-cmd', firewallCmd.activeZones())).stdout;
    const missing = ['fyr-lan', 'fyr-wan'].filter((z) => !new RegExp(`^${z}\\b`, 'm').test(zones));
    if (missing.length > 0)
      throw new PhaseError(
        `firewalld has no active zone ${missing.join(' or ')} after a reload (active: ${zones.trim().replace(/\n/g, ' ') || 'none'}); check that the bundle's NetworkManager keyfiles name them`,
        { retryable: true },
      );
  },
};
