// A cluster update, both sides: `oc adm upgrade` as the client does it (openshift/oc
// pkg/cli/admin/upgrade/upgrade.go: Complete's pull-spec checks, Run's cases, checkForUpgrade,
// patchDesiredUpdate's merge patch of spec.desiredUpdate) and the cluster-version operator
// following spec.desiredUpdate (cluster-version-operator pkg/cvo/cvo.go, updatepayload.go,
// status.go): the payload must be pullable (a release the site's registry serves: see
// publishRelease) and verified (a signature ConfigMap in openshift-config-managed labelled
// release.openshift.io/verification-signatures whose binaryData has a key starting with
// sha256-<hex>, library-go pkg/verify/store/configmap), unless desiredUpdate.force; the
// preconditions (pkg/payload/precondition/clusterversion: no downgrade, one minor at a time,
// Upgradeable=False blocks a minor update); then history[0] Partial, Progressing "Working
// towards V: N of M done (P% complete)", the payload's operators moved to V one by one, then
// the machine-config operator updating the nodes one at a time (cordon, reboot, Ready,
// uncordon; node annotations machineconfiguration.openshift.io/{state,currentConfig,
// desiredConfig} as the MCO daemon writes them), and history[0] Completed.
// Simplified: the control-plane and worker pools are updated one after the other, not side by
// side; the operators' own conditions stay as they were.
import { createHash } from 'node:crypto';
import { CliError } from './argv.mjs';
import { condition, isTrue, setCondition, touch } from './objects.mjs';
import { servedImageLabels } from './olm.mjs';
import { reboot } from './power.mjs';
import { update } from './state.mjs';
import { iso, timeScale } from './util.mjs';

const MANIFESTS = 903;
// Time-scaled like every wait of the fake: the payload's operators, then per node a drain.
export const PAYLOAD_S = 600;
export const DRAIN_S = 60;
export const REBOOT_S = 300; // a bare-metal reboot: minutes (day2.md §1.5)

// How much faster than real time an update runs: the cluster's own time scale, unless a test
// sped updates up alone (setUpdateSpeed): the virtual site's VMs are not rebooted by an update
// (the fake reboots its machines), so its clock need not wait for them.
const speedOf = (state) => state.updateSpeed ?? timeScale();
export function setUpdateSpeed(doublesDir, factor) {
  update(doublesDir, (state) => {
    state.updateSpeed = factor;
  });
}
const MCO_AT = 795; // "795 of 903 done (88% complete), waiting on machine-config"
const MCD = 'machineconfiguration.openshift.io';

const digestOf = (image) => /@(sha256:[0-9a-f]{64})$/.exec(image ?? '')?.[1];
const minorOf = (v) => v.split('.').slice(0, 2).map(Number);
const rendered = (pool, version) =>
  `rendered-${pool}-${createHash('sha256').update(`${pool}/${version}`).digest('hex').slice(0, 32)}`;

// A release the site's registry serves (its payload can be pulled through the cluster's IDMS):
// { version, image } with image by digest. The installed release is known from the start.
export function publishRelease(doublesDir, { version, image }) {
  const digest = digestOf(image);
  if (!digest) throw new Error(`fake cluster: a release is published by digest, not ${image}`);
  update(doublesDir, (state) => {
    state.releases ??= {};
    state.releases[digest] = { version, image };
  });
}

// The release a digest names: one published (publishRelease), or one the site registry's tree
// holds (the bastion merged an upgrade stick into it): its payload's own label names the
// version, as the cluster-version operator reads it from the payload's release-metadata.
const RELEASE_REPO = 'openshift/release-images';
function releaseOf(state, digest, image) {
  const known = state.releases?.[digest];
  if (known) return known;
  const version = servedImageLabels(state, RELEASE_REPO, digest)?.['io.openshift.release'];
  return version ? { version, image } : undefined;
}

function signed(state, digest) {
  const prefix = `sha256-${digest.slice('sha256:'.length)}`;
  return Object.entries(state.objects.configmaps).some(
    ([key, cm]) =>
      key.startsWith('openshift-config-managed/') &&
      cm.metadata?.labels?.['release.openshift.io/verification-signatures'] !== undefined &&
      Object.keys(cm.binaryData ?? {}).some((k) => k.startsWith(prefix)),
  );
}

const semverLess = (a, b) => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) < (pb[i] ?? 0);
  return false;
};

