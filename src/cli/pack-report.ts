// What fyr build --pack says about a fleet: the summary's shape (packs.json, --json), the table
// of sites for people, and each failed site's problems as fyr validate prints them.
import { basename } from 'node:path';
import type { ReleaseIdentity } from '../formats/site-pack.js';
import type { Problem } from '../errors.js';
import type { Io } from './io.js';
import { countLabel, formatProblem } from './report.js';
import { makeStyle } from './style.js';

export interface PackedSite {
  site: string;
  ok: true;
  cluster: string;
  pack: string;
  bytes: number;
  sha256: string;
  sealed: boolean;
  nodes: number;
}

export interface FailedSite {
  site: string;
  ok: false;
  error: { code: string; message: string; details?: readonly string[] };
  errors?: Array<Record<string, unknown>>;
  warnings?: Array<Record<string, unknown>>;
}

export interface PackSummary {
  format: 'fyr-packs/1';
  ok: boolean;
  release: Omit<ReleaseIdentity, 'releaseJson'>;
  packs: number;
  failed: number;
  sites: Array<PackedSite | FailedSite>;
}

// The sites as a table for people, and the verdict under it.
export function fleetTable(summary: PackSummary, summaryFile: string, io: Io): string {
  const s = makeStyle(io.color.stdout);
  const rows = summary.sites.map((site) =>
    site.ok
      ? [site.site, site.cluster, basename(site.pack), `${(site.bytes / 1024).toFixed(1)} KiB`, 'ok']
      : [
          site.site,
          '-',
          '-',
          '-',
          `${site.error.code}${site.errors ? `: ${countLabel(site.errors.length, 'error')}` : ''}`,
        ],
  );
  const all = [['SITE', 'CLUSTER', 'PACK', 'SIZE', 'RESULT'], ...rows];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const lines = all.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  const verdict = summary.ok
    ? `${s.green('✓')} ${countLabel(summary.packs, 'pack')} for release ${summary.release.name}; summary in ${summaryFile}`
    : `${s.red('✗')} ${summary.failed} of ${countLabel(summary.sites.length, 'site')} failed (below); ${countLabel(summary.packs, 'pack')} written; summary in ${summaryFile}`;
  return `${lines.join('\n')}\n${verdict}\n`;
}

// Each failed site's problems, as fyr validate and the other commands print them.
export function printFailures(sites: ReadonlyArray<PackedSite | FailedSite>, io: Io): void {
  const style = makeStyle(io.color.stderr);
  for (const site of sites) {
    if (site.ok) continue;
    if (site.errors) {
      for (const p of [...site.errors, ...(site.warnings ?? [])])
        io.stderr(`${formatProblem(p as unknown as Problem, style)}\n`);
      io.stderr(`${style.red('fyr: invalid:')} ${site.error.message}\n`);
      continue;
    }
    io.stderr(`${style.red('fyr: error:')} ${site.site}: ${site.error.message} ${style.dim(`[${site.error.code}]`)}\n`);
    for (const line of site.error.details ?? []) io.stderr(`  ${line}\n`);
  }
}
