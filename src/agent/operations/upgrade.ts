// fyr-agent upgrade, in the keeper (docs/day2.md, "Upgrading from a new stick"): the stick
// checked again, the cluster's health checked, its registry tree merged into the one the
// bastion serves (the registry keeps serving), then per hop the signature ConfigMap applied,
// `oc adm upgrade --allow-explicit-upgrade --to-image=<release>@sha256:…` (never --force), and
// ClusterVersion followed until the hop is Completed and the cluster stable; last, the
// bastion's oc, openshift-install and PXE RHCOS move to the new release. Every step is
// journalled; a kill or a reboot resumes at the step (and the hop) it stopped in.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { installedVersion, lookAtCluster } from '../cluster/look.js';
import { ocJson, ocOptions } from '../cluster/oc.js';
import type { ClusterVersion, List, Node } from '../cluster/objects.js';
import { condition } from '../cluster/objects.js';
import { PhaseError, type AgentContext } from '../context.js';
import { copyAtomic } from '../files.js';
import type { Operation, OperationSteps } from '../keeper/operations.js';
import { keeperOf } from '../keeper/state.js';
import { BINARY_PLACES, CONTENT_PLACES } from '../payload-places.js';
import { registryFiles, servedFrom } from '../registry.js';
import { oc } from '../tools.js';
import { ackGates, refusedGates, refusedGatesText } from '../upgrade/acks.js';
import { compareVersions, hopMinutes, upgradeRefusals, type UpgradeRelease } from '../upgrade/check.js';
import { checkUpgradeMedia, readUpgradeRelease } from '../upgrade/media.js';
import { resumeMedia } from '../upgrade/find-media.js';
import { mergeTree } from '../upgrade/merge.js';
import { servedTree } from '../upgrade/served.js';

const MCD = 'machineconfiguration.openshift.io';
// ReleaseAccepted=False reasons the cluster-version operator does not retry on its own
// (cluster-version-operator pkg/cvo: the payload cannot be retrieved or verified).
const FINAL_REFUSALS = ['RetrievePayload', 'VerifyPayload'];

// The journals of earlier upgrades' merges (upgrade-<id>.merged in the state directory).
async function earlierMerges(stateDir: string): Promise<string[]> {
  const names = await readdir(stateDir).catch(() => [] as string[]);
  return names.filter((n) => /^upgrade-.*\.merged$/.test(n)).map((n) => join(stateDir, n));
}

type CvSeen = ClusterVersion & {
  spec?: { desiredUpdate?: { image?: string; version?: string } };
  status?: ClusterVersion['status'] & { history?: Array<{ state?: string; version?: string; image?: string }> };
};

// What the cluster says of its update: the hop's progress, or why it will not go on.
export function hopState(cv: CvSeen, hop: { version: string; image: string }) {
  // Completed anywhere in the history: a resumed multi-hop upgrade follows a hop the cluster
  // finished while the next one is already under way (history[0]).
  const done = (cv.status?.history ?? []).some((h) => h.version === hop.version && h.state === 'Completed');
  const accepted = condition(cv.status?.conditions, 'ReleaseAccepted');
  const progressing = condition(cv.status?.conditions, 'Progressing');
  const failing = condition(cv.status?.conditions, 'Failing');
  const percent = /\((\d+)% complete\)/.exec(progressing?.message ?? '')?.[1];
  return { done, accepted, progressing, failing, percent };
}

// The operators that must be well before an update starts (the control plane's).
const CONTROL_PLANE = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'machine-config'];

async function healthy(ctx: AgentContext): Promise<string | undefined> {
  const h = await lookAtCluster(ctx);
  if (h.error) return `the cluster cannot be reached (${h.error.split('\n')[0]})`;
  if (h.available?.status !== 'True')
    return `ClusterVersion is not Available (${h.available?.message ?? 'no condition'})`;
  if (h.failing?.status === 'True') return `ClusterVersion is Failing: ${h.failing.message ?? ''}`;
  if (h.progressing?.status === 'True' || h.desiredVersion)
    return `the cluster is already updating (${h.progressing?.message ?? h.desiredVersion})`;
  const bad = (h.operatorsInTrouble ?? []).filter(
    (o) => CONTROL_PLANE.includes(o.name) && (o.degraded || !o.available),
  );
  if (bad.length > 0)
    return `control-plane operators in trouble: ${bad.map((o) => `${o.name}${o.message ? ` (${o.message})` : ''}`).join('; ')}`;
  const notReady = (h.nodes ?? []).filter((n) => !n.ready).map((n) => n.name);
  if (notReady.length > 0) return `nodes not Ready: ${notReady.join(', ')}`;
  return undefined;
}