// Why the CVO will not take this update (ReleaseAccepted=False), or undefined.
function refusal(state, want) {
  const cv = state.objects.clusterversions.version;
  const digest = digestOf(want.image);
  const release = digest ? releaseOf(state, digest, want.image) : undefined;
  const head = `Retrieving payload failed version="${want.version ?? ''}" image="${want.image}" failure=`;
  if (!release)
    return {
      reason: 'RetrievePayload',
      message: `${head}Unable to download and prepare the update: deadline exceeded, reason: "DeadlineExceeded", message: "Job was active longer than specified deadline"`,
    };
  if (!want.force && !signed(state, digest))
    return {
      reason: 'RetrievePayload',
      message: `${head}The update cannot be verified: unable to verify ${digest} against keyrings: verifier-public-key-redhat`,
    };
  if (want.force) return undefined;
  const from = state.cluster.version;
  const failed = (name, reason, message) => ({
    reason: 'PreconditionChecks',
    message: `Preconditions failed for payload loaded version="${release.version}" image="${want.image}": Precondition "${name}" failed because of "${reason}": ${message}`,
  });
  if (semverLess(release.version, from))
    return failed('ClusterVersionUpgradeable', 'DowngradeNotSupported', `downgrade from ${from} to ${release.version}`);
  const [fm, fn] = minorOf(from);
  const [tm, tn] = minorOf(release.version);
  if (tm === fm && tn > fn + 1)
    return failed(
      'ClusterVersionUpgradeable',
      'MultipleMinorVersionsUpdate',
      `update from ${from} to ${release.version} is ${tn - fn} minor versions; only one minor version at a time is supported`,
    );
  const up = condition(cv.status.conditions, 'Upgradeable');
  if (tn > fn && up?.status === 'False') return failed('ClusterVersionUpgradeable', up.reason, up.message);
  return undefined;
}

// Called at every tick after the ClusterVersion's conditions were computed for the running release.
export function upgradeTick(state, now) {
  const o = state.objects;
  const cv = o.clusterversions.version;
  const want = cv?.spec?.desiredUpdate;
  const set = (c) => setCondition(cv.status.conditions, c, now);
  if (want?.image && want.image !== cv.status.desired.image && want.image !== state.upgrade?.image) {
    const no = refusal(state, want);
    if (no) {
      set({ type: 'ReleaseAccepted', status: 'False', ...no });
      touch(state, cv);
      return;
    }
    const release = releaseOf(state, digestOf(want.image), want.image);
    const verified = signed(state, digestOf(want.image));
    const previous = cv.status.history[0];
    if (previous && !previous.completionTime) previous.completionTime = iso(now);
    cv.status.history.unshift({
      completionTime: null,
      image: want.image,
      startedTime: iso(now),
      state: 'Partial',
      verified,
      version: release.version,
    });
    cv.status.desired = { image: want.image, version: release.version };
    state.upgrade = {
      image: want.image,
      version: release.version,
      from: state.cluster.version,
      startedAt: now,
      order: nodeOrder(state),
      done: [],
    };
    touch(state, cv);
  }
  const u = state.upgrade;
  if (!u) return;
  set({
    type: 'ReleaseAccepted',
    status: 'True',
    reason: 'PayloadLoaded',
    message: `Payload loaded version="${u.version}" image="${u.image}" architecture="amd64"`,
  });
  const elapsed = ((now - u.startedAt) * speedOf(state)) / 1000;
  const operators = Object.values(o.clusteroperators).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const share = Math.min(1, elapsed / PAYLOAD_S);
  // The payload's operators, moved one by one (machine-config last: it then rolls the nodes).
  operators.forEach((co, i) => {
    if (share < (i + 1) / operators.length) return;
    let changed = false;
    for (const v of co.status.versions ?? [])
      if (v.version === u.from) {
        v.version = u.version;
        changed = true;
      }
    if (changed) touch(state, co);
  });
  const working = (done, tail = '') =>
    set({
      type: 'Progressing',
      status: 'True',
      message: `Working towards ${u.version}: ${done} of ${MANIFESTS} done (${Math.trunc((done / MANIFESTS) * 100)}% complete)${tail}`,
    });
  if (share < 1) {
    working(Math.floor(MCO_AT * share));
    touch(state, cv);
    return;
  }
  if (rollNodes(state, u, now)) {
    working(MCO_AT, ', waiting on machine-config');
    touch(state, cv);
    return;
  }
  // Completed: the running release is the new one.
  cv.status.history[0].state = 'Completed';
  cv.status.history[0].completionTime = iso(now);
  state.cluster.version = u.version;
  state.cluster.releaseImage = u.image;
  delete state.upgrade;
  set({ type: 'Progressing', status: 'False', message: `Cluster version is ${u.version}` });
  set({ type: 'Available', status: 'True', message: `Done applying ${u.version}` });
  touch(state, cv);
}

