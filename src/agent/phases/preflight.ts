// Preflight: nothing is changed until the bundle and payload check out, the NICs exist, the
// clock is plausible and every BMC answers with the credentials the site gives.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRenderManifest, type RenderManifest } from '../../formats/render-manifest.js';
import { BmcError } from '../bmc/index.js';
import { PhaseError, type AgentContext, type Phase } from '../context.js';
import { exists, sha256File, sizeOf } from '../files.js';

async function checkBundle(ctx: AgentContext): Promise<string[]> {
  let manifest: Pick<RenderManifest, 'files'>;
  try {
    manifest = parseRenderManifest(await readFile(ctx.paths.manifestJson, 'utf8'));
  } catch (err) {
    return [`${ctx.paths.manifestJson}: cannot read the render manifest (${(err as Error).message})`];
  }
  const problems: string[] = [];
  for (const f of manifest.files.filter((f) => f.path.startsWith('bundle/'))) {
    const onBastion = join(ctx.paths.root, f.path.slice('bundle/'.length));
    if (!(await exists(onBastion))) problems.push(`${onBastion}: missing (the bundle was not laid out completely)`);
    else if ((await sha256File(onBastion)) !== f.sha256)
      problems.push(`${onBastion}: changed since fyr render (sha256 differs from manifest.json)`);
  }
  return problems;
}

async function checkPayload(ctx: AgentContext, progress: (d: string) => Promise<void>): Promise<string[]> {
  const media = await ctx.media();
  const problems: string[] = [];
  const files = [
    ...ctx.release.payload,
    { path: ctx.release.agent.path, role: 'agent', size: -1, sha256: ctx.release.agent.sha256 },
  ];
  for (const [i, f] of files.entries()) {
    const path = join(media, f.path);
    await progress(`checking payload ${i + 1}/${files.length}: ${f.path}`);
    const size = await sizeOf(path);
    if (size === undefined) problems.push(`${f.path}: missing from the install media`);
    else if (f.size >= 0 && size !== f.size)
      problems.push(`${f.path}: ${size} bytes on the media, release.json says ${f.size}`);
    else if ((await sha256File(path)) !== f.sha256)
      problems.push(`${f.path}: sha256 differs from release.json (damaged media?)`);
  }
  return problems;
}

async function checkNics(ctx: AgentContext): Promise<string[]> {
  const lan = ctx.site.network.lan;
  const wanIf = ctx.site.network.wan.interface;
  const names = [wanIf, lan.interface];
  const problems: string[] = [];
  for (const name of names)
    if (!(await exists(join(ctx.paths.sysNet, name))))
      problems.push(`network interface ${name} (named in the site file) does not exist on this machine`);
  return problems;
}

function checkClock(ctx: AgentContext): string[] {
  const built = ctx.release.sourceDateEpoch;
  if (built === undefined) return [];
  const now = ctx.now();
  if (now.getTime() / 1000 < built)
    return [
      `the clock says ${now.toISOString()}, before this release was built (${new Date(built * 1000).toISOString()}): set the machine's clock (certificates made now would not be valid yet)`,
    ];
  return [];
}

// Every BMC at once: a wrong password or a dead BMC is reported per node, before any power-on.
async function checkBmcs(ctx: AgentContext): Promise<{ problems: string[]; retryable: boolean }> {
  const results = await Promise.all(
    ctx.site.nodes.map(async (node) => {
      try {
        const driver = ctx.bmc(node);
        if (driver) await driver.powerState();
        return undefined;
      } catch (err) {
        return { text: `${node.name}: ${(err as Error).message}`, retryable: err instanceof BmcError && err.retryable };
      }
    }),
  );
  const failed = results.filter((r): r is { text: string; retryable: boolean } => r !== undefined);
  return { problems: failed.map((f) => f.text), retryable: failed.length > 0 && failed.every((f) => f.retryable) };
}

export const preflight: Phase = {
  name: 'preflight',
  title: 'check bundle, payload, NICs, clock and BMCs',
  attempts: 5,
  async run(ctx, progress) {
    await progress('checking the bundle against its manifest');
    const problems = [...(await checkBundle(ctx)), ...(await checkNics(ctx)), ...checkClock(ctx)];
    problems.push(...(await checkPayload(ctx, progress)));
    await progress('asking every BMC for its power state');
    const bmc = await checkBmcs(ctx);
    problems.push(...bmc.problems);
    if (problems.length > 0) {
      // Only BMCs may come up later (still booting); a bad file or NIC will not fix itself.
      const retryable = problems.length === bmc.problems.length && bmc.retryable;
      throw new PhaseError(`${problems.length} problem(s):\n  ${problems.join('\n  ')}`, { retryable });
    }
  },
};