// The nodes the machine-config daemon has moved to the hop's config: changed since the hop began, and Done.
async function nodesUpdated(ctx: AgentContext, before: Record<string, string>): Promise<[number, number]> {
  const nodes = (await ocJson<List<Node>>(ctx, oc.nodes())).items ?? [];
  const updated = nodes.filter((n) => {
    const a = n.metadata.annotations ?? {};
    const current = a[`${MCD}/currentConfig`];
    return current !== undefined && current !== before[n.metadata.name] && a[`${MCD}/state`] === 'Done';
  });
  return [updated.length, nodes.length];
}

async function followHop(
  ctx: AgentContext,
  steps: OperationSteps,
  i: number,
  hops: number,
  hop: { version: string; image: string },
): Promise<void> {
  const limit = Date.now() + ctx.options.upgradeHopTimeoutMs;
  const beforeKey = `hop${i}-configs`;
  const before = JSON.parse(
    steps.facts[beforeKey] ??
      (await steps.fact(
        beforeKey,
        JSON.stringify(
          Object.fromEntries(
            ((await ocJson<List<Node>>(ctx, oc.nodes())).items ?? []).map((n) => [
              n.metadata.name,
              n.metadata.annotations?.[`${MCD}/currentConfig`] ?? '',
            ]),
          ),
        ),
      )),
  ) as Record<string, string>;
  let last = 'no answer from the cluster';
  for (;;) {
    const cv = await ocJson<CvSeen>(ctx, oc.clusterVersion()).catch(() => undefined);
    if (cv) {
      const s = hopState(cv, hop);
      last = `${cv.status?.history?.[0]?.state ?? 'no history'}: ${s.progressing?.message ?? ''}${s.failing?.status === 'True' ? `; Failing: ${s.failing.message ?? ''}` : ''}`;
      if (s.done) return;
      // The payload cannot be had or verified: final. Preconditions (an etcd backup under way,
      // an admin gate) the cluster-version operator checks again by itself: shown, waited on.
      if (s.accepted?.status === 'False' && FINAL_REFUSALS.includes(s.accepted.reason ?? ''))
        throw new PhaseError(
          `the cluster does not accept ${hop.version}: ReleaseAccepted=False (${s.accepted.reason ?? ''}): ${s.accepted.message ?? ''}. Nothing more was asked of it; fix the cause (docs/day2.md, "Upgrading from a new stick")`,
        );
      const [n, m] = await nodesUpdated(ctx, before).catch(() => [0, 0]);
      await steps.progress(
        `hop ${i + 1} of ${hops} (${hop.version}): ${s.percent ?? '?'} %, machine-config: ${n} of ${m} nodes${s.failing?.status === 'True' ? `; Failing: ${s.failing.message ?? ''}` : ''}${s.accepted?.status === 'False' ? `; waiting: ${s.accepted.message ?? s.accepted.reason ?? ''}` : ''}`,
      );
    }
    if (Date.now() > limit)
      throw new PhaseError(
        `hop to ${hop.version} has not completed in ${Math.round(ctx.options.upgradeHopTimeoutMs / 60_000)} min (${last}); the cluster goes on by itself: follow it with oc get clusterversion`,
        { retryable: false },
      );
    await ctx.sleep(ctx.options.pollMs);
  }
}

function payloadPath(release: UpgradeRelease, file: string): string {
  return release.payload.find((f) => f.path === file || f.path.endsWith(`/${file}`))?.path ?? file;
}

