// The first-boot agent every release carries: one JavaScript file that esbuild makes from
// src/agent at `make build` (dist/agent/fyr-agent.mjs), run by the bastion's nodejs package.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FyrError } from '../errors.js';
import { PACKAGE_ROOT } from '../util/package-info.js';

export const AGENT_BUNDLE = join(PACKAGE_ROOT, 'dist/agent/fyr-agent.mjs');

export async function bundledAgent(path = AGENT_BUNDLE): Promise<{ disk: string; size: number; sha256: string }> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch {
    throw new FyrError(
      'AGENT_MISSING',
      `the first-boot agent is not built: ${path} is missing; run make build (it bundles src/agent with esbuild)`,
    );
  }
  return { disk: path, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
}
