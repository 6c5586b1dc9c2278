// What makes an edited site one the bastion may apply at all: the same cluster, release, OS,
// bastion and networks, secrets that travel the same way (sealed or not) and that the agent can
// read. One line per refusal; the plan (plan.ts) then says what changes.
import { AGENT_FILES } from '../../formats/bastion-layout.js';
import { parseAgentSecrets, type AgentSecrets } from '../../formats/agent-secrets.js';
import type { BastionOs } from '../../formats/bastion-os.js';
import type { ReleaseInfo } from '../../formats/release-json.js';
import { SEALED_SECRETS } from '../../formats/sealed-secrets.js';
import { unseal, WrongCodeError } from '../../seal/age.js';
import type { AgentSite } from '../site.js';
import { ApplyInputError, fileIn, type NewSite } from './source.js';

// The bastion as installed (or as the last apply left it).
export interface Installed {
  site: AgentSite;
  os: BastionOs;
  sealed: boolean;
  release: ReleaseInfo;
}

const releaseName = (r: ReleaseInfo) => `${r.release.name} (OpenShift ${r.release.openshift})`;
const built = (epoch: number) => new Date(epoch * 1000).toISOString().replace(/\.000Z$/, 'Z');

// The same release: its name and build, its payload and agent byte for byte.
function releaseRefusal(installed: ReleaseInfo, next: NewSite): string | undefined {
  const r = next.release;
  const fix = "build the edited site with this bastion's release ISO (fyr build --release)";
  if (!r) {
    const name = next.meta?.release;
    if (name === undefined)
      return `the new site names no release (no fyr-site.json); give its site ISO or the whole unpacked site area`;
    return name === installed.release.name
      ? undefined
      : `the new site was built for release ${name}, this bastion runs ${releaseName(installed)}: ${fix}`;
  }
  if (r.release.name !== installed.release.name || r.release.openshift !== installed.release.openshift)
    return `the new site comes with release ${releaseName(r)}, this bastion runs ${releaseName(installed)}: ${fix}`;
  const sums = (i: ReleaseInfo) =>
    JSON.stringify([i.release.image ?? '', i.agent.sha256, i.payload.map((p) => p.sha256)]);
  if (r.sourceDateEpoch !== installed.sourceDateEpoch || sums(r) !== sums(installed))
    return `the new site's release ${r.release.name} is another build (${built(r.sourceDateEpoch)}) than this bastion's (${built(installed.sourceDateEpoch)}): ${fix}`;
  return undefined;
}

// Refusals, one line each; none means the site may be planned.
export function checkNewSite(installed: Installed, next: NewSite): string[] {
  const out: string[] = [];
  const a = installed.site;
  const b = next.site;
  if (a.cluster.name !== b.cluster.name || a.cluster.domain !== b.cluster.domain)
    out.push(
      `the new site is for cluster ${b.cluster.fqdn}, this bastion keeps ${a.cluster.fqdn}: apply takes this cluster's own site file only`,
    );
  const release = releaseRefusal(installed.release, next);
  if (release) out.push(release);
  if (next.manifest.os !== installed.os)
    out.push(
      `the new site is rendered for ${String(next.manifest.os)}, this bastion runs ${installed.os}: build it with --os ${installed.os}`,
    );
  if (a.bastion.hostname !== b.bastion.hostname)
    out.push(`bastion.hostname: ${a.bastion.hostname} → ${b.bastion.hostname}: apply does not rename the bastion`);
  const lan = (s: AgentSite) =>
    `${s.network.lan.interface}${s.network.lan.vlan ? `.${s.network.lan.vlan}` : ''} ${s.network.lan.network}/${s.network.lan.prefix}, bastion ${s.network.lan.bastion}`;
  if (lan(a) !== lan(b))
    out.push(`network.lan: ${lan(a)} → ${lan(b)}: the bastion's LAN and addresses are fixed at install`);
  const wan = (s: AgentSite) =>
    `${s.network.wan.interface} ${s.network.wan.mode === 'static' ? `${s.network.wan.address}/${s.network.wan.prefix} via ${s.network.wan.gateway}` : 'dhcp'}`;
  if (wan(a) !== wan(b))
    out.push(
      `network.wan: ${wan(a)} → ${wan(b)}: the bastion's WAN address is fixed at install (a change could cut it off)`,
    );
  if (installed.sealed !== next.manifest.sealed)
    out.push(
      installed.sealed
        ? "the new site's secrets are in clear (built with --no-seal), this bastion's are sealed: build it sealed"
        : "the new site's secrets are sealed, this bastion's site was built with --no-seal: build it with --no-seal too",
    );
  return out;
}

// The new site's secrets. Sealed: opened with the unlock code the new site was sealed to (asked
// for again, never stored); in clear: bmc-secrets.json, checked with the manifest. Every node
// with a BMC password named in the site must have one.
export async function openSecrets(next: NewSite, code: () => Promise<string>): Promise<AgentSecrets> {
  let secrets: AgentSecrets | undefined;
  if (next.manifest.sealed) {
    const sealed = fileIn(next, `bundle${SEALED_SECRETS}`);
    if (!sealed) throw new ApplyInputError(`${next.from}: sealed, but bundle${SEALED_SECRETS} is missing`);
    try {
      secrets = parseAgentSecrets(JSON.parse(await unseal(sealed, await code())));
    } catch (err) {
      if (err instanceof WrongCodeError)
        throw new ApplyInputError(
          "that unlock code does not open the new site's secrets: give the code fyr build showed (or took with --unlock-code-file) for this build",
        );
      throw new ApplyInputError(`${next.from}: bundle${SEALED_SECRETS}: ${(err as Error).message}`);
    }
  } else {
    const clear = fileIn(next, `bundle${AGENT_FILES.secrets}`);
    try {
      secrets = clear ? parseAgentSecrets(JSON.parse(clear.toString('utf8'))) : undefined;
    } catch {
      secrets = undefined;
    }
  }
  if (!secrets) throw new ApplyInputError(`${next.from}: the site's secrets are not the agent's (fyr-agent-secrets/1)`);
  const missing = next.site.nodes.filter(
    (n) => n.bmc.passwordSecret !== undefined && secrets.bmc[n.name] === undefined,
  );
  if (missing.length > 0)
    throw new ApplyInputError(
      `${next.from}: no BMC password for ${missing.map((n) => n.name).join(', ')} in the new site's secrets`,
    );
  return secrets;
}

// The nodes (in both sites) whose BMC password differs from the one the agent holds; names only.
export const changedPasswords = (held: AgentSecrets, next: AgentSecrets): string[] =>
  Object.keys(next.bmc)
    .filter((name) => held.bmc[name] !== undefined && held.bmc[name] !== next.bmc[name])
    .sort();
