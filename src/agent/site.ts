// What the agent reads at start: the normalized site (bundle's etc/fyr/site.json), the BMC
// passwords (etc/fyr/bmc-secrets.json) and the release record the kickstart copied from the media.
import { readFile } from 'node:fs/promises';
import type { Node, Site } from '../site/model.js';

export type AgentSite = Omit<Site, 'file' | 'display' | 'secrets'> & { bootstrap: { mac: string; ip: string } };
export type AgentNode = Node;

export interface AgentSecrets {
  bmc: Record<string, string>;
}

export interface ReleaseRecord {
  volumeId: string;
  sourceDateEpoch?: number;
  release: { name: string; openshift: string };
  payload: Array<{ path: string; role: string; size: number; sha256: string }>;
  agent: { path: string; version?: string; sha256: string };
}

export class AgentInputError extends Error {}
AgentInputError.prototype.name = 'AgentInputError';

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new AgentInputError(`${path}: cannot read the ${what} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AgentInputError(`${path}: the ${what} is not JSON (${(err as Error).message})`);
  }
}

export async function readSite(path: string): Promise<AgentSite> {
  const site = (await readJson(path, 'site')) as AgentSite;
  if (!site?.cluster?.fqdn || !Array.isArray(site.nodes) || !site.network?.lan?.bastion) throw new AgentInputError(`${path}: not a site written by fyr render (cluster.fqdn, nodes or network.lan missing)`);
  return site;
}

export async function readSecrets(path: string): Promise<AgentSecrets> {
  const secrets = (await readJson(path, 'BMC secrets file')) as { format?: string; bmc?: Record<string, string> };
  if (secrets?.format !== 'fyr-agent-secrets/1' || typeof secrets.bmc !== 'object') throw new AgentInputError(`${path}: not a fyr-agent-secrets/1 file`);
  return { bmc: secrets.bmc };
}

export async function readRelease(path: string): Promise<ReleaseRecord> {
  const info = (await readJson(path, 'release record')) as ReleaseRecord & { format?: string };
  if (info?.format !== 'fyr-release/1' || !Array.isArray(info.payload)) throw new AgentInputError(`${path}: not a fyr release.json`);
  return info;
}
