// The parts of the bastion that depend on its OS (formats/bastion-os.ts), under the agent's root:
// which DHCP server runs and where its files are, and where the PXE loaders are found.
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DHCP_SERVERS, PXE_LOADERS, type BastionOs, type DhcpServer } from '../formats/bastion-os.js';
import { exists } from './files.js';

export function dhcpServer(root: string, os: BastionOs): DhcpServer {
  const s = DHCP_SERVERS[os];
  return {
    ...s,
    config: join(root, s.config),
    leases: join(root, s.leases),
    ...(s.controlSocket !== undefined ? { controlSocket: join(root, s.controlSocket) } : {}),
  };
}

const byVersion = new Intl.Collator('en', { numeric: true });

// The first existing path for a pattern whose "*" stands for one directory level; among several
// matches the highest version (numeric order) wins.
async function firstMatch(pattern: string): Promise<string | undefined> {
  const star = pattern.indexOf('*');
  if (star < 0) return (await exists(pattern)) ? pattern : undefined;
  const parent = dirname(pattern.slice(0, star + 1));
  const rest = pattern.slice(star + 1);
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names.sort(byVersion.compare).reverse()) {
    const path = `${join(parent, name)}${rest}`;
    if (await exists(path)) return path;
  }
  return undefined;
}

export interface LoaderCopy {
  from: string;
  to: string;
}

// Each loader from the first place that has it; those found nowhere, with every place tried.
export async function findLoaders(
  root: string,
  tftpRoot: string,
  os: BastionOs,
): Promise<{ found: LoaderCopy[]; missing: string[] }> {
  const found: LoaderCopy[] = [];
  const missing: string[] = [];
  for (const loader of PXE_LOADERS[os]) {
    let from: string | undefined;
    for (const candidate of loader.from) {
      from = await firstMatch(join(root, candidate));
      if (from !== undefined) break;
    }
    if (from === undefined)
      missing.push(`${loader.to} (looked in ${loader.from.map((f) => join(root, f)).join(', ')})`);
    else found.push({ from, to: join(tftpRoot, loader.to) });
  }
  return { found, missing };
}
