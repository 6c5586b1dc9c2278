// What this bastion and its cluster are now, as an upgrade stick is checked against them: the
// version ClusterVersion last completed, the architecture, the registry tree served (the
// install's, or what the last delta merge made it) and whether the site allows unsigned releases.
import { installedVersion } from '../cluster/look.js';
import type { ClusterVersion } from '../cluster/objects.js';
import { ocJson } from '../cluster/oc.js';
import type { AgentContext } from '../context.js';
import { oc } from '../tools.js';
import type { Served } from './check.js';

export async function servedTree(ctx: AgentContext): Promise<Served> {
  const cv = await ocJson<ClusterVersion>(ctx, oc.clusterVersion());
  const running = installedVersion(cv);
  if (!running) throw new Error('the cluster reports no completed version (ClusterVersion history)');
  const tree =
    ctx.store.state.servedTree ??
    (ctx.release.registry
      ? { sha256: ctx.release.registry.sha256, files: ctx.release.registry.files }
      : { sha256: '', files: 0 });
  return {
    running,
    arch: ctx.release.release.arch ?? 'x86_64',
    tree,
    allowUnsigned: ctx.site.upgrades.allowUnsignedReleases,
  };
}
