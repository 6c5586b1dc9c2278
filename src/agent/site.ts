// What the agent reads at start: the normalized site (bundle's etc/fyr/site.json), the BMC
// passwords (etc/fyr/bmc-secrets.json), the OS the bundle was rendered for (etc/fyr/manifest.json)
// and the release record the kickstart copied from the media.
import { readFile } from 'node:fs/promises';
import { AGENT_SECRETS_FORMAT, parseAgentSecrets, type AgentSecrets } from '../formats/agent-secrets.js';
import { BASTION_OS, isBastionOs, type BastionOs } from '../formats/bastion-os.js';
import { parseReleaseJson, type ReleaseInfo } from '../formats/release-json.js';
import { parseRenderManifest } from '../formats/render-manifest.js';
import type { Node, Site } from '../site/model.js';

// The schema's defaults for a site.json rendered before the keeper's settings existed (a test
// holds them equal to what fyr render writes for a site without them).
export const KEEPER_DEFAULTS: Pick<Site, 'keeper' | 'backups'> = {
  keeper: { healthEverySeconds: 300, powerOn: 'auto' },
  backups: { enabled: true, everySeconds: 6 * 3600, keep: 14 },
};

export type AgentSite = Omit<Site, 'file' | 'display' | 'secrets'> & { bootstrap: { mac: string; ip: string } };
export type AgentNode = Node;

// What the agent reads of release.json (the whole record, as fyr release wrote it).
export type ReleaseRecord = ReleaseInfo;

export class AgentInputError extends Error {}
AgentInputError.prototype.name = 'AgentInputError';

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new AgentInputError(
      `${path}: cannot read the ${what} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}

async function readJson(path: string, what: string): Promise<unknown> {
  const text = await readText(path, what);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AgentInputError(`${path}: the ${what} is not JSON (${(err as Error).message})`);
  }
}

export async function readSite(path: string): Promise<AgentSite> {
  const site = (await readJson(path, 'site')) as AgentSite;
  if (!site?.cluster?.fqdn || !Array.isArray(site.nodes) || !site.network?.lan?.bastion)
    throw new AgentInputError(`${path}: not a site written by fyr render (cluster.fqdn, nodes or network.lan missing)`);
  site.keeper = { ...KEEPER_DEFAULTS.keeper, ...site.keeper };
  site.backups ??= { ...KEEPER_DEFAULTS.backups };
  // Rendered before storage and operators existed: none of either.
  site.storage ??= { type: 'none', defaulted: true, profile: 'balanced', nodes: [] };
  site.operators ??= [];
  site.upgrades ??= { allowUnsignedReleases: false, adminAcks: [] };
  return site;
}

export async function readSecrets(path: string): Promise<AgentSecrets> {
  const secrets = parseAgentSecrets(await readJson(path, 'BMC secrets file'));
  if (!secrets) throw new AgentInputError(`${path}: not a ${AGENT_SECRETS_FORMAT} file`);
  return secrets;
}

// The sealed secrets as they came on the media, still closed.
export async function readSealed(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new AgentInputError(
      `${path}: cannot read the sealed secrets (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}

export async function readRelease(path: string): Promise<ReleaseRecord> {
  const text = await readText(path, 'release record');
  try {
    return parseReleaseJson(text);
  } catch (err) {
    throw new AgentInputError(`${path}: not a fyr release.json: it ${(err as Error).message}`);
  }
}

// The bastion's OS decides which DHCP server runs and where the PXE loaders are found; sealed,
// whether the secrets wait for the unlock code.
export async function readRenderFacts(path: string): Promise<{ os: BastionOs; sealed: boolean }> {
  const text = await readText(path, 'render manifest');
  let os: unknown;
  let sealed = false;
  try {
    ({ os, sealed } = parseRenderManifest(text));
  } catch (err) {
    throw new AgentInputError(`${path}: the render manifest is not JSON (${(err as Error).message})`);
  }
  if (!isBastionOs(os))
    throw new AgentInputError(
      `${path}: the render manifest names os ${JSON.stringify(os)}; this agent runs on ${BASTION_OS.join(' or ')}`,
    );
  return { os, sealed };
}