export const upgrade: Operation = {
  kind: 'upgrade',
  title: 'the cluster moved to a new OpenShift release from an upgrade stick',
  async blocker(ctx, _by, asked) {
    if (typeof asked.media !== 'string') return 'no upgrade media named';
    if ((await servedFrom(ctx)) !== 'disk') return "the registry still serves from the install stick's tree";
    const k = ctx.store.state.keeper;
    const since = typeof asked.backupAfter === 'string' ? Date.parse(asked.backupAfter) : NaN;
    const last = k?.lastBackup;
    if (!last || !(Date.parse(last.takenAt) >= since))
      return 'no etcd backup was taken for this upgrade (fyr-agent upgrade takes one first)';
    const unhealthy = await healthy(ctx);
    if (unhealthy) return unhealthy;
    // A gate the site does not allow refuses the first hop before anything is merged.
    const path = (await readUpgradeRelease(asked.media)).upgrade;
    const first = path?.hops[0];
    if (!path || !first) return undefined;
    const refused = await refusedGates(ctx, path.from, first.version);
    return refused.length > 0 ? refusedGatesText(first.version, refused) : undefined;
  },
  async run(ctx, op, steps) {
    // Resumed after a reboot, a stick fyr mounted is found and mounted again.
    const media = await resumeMedia(
      ctx.paths.root,
      ctx.exec,
      String(op.options?.media),
      String(op.options?.from ?? ''),
    );
    const release = await readUpgradeRelease(media);
    const path = release.upgrade!;
    const target = path.hops.at(-1)!;
    const nodes = ctx.site.nodes.length;
    // What the check hashed, for the merge (in this run only).
    const verified = new Map<string, string>();
    await steps.once('checked', async () => {
      await steps.progress('checking every file of the stick against its release.json');
      const refused = upgradeRefusals(release, await servedTree(ctx));
      const problems = [...refused, ...(await checkUpgradeMedia(media, release, steps.progress, verified))];
      if (problems.length > 0) throw new PhaseError(`the stick cannot be used: ${problems.join('; ')}`);
    });
    const tree = release.registry!;
    await steps.once('merged', async () => {
      const f = registryFiles(ctx);
      await steps.progress(
        `merging the stick's registry tree (${tree.files} files) into the served copy; the registry keeps serving`,
      );
      const delta = release.registry?.delta;
      const r = await mergeTree(
        join(media, tree.path),
        f.tree,
        join(ctx.paths.stateDir, `upgrade-${op.id}.merged`),
        delta ? { files: delta.mergedFiles, sha256: delta.mergedSha256 } : undefined,
        async (done, total, bytes) => {
          if (done % 200 === 0 || done === total)
            await steps.progress(
              `merging the registry tree: ${done} of ${total} files (${(bytes / 1024 ** 2).toFixed(0)} MiB copied)`,
            );
        },
        // Blobs the install's copy (or an earlier merge) checked already are not read again, and
        // blobs the check just hashed on the stick are not hashed again.
        { known: [f.treeJournal, ...(await earlierMerges(ctx.paths.stateDir))], verified },
      );
      ctx.log(`upgrade: merged ${r.copied} files, ${r.skipped} already served, ${r.replaced} tags moved`);
      await ctx.store.update((s) => {
        s.servedTree = r.tree;
      });
    });
    for (const [i, hop] of path.hops.entries()) {
      // Taken already (an earlier upgrade with this stick stopped after it): never asked again,
      // which would ask the cluster for a downgrade.
      const running = installedVersion(await ocJson<ClusterVersion>(ctx, oc.clusterVersion()));
      if (running && compareVersions(running, hop.version) > 0) {
        await steps.progress(`hop ${i + 1} of ${path.hops.length}: the cluster runs ${running} already`);
        continue;
      }
      if (hop.signatureFile) {
        const file = join(media, payloadPath(release, hop.signatureFile));
        await steps.once(`hop${i}/signature`, async () => {
          await steps.progress(`hop ${i + 1} of ${path.hops.length}: the signature ConfigMap of ${hop.version}`);
          await ctx.exec('oc', oc.applyFile(file), ocOptions(ctx));
        });
      }
      const from = i === 0 ? path.from : path.hops[i - 1]!.version;
      await steps.once(`hop${i}/acks`, () => ackGates(ctx, from, hop.version, steps.progress));
      await steps.once(
        `hop${i}/requested`,
        async () => {
          await steps.progress(
            `hop ${i + 1} of ${path.hops.length}: oc adm upgrade to ${hop.version} (about ${hopMinutes(nodes)} min)`,
          );
          await ctx.exec('oc', oc.upgrade(hop.image), ocOptions(ctx));
        },
        // Asked already (killed before the journal): the cluster's desired update says so.
        async () => (await ocJson<CvSeen>(ctx, oc.clusterVersion())).spec?.desiredUpdate?.image === hop.image,
      );
      await followHop(ctx, steps, i, path.hops.length, hop);
      await steps.once(`hop${i}/stable`, async () => {
        await steps.progress(
          `hop ${i + 1} of ${path.hops.length}: ${hop.version} done; waiting until the cluster is stable`,
        );
        await ctx.exec(
          'oc',
          oc.waitStable(ctx.options.stablePeriodS, ctx.options.stableTimeoutS),
          ocOptions(ctx, { timeoutMs: (ctx.options.stableTimeoutS + 60) * 1000 }),
        );
      });
    }
    // A node added later installs the running version: the PXE RHCOS and the tools follow.
    await steps.once('tools', async () => {
      for (const [role, to] of [
        ...Object.entries(CONTENT_PLACES).map(([r, t]) => [r, join(ctx.paths.contentRoot, t)] as const),
        ...Object.entries(BINARY_PLACES).map(([r, t]) => [r, join(ctx.paths.binDir, t)] as const),
      ]) {
        const f = release.payload.find((p) => p.role === role);
        if (!f) continue;
        await steps.progress(`the bastion's ${role} moves to ${target.version}`);
        await copyAtomic(join(media, f.path), to, role in BINARY_PLACES ? 0o755 : 0o644);
      }
      await ctx.store.update((s) => {
        s.upgrades = [
          ...(s.upgrades ?? []),
          { from: path.from, to: target.version, image: target.image, at: ctx.now().toISOString() },
        ];
      });
    });
    const health = keeperOf(ctx, ctx.store.state).health;
    return `the cluster runs ${target.version} (${path.hops.length} hop${path.hops.length === 1 ? '' : 's'} from ${path.from}${health?.version ? `; last look: ${health.version}` : ''}); the stick may be removed`;
  },
};