const poolOf = (state, name) => (state.machines.find((m) => m.name === name)?.role === 'worker' ? 'worker' : 'master');

// The control-plane pool, then the workers: nodes that exist now.
function nodeOrder(state) {
  const names = Object.keys(state.objects.nodes).sort();
  return [...names.filter((n) => poolOf(state, n) === 'master'), ...names.filter((n) => poolOf(state, n) === 'worker')];
}

// The machine-config daemon on one node at a time; true while a node is still to do.
function rollNodes(state, u, now) {
  const o = state.objects;
  for (const name of u.order) {
    if (u.done.includes(name)) continue;
    const n = o.nodes[name];
    const m = state.machines.find((x) => x.name === name);
    if (!n || !m) {
      u.done.push(name);
      continue;
    }
    const pool = poolOf(state, name);
    const ann = (n.metadata.annotations ??= {});
    if (!u.node || u.node.name !== name) {
      u.node = { name, step: 'drain', at: now };
      ann[`${MCD}/desiredConfig`] = rendered(pool, u.version);
      ann[`${MCD}/state`] = 'Working';
      n.spec.unschedulable = true;
      touch(state, n);
      return true;
    }
    if (u.node.step === 'drain') {
      if (((now - u.node.at) * speedOf(state)) / 1000 < DRAIN_S) return true;
      u.node = { name, step: 'reboot', at: now };
      reboot(m, now, (REBOOT_S * timeScale()) / speedOf(state));
      return true;
    }
    const ready = isTrue(n.status?.conditions, 'Ready') && m.bootedAt != null && now >= m.bootedAt;
    if (!ready) return true;
    ann[`${MCD}/currentConfig`] = rendered(pool, u.version);
    ann[`${MCD}/state`] = 'Done';
    delete n.spec.unschedulable;
    n.status.nodeInfo = { ...(n.status.nodeInfo ?? {}), osImage: `Red Hat Enterprise Linux CoreOS ${u.version}` };
    touch(state, n);
    u.done.push(name);
    delete u.node;
  }
  return false;
}

// ---- oc adm upgrade ----------------------------------------------------------------------

function checkForUpgrade(cv) {
  const results = [];
  const c = (t) => condition(cv.status.conditions, t);
  const indent = (s) => String(s ?? '').replace(/\n/g, '\n  ');
  if (c('Invalid')?.status === 'True')
    results.push(
      `the cluster version object is invalid, you must correct the invalid state first:\n\n  Reason: ${c('Invalid').reason}\n  Message: ${indent(c('Invalid').message)}`,
    );
  if (c('Failing')?.status === 'True')
    results.push(
      `the cluster is experiencing an error reconciling "${cv.status.desired.version || cv.status.desired.image}":\n\n  Reason: ${c('Failing').reason}\n  Message: ${indent(c('Failing').message)}`,
    );
  if (c('Progressing')?.status === 'True')
    results.push(
      `the cluster is already upgrading:\n\n  Reason: ${c('Progressing').reason ?? ''}\n  Message: ${indent(c('Progressing').message)}`,
    );
  return results.join('\n\n');
}

