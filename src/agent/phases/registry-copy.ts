// Registry copy: once the install is complete (its pulls no longer wait on the stick), the
// registry tree is copied from the stick to the bastion's disk (sequential, each blob against
// its name, the whole against the tree hash; resumed from its journal after a kill), the
// registry is pointed at the copy without being stopped (one rename; src/agent/registry.ts),
// and the stick's tree is unmounted from under it. Then the stick may be removed: the cluster
// keeps pulling from the bastion's registry for as long as it runs.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PhaseError, once, type Phase } from '../context.js';
import { until } from '../probes.js';
import { pointAt, registryFiles, releaseManifest, servedFrom, unmountStickTree } from '../registry.js';
import { copyTree, TreeCopyError } from '../tree-copy.js';

export const MEDIA_REMOVABLE = "the registry serves from the bastion's disk: the install media may be removed";

export const registryCopy: Phase = {
  name: 'registry-copy',
  title: 'registry tree copied to the disk, registry switched to it; the stick may be removed',
  attempts: 3,
  async run(ctx, progress) {
    const tree = ctx.release.registry;
    if (!tree) {
      await progress(`the registry is on the bastion's disk already: ${MEDIA_REMOVABLE.split(': ')[1]}`);
      return;
    }
    const f = registryFiles(ctx);
    await once(ctx, 'registry-tree-copied', async () => {
      const from = join(await ctx.media(), tree.path);
      await progress(`copying the registry to the disk (0 of ${tree.files} files); the stick must stay in`);
      let last = 0;
      try {
        const r = await copyTree(from, f.tree, f.treeJournal, tree, async (done, total, bytes) => {
          if (done - last >= 200 || done === total) {
            last = done;
            await progress(
              `copying the registry to the disk (${done} of ${total} files, ${(bytes / 1024 ** 2).toFixed(0)} MiB this run); the stick must stay in`,
            );
          }
        });
        ctx.log(`registry-copy: ${r.copied} files copied, ${r.skipped} already there from an earlier run`);
      } catch (err) {
        if (err instanceof TreeCopyError) throw new PhaseError(err.message);
        throw err;
      }
    });
    if ((await servedFrom(ctx)) !== 'disk') {
      await progress('pointing the registry at the copy');
      await pointAt(ctx, 'disk');
    }
    const ca = await readFile(f.cert, 'utf8');
    await until(() => releaseManifest(ctx, ca), 60_000, ctx.sleep).catch((err: Error) => {
      throw new PhaseError(`the registry on the copy does not serve the release: ${err.message}`, { retryable: true });
    });
    await unmountStickTree(ctx, progress);
    await ctx.releaseMedia();
    await progress(MEDIA_REMOVABLE);
  },
};