// `call` is verbs.mjs's: one tick, the API up or the connection refused.
export function admUpgrade(ctx, words, call) {
  const { args } = ctx;
  if (words.length > 0) throw new CliError(`error: unknown command "${words[0]}" for "oc adm upgrade"`);
  const toImage = args.value('to-image') ?? '';
  const to = args.value('to') ?? '';
  const force = args.bool('force');
  const err = [];
  if (args.bool('clear') && (toImage || to))
    throw new CliError('error: --clear may not be specified with any other flags');
  if (to && toImage) throw new CliError('error: only one of --to or --to-image may be provided');
  if (toImage) {
    const byDigest = digestOf(toImage);
    const tagged = !byDigest && /:[^/]+$/.test(toImage);
    if (!byDigest && !tagged)
      throw new CliError('error: --to-image must be a valid image pull spec: no tag or digest specified');
    if (tagged && !force)
      throw new CliError(
        'error: --to-image must be a by-digest pull spec, unless --force is also set, because release images that are not accessed via digest cannot be verified by the cluster.  Even when --force is set, using tags is not recommended, although we continue to allow it for backwards compatibility',
      );
    if (tagged)
      err.push(
        'warning: Using by-tag pull specs is dangerous, and while we still allow it in combination with --force for backward compatibility, it would be much safer to pass a by-digest pull spec instead',
      );
  }
  return call(ctx, (state) => {
    const cv = state.objects.clusterversions.version;
    if (args.bool('clear')) {
      if (!cv.spec.desiredUpdate) return { out: 'info: No update in progress\n', errors: err, code: 0 };
      const original = cv.spec.desiredUpdate;
      delete cv.spec.desiredUpdate;
      touch(state, cv);
      return {
        out:
          original.image === cv.status.desired.image
            ? `Cleared the update field, still at ${cv.status.desired.version}\n`
            : `Cancelled requested upgrade to ${original.version || original.image}\n`,
        errors: err,
        code: 0,
      };
    }
    if (!toImage && !to) return { out: statusText(cv), errors: err, code: 0 };
    if (to && to === cv.status.desired.version)
      return { out: `info: Cluster is already at version ${to}\n`, errors: err, code: 0 };
    if (toImage && toImage === cv.status.desired.image)
      return { out: `info: Cluster is already at ${toImage}\n`, errors: err, code: 0 };
    // Offline there are no available updates (RetrievedUpdates=False): only an explicit image.
    if (!toImage || !args.bool('allow-explicit-upgrade')) {
      const c = condition(cv.status.conditions, 'RetrievedUpdates');
      const next = `${toImage ? '--allow-explicit-upgrade' : '--to-image'} to continue with the update`;
      throw new CliError(
        `error: cannot refresh available updates:\n  Reason: ${c?.reason}\n  Message: ${String(c?.message).replace(/\n/g, '\n  ')}\n\nspecify ${next}.`,
      );
    }
    err.push(
      'warning: The requested upgrade image is not one of the available updates. You have used --allow-explicit-upgrade for the update to proceed anyway',
    );
    if (force)
      err.push(
        'warning: --force overrides cluster verification of your supplied release image and waives any update precondition failures. Only use this if you are testing unsigned release images or you are working around a known bug in the cluster-version operator and you have verified the authenticity of the provided image yourself.',
      );
    const blocked = checkForUpgrade(cv);
    if (blocked) {
      if (!args.bool('allow-upgrade-with-warnings'))
        throw new CliError(`error: ${blocked}\n\nIf you want to upgrade anyway, use --allow-upgrade-with-warnings.`);
      err.push(`warning: --allow-upgrade-with-warnings is bypassing: ${blocked}`);
    }
    // patchDesiredUpdate: {"spec":{"desiredUpdate": {"version":"","image":…,"force":…}}} (merge).
    cv.spec.desiredUpdate = { architecture: '', force, image: toImage, version: '' };
    cv.metadata.generation = (cv.metadata.generation ?? 1) + 1;
    touch(state, cv);
    return { out: `Requested update to release image ${toImage}\n`, errors: err, code: 0 };
  });
}

// Run's default case: Failing, Progressing, Upgradeable=False, ReleaseAccepted, the channel.
function statusText(cv) {
  const c = (t) => condition(cv.status.conditions, t);
  const indent = (s) => String(s ?? '').replace(/\n/g, '\n  ');
  let out = '';
  if (c('Failing') && c('Failing').status !== 'False')
    out += `Failing=${c('Failing').status}:\n\n  Reason: ${c('Failing').reason}\n  Message: ${indent(c('Failing').message)}\n\n`;
  const p = c('Progressing');
  if (p?.message) out += p.status === 'True' ? `info: An upgrade is in progress. ${p.message}\n` : `${p.message}\n`;
  out += '\n';
  const up = c('Upgradeable');
  if (up?.status === 'False')
    out += `Upgradeable=False\n\n  Reason: ${up.reason}\n  Message: ${indent(up.message)}\n\n`;
  const ra = c('ReleaseAccepted');
  if (ra && ra.status !== 'True')
    out += `ReleaseAccepted=${ra.status}\n\n  Reason: ${ra.reason}\n  Message: ${indent(ra.message)}\n\n`;
  if (cv.spec.channel)
    out += `Upstream is unset, so the cluster will use an appropriate default.\nChannel: ${cv.spec.channel}\n`;
  return out;
}
