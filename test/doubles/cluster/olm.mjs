// Operators on the fake cluster, as OLM v0 and the marketplace operator run them offline:
// OperatorHub `cluster` and its default CatalogSources, CatalogSources served from a catalog
// image in the site registry, Subscriptions resolved against that catalog's content (channel
// head, startingCSV, olm.package.required dependencies), InstallPlans waiting for approval,
// ClusterServiceVersions stepping through their phases, and the custom resource definitions a
// CSV brings (the kinds of storage.mjs are served only once their operator's InstallPlan ran).
// Every image the cluster pulls is read from the site registry's storage tree (pullImage): an
// image on any other host is fetched from outside, which an offline site cannot do.
//
// Shapes: operator-framework/api pkg/operators/v1alpha1/{catalogsource,subscription,
// installplan,clusterserviceversion}_types.go and pkg/operators/v1/operatorgroup_types.go;
// openshift/api config/v1/types_operatorhub.go. Behaviour: operator-framework/operator-
// lifecycle-manager pkg/controller/operators/catalog/operator.go (syncResolvingNamespace,
// ResolutionFailed "ConstraintsNotSatisfiable", transitionInstallPlanState), catalog/
// subscription/state.go (CatalogSourcesUnhealthy, InstallPlanPending), registry/resolver/
// resolver.go and variable_types.go (the "no operators found …" and "subscription X exists"
// constraints, solver/solve.go "constraints not satisfiable: …"), lib/scoped/querier.go ("no
// operator group found that is managing this namespace"), olm/operator.go (the CSV phases,
// reasons and messages), install/deployment.go ("deployment X not ready before timeout").
// Simplified: the catalog is read once when the CatalogSource turns READY; a CSV's operator is
// one Deployment named after its package, whose pod runs every related image of the bundle.
import { randomBytes } from 'node:crypto';
import { condition, meta, touch } from './objects.mjs';
import { update } from './state.mjs';
import { iso, randSuffix, timeScale } from './util.mjs';

// Time-scaled, in virtual seconds.
export const CATALOG_POD_S = 10; // the registry pod pulls and serves: CONNECTING → READY
export const INSTALL_PLAN_S = 5; // unpack and apply the plan's steps: Installing → Complete
export const CSV_STEP_S = 5; // Pending → InstallReady → Installing
export const CSV_DEPLOY_S = 30; // Installing → Succeeded (the operator's Deployment available)
export const CSV_TIMEOUT_S = 300; // a Deployment that never becomes available (ProgressDeadline)

const OLM = 'operators.coreos.com';
const elapsed = (since, now) => ((now - since) * timeScale()) / 1000;

// The marketplace operator's default sources (operator-marketplace defaults/): their index
// images on registry.redhat.io, which a disconnected cluster cannot pull.
export const DEFAULT_SOURCES = {
  'redhat-operators': { display: 'Red Hat Operators', publisher: 'Red Hat', index: 'redhat/redhat-operator-index' },
  'certified-operators': {
    display: 'Certified Operators',
    publisher: 'Red Hat',
    index: 'redhat/certified-operator-index',
  },
  'community-operators': {
    display: 'Community Operators',
    publisher: 'Red Hat',
    index: 'redhat/community-operator-index',
  },
  'redhat-marketplace': {
    display: 'Red Hat Marketplace',
    publisher: 'Red Hat',
    index: 'redhat/redhat-marketplace-index',
  },
};

// The kinds an operator's bundle brings (its owned CRDs), as RESOURCES names them, by package.
// A bundle's own olm.gvk properties add to these.
export const PROVIDES = {
  'lvms-operator': ['lvmclusters'],
  'local-storage-operator': ['localvolumesets'],
  'ocs-operator': ['storageclusters', 'cephclusters'],
  'rook-ceph-operator': ['cephclusters'],
};
// Their CRDs' groups, versions and kinds (the CRD is named <plural>.<group>).
const CRDS = {
  lvmclusters: ['lvm.topolvm.io', 'v1alpha1', 'LVMCluster'],
  localvolumesets: ['local.storage.openshift.io', 'v1alpha1', 'LocalVolumeSet'],
  storageclusters: ['ocs.openshift.io', 'v1', 'StorageCluster'],
  cephclusters: ['ceph.rook.io', 'v1', 'CephCluster'],
};
// The operator Deployment of a package (its CSV's install strategy).
const DEPLOYMENT = {
  'lvms-operator': 'lvms-operator',
  'local-storage-operator': 'local-storage-operator',
  'odf-operator': 'odf-operator-controller-manager',
  'ocs-operator': 'ocs-operator',
  'rook-ceph-operator': 'rook-ceph-operator',
  'mcg-operator': 'noobaa-operator',
};
export const deploymentOf = (pkg) => DEPLOYMENT[pkg] ?? pkg;

// ---- the site registry: what the cluster can pull --------------------------------------------

// The catalog reader (test/doubles/catalog.mjs: readCatalog, imageInTree), loaded once; without
// it no image can be read from the registry tree.
let catalogModule;
try {
  catalogModule = await import('../catalog.mjs');
} catch {
  catalogModule = undefined;
}

// The labels of an image the site registry's tree holds (its config's), or undefined.
export function servedImageLabels(state, repo, digest) {
  const tree = state.cluster.registry?.tree;
  if (!tree || !catalogModule) return undefined;
  try {
    return catalogModule.imageConfig(tree, repo, digest)?.config?.Labels;
  } catch {
    return undefined;
  }
}

export function parseImage(image) {
  const m = /^([^/]+)\/(.+?)(?:@(sha256:[0-9a-f]{64})|:([\w][\w.-]{0,127}))?$/.exec(image ?? '');
  if (!m) return undefined;
  return { host: m[1], repo: m[2], digest: m[3], tag: m[3] ? undefined : (m[4] ?? 'latest') };
}

const imdsOf = (state) =>
  Object.values(state.objects.imagedigestmirrorsets ?? {}).flatMap((o) => o.spec?.imageDigestMirrors ?? []);

// Where the image comes from: {ok: true, host, repo, digest|tag} (read from the site registry's
// tree) or {ok: false, message} as CRI-O reports the pull failure (ErrImagePull).
export function pullImage(state, image) {
  const reg = state.cluster.registry;
  const ref = parseImage(image);
  if (!ref) return { ok: false, message: `invalid reference format: ${image}` };
  // The manifest the tag or digest names is in the repository (imageInTree follows a tag's link).
  const inTree = (repo) => Boolean(reg && catalogModule?.imageInTree(reg.tree, repo, ref.digest ?? ref.tag));
  const outside = () => ({
    ok: false,
    message: `initializing source docker://${image}: pinging container registry ${ref.host}: Get "https://${ref.host}/v2/": dial tcp: lookup ${ref.host}: no such host`,
  });
  const unknown = (host, repo) => ({
    ok: false,
    message: `initializing source docker://${host}/${repo}${ref.digest ? `@${ref.digest}` : `:${ref.tag}`}: reading manifest ${ref.digest ?? ref.tag} in ${host}/${repo}: manifest unknown: manifest unknown`,
  });
  if (reg && ref.host === reg.host) return inTree(ref.repo) ? { ok: true, ...ref } : unknown(reg.host, ref.repo);
  // By digest, through the ImageDigestMirrorSets (registries.conf: a source matches the
  // image's repository or a parent of it); the mirrors are tried in order.
  if (!ref.digest || !reg) return outside();
  const full = `${ref.host}/${ref.repo}`;
  const all = imdsOf(state);
  const rules = all.filter((r) => full === r.source || full.startsWith(`${r.source}/`));
  // Without any ImageDigestMirrorSet the image is looked for under its own path on the site
  // registry (oc-mirror's layout); with some, only their rules apply, as in registries.conf.
  if (all.length > 0 && rules.length === 0) return outside();
  const mirrors = rules.length
    ? rules.flatMap((r) => (r.mirrors ?? []).map((m) => `${m}${full.slice(r.source.length)}`))
    : [`${reg.host}/${ref.repo}`];
  for (const m of mirrors) {
    const mr = parseImage(`${m}@${ref.digest}`);
    if (mr?.host === reg.host && inTree(mr.repo)) return { ok: true, host: mr.host, repo: mr.repo, digest: ref.digest };
  }
  // Each mirror missed: CRI-O tries the source last (unless every matching rule says
  // NeverContactSource), which offline is the error it reports.
  if (rules.length > 0 && rules.some((r) => r.mirrorSourcePolicy !== 'NeverContactSource')) return outside();
  const last = parseImage(`${mirrors.at(-1)}@${ref.digest}`);
  return last?.host === reg.host ? unknown(last.host, last.repo) : outside();
}

// v1 Pod (k8s.io/api core/v1/types.go), just enough to show an image that runs or does not
// pull (kubelet: ErrImagePull, then ImagePullBackOff "Back-off pulling image …").
export function podFor(state, { namespace, name, labels, image, container, owner }, now) {
  const key = `${namespace}/${name}`;
  const o = (state.objects.pods ??= {});
  const pod = (o[key] ??= {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(state, name, now, { namespace, labels, ...(owner ? { ownerReferences: [owner] } : {}) }),
    spec: { containers: [{ name: container, image }] },
    status: { phase: 'Pending' },
  });
  return pod;
}
export function setPodPull(state, pod, pull, now, { backoff }) {
  const c = pod.spec.containers[0];
  const before = JSON.stringify(pod.status);
  if (pull.ok)
    pod.status = {
      phase: 'Running',
      startTime: pod.status.startTime ?? iso(now),
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(now) }],
      containerStatuses: [
        {
          name: c.name,
          image: c.image,
          imageID: pull.digest ? `${pull.host}/${pull.repo}@${pull.digest}` : c.image,
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: iso(now) } },
        },
      ],
    };
  else
    pod.status = {
      phase: 'Pending',
      startTime: pod.status.startTime ?? iso(now),
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'ContainersNotReady',
          message: `containers with unready status: [${c.name}]`,
          lastTransitionTime: pod.status.startTime ?? iso(now),
        },
      ],
      containerStatuses: [
        {
          name: c.name,
          image: c.image,
          imageID: '',
          ready: false,
          restartCount: 0,
          started: false,
          state: {
            waiting: backoff
              ? {
                  reason: 'ImagePullBackOff',
                  message: `Back-off pulling image "${c.image}": ErrImagePull: ${pull.message}`,
                }
              : { reason: 'ErrImagePull', message: pull.message },
          },
        },
      ],
    };
  if (JSON.stringify(pod.status) !== before) touch(state, pod);
}

// ---- OperatorHub and the default sources (marketplace operator) ------------------------------

// config.openshift.io/v1 OperatorHub `cluster` (types_operatorhub.go): spec {} at install,
// status.sources one per default source.
export function operatorHub(state, now) {
  return {
    apiVersion: 'config.openshift.io/v1',
    kind: 'OperatorHub',
    metadata: meta(state, 'cluster', now, {
      annotations: {
        'include.release.openshift.io/hypershift': 'true',
        'include.release.openshift.io/self-managed-high-availability': 'true',
        'include.release.openshift.io/single-node-developer': 'true',
        'release.openshift.io/create-only': 'true',
      },
      generation: 1,
    }),
    spec: {},
    status: {
      sources: Object.keys(DEFAULT_SOURCES)
        .sort()
        .map((name) => ({ disabled: false, name, status: 'Success' })),
    },
  };
}

function defaultSource(state, name, now) {
  const d = DEFAULT_SOURCES[name];
  const minor = state.cluster.version.split('.').slice(0, 2).join('.');
  return {
    apiVersion: `${OLM}/v1alpha1`,
    kind: 'CatalogSource',
    metadata: meta(state, name, now, {
      namespace: 'openshift-marketplace',
      annotations: {
        'operatorframework.io/managed-by': 'marketplace-operator',
        'target.workload.openshift.io/management': '{"effect": "PreferredDuringScheduling"}',
      },
      labels: { 'olm.managed': 'true', 'opsrc-provider': d.publisher === 'Red Hat' ? 'redhat' : 'other' },
      generation: 1,
    }),
    spec: {
      displayName: d.display,
      grpcPodConfig: {
        extractContent: { cacheDir: '/tmp/cache', catalogDir: '/configs' },
        memoryTarget: '30Mi',
        securityContextConfig: 'restricted',
      },
      icon: { base64data: '', mediatype: '' },
      image: `registry.redhat.io/${d.index}:v${minor}`,
      priority: -100,
      publisher: d.publisher,
      sourceType: 'grpc',
      updateStrategy: { registryPoll: { interval: '10m' } },
    },
  };
}

// The marketplace operator: OperatorHub's disableAllDefaultSources (or a source's disabled)
// removes that CatalogSource from openshift-marketplace; enabling brings it back.
function marketplace(state, now) {
  const o = state.objects;
  const hub = o.operatorhubs?.cluster;
  if (!hub) return;
  const cs = (o.catalogsources ??= {});
  const sources = Object.keys(DEFAULT_SOURCES).sort();
  const status = sources.map((name) => {
    const own = (hub.spec?.sources ?? []).find((s) => s.name === name);
    const disabled = own ? Boolean(own.disabled) : Boolean(hub.spec?.disableAllDefaultSources);
    const key = `openshift-marketplace/${name}`;
    if (disabled && cs[key]) {
      delete cs[key];
      removePods(state, 'openshift-marketplace', (p) => p.metadata.labels?.['olm.catalogSource'] === name);
      state.rv += 1;
    } else if (!disabled && !cs[key]) cs[key] = defaultSource(state, name, now);
    return { disabled, name, status: 'Success' };
  });
  if (JSON.stringify(hub.status?.sources) !== JSON.stringify(status)) {
    hub.status = { sources: status };
    touch(state, hub);
  }
}

function removePods(state, namespace, pred) {
  for (const [k, p] of Object.entries(state.objects.pods ?? {}))
    if (p.metadata.namespace === namespace && pred(p)) delete state.objects.pods[k];
}

// ---- CatalogSources (catalog operator: syncRegistryServer, syncConnection) ------------------

function catalogSources(state, now) {
  const reg = state.cluster.registry;
  for (const cs of Object.values(state.objects.catalogsources ?? {})) {
    const { name, namespace } = cs.metadata;
    if (cs.spec?.sourceType !== 'grpc' || !cs.spec.image) continue;
    const olm = (state.olm.catalogs[`${namespace}/${name}`] ??= { since: now, image: cs.spec.image });
    if (olm.image !== cs.spec.image) Object.assign(olm, { since: now, image: cs.spec.image, docs: undefined });
    const pod = podFor(
      state,
      {
        namespace,
        name: (olm.pod ??= `${name}-${randSuffix()}`),
        labels: { 'olm.catalogSource': name, 'olm.managed': 'true', 'olm.pod-spec-hash': randSuffix(10) },
        image: cs.spec.image,
        container: 'registry-server',
      },
      now,
    );
    pod.spec.containers[0].image = cs.spec.image;
    const status = structuredClone(cs.status ?? {});
    status.registryService ??= {
      createdAt: iso(now),
      port: '50051',
      protocol: 'grpc',
      serviceName: name,
      serviceNamespace: namespace,
    };
    const conn = (status.connectionState ??= {
      address: `${name}.${namespace}.svc:50051`,
      lastConnect: iso(now),
      lastObservedState: 'CONNECTING',
    });
    // The registry pod serves what it read at its start (no registryPoll modelled).
    if (elapsed(olm.since, now) >= CATALOG_POD_S && !(olm.docs && conn.lastObservedState === 'READY')) {
      const pull = pullImage(state, cs.spec.image);
      let docs;
      if (pull.ok)
        try {
          docs = catalogModule.readCatalog(reg.tree, pull.repo, pull.digest ?? pull.tag);
        } catch (err) {
          Object.assign(pull, { ok: false, message: String(err.message ?? err) });
        }
      setPodPull(state, pod, pull, now, { backoff: elapsed(olm.since, now) >= 2 * CATALOG_POD_S });
      const observed = pull.ok ? 'READY' : 'TRANSIENT_FAILURE';
      if (conn.lastObservedState !== observed) {
        conn.lastObservedState = observed;
        conn.lastConnect = iso(now);
      }
      olm.docs = pull.ok ? docs : undefined;
    }
    if (JSON.stringify(status) !== JSON.stringify(cs.status ?? {})) {
      cs.status = status;
      touch(state, cs);
    }
  }
  for (const key of Object.keys(state.olm.catalogs))
    if (!state.objects.catalogsources?.[key]) {
      const [ns] = key.split('/');
      const pod = state.olm.catalogs[key].pod;
      removePods(state, ns, (p) => p.metadata.name === pod);
      delete state.olm.catalogs[key];
    }
}

// ---- the catalog's content -----------------------------------------------------------------

const docsOf = (state, namespace, name) => state.olm.catalogs[`${namespace}/${name}`]?.docs;
const versionOf = (b) => b?.properties?.find((p) => p.type === 'olm.package')?.value?.version;

function parseVersion(v) {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([\w.-]+))?/.exec(String(v ?? ''));
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0), m[4] ?? ''] : undefined;
}
function cmpVersion(a, b) {
  const x = parseVersion(a);
  const y = parseVersion(b);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  if (x[3] === y[3]) return 0;
  if (!x[3]) return 1; // a release sorts after its pre-releases
  if (!y[3]) return -1;
  return x[3] < y[3] ? -1 : 1;
}
// blang/semver ranges as OLM reads olm.package.required's versionRange: comparators joined by
// spaces (and) and "||" (or); a bare version is "=".
export function inRange(version, range) {
  if (!parseVersion(version)) return false;
  return String(range)
    .split('||')
    .some((alt) =>
      alt
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .every((c) => {
          const m = /^(>=|<=|>|<|==|=|!=)?\s*(.+)$/.exec(c);
          if (!m || !parseVersion(m[2])) return false;
          const d = cmpVersion(version, m[2]);
          return { '>=': d >= 0, '<=': d <= 0, '>': d > 0, '<': d < 0, '!=': d !== 0 }[m[1]] ?? d === 0;
        }),
    );
}

// The channel head: the entry no other entry of the channel replaces or skips.
function channelHead(channel) {
  const replaced = new Set(channel.entries.flatMap((e) => [e.replaces, ...(e.skips ?? [])].filter(Boolean)));
  return channel.entries.find((e) => !replaced.has(e.name))?.name;
}

// What the resolver picks for a Subscription: {bundles: [{bundle, channel, sub?}]} or {error}.
function resolve(state, sub, docs) {
  const spec = sub.spec;
  const name = sub.metadata.name;
  const unsat = (why) => ({ error: `constraints not satisfiable: ${why}, subscription ${name} exists` });
  if (!docs)
    return unsat(
      `no operators found from catalog ${spec.source} in namespace ${spec.sourceNamespace} referenced by subscription ${name}`,
    );
  const bundleOf = (n) => docs.find((d) => d.schema === 'olm.bundle' && d.name === n);
  const pkg = docs.find((d) => d.schema === 'olm.package' && d.name === spec.name);
  if (!pkg)
    return unsat(`no operators found in package ${spec.name} in the catalog referenced by subscription ${name}`);
  const channelName = spec.channel || pkg.defaultChannel;
  const channel = docs.find((d) => d.schema === 'olm.channel' && d.package === spec.name && d.name === channelName);
  if (!channel)
    return unsat(
      `no operators found in channel ${channelName} of package ${spec.name} in the catalog referenced by subscription ${name}`,
    );
  const pick = spec.startingCSV || channelHead(channel);
  if (!channel.entries.some((e) => e.name === pick) || !bundleOf(pick))
    return unsat(
      `no operators found with name ${pick} in channel ${channelName} of package ${spec.name} in the catalog referenced by subscription ${name}`,
    );
  const out = [{ bundle: bundleOf(pick), channel: channelName }];
  const installed = Object.values(state.objects.clusterserviceversions ?? {}).filter(
    (c) => c.metadata.namespace === sub.metadata.namespace,
  );
  // Dependencies (olm.package.required), each from its package's default channel head that
  // satisfies the range, or already installed in the namespace; transitively.
  for (let i = 0; i < out.length; i++) {
    const b = out[i].bundle;
    for (const req of (b.properties ?? []).filter((p) => p.type === 'olm.package.required')) {
      const { packageName, versionRange } = req.value ?? {};
      if (out.some((x) => x.bundle.package === packageName && inRange(versionOf(x.bundle), versionRange))) continue;
      if (
        installed.some(
          (c) => c.metadata.labels?.['olm.package'] === packageName && inRange(c.spec?.version, versionRange),
        )
      )
        continue;
      const dp = docs.find((d) => d.schema === 'olm.package' && d.name === packageName);
      const dc =
        dp && docs.find((d) => d.schema === 'olm.channel' && d.package === packageName && d.name === dp.defaultChannel);
      const candidates = (dc?.entries ?? [])
        .map((e) => bundleOf(e.name))
        .filter((x) => x && inRange(versionOf(x), versionRange))
        .sort((x, y) => cmpVersion(versionOf(y), versionOf(x)));
      if (candidates.length === 0)
        return {
          error: `constraints not satisfiable: subscription ${name} requires @${spec.sourceNamespace}/${spec.source}/${channelName}/${pick}, subscription ${name} exists, bundle ${b.name} requires an operator with package: ${packageName} and with version in range: ${versionRange}`,
        };
      out.push({ bundle: candidates[0], channel: dp.defaultChannel });
    }
  }
  return { bundles: out };
}

// ---- Subscriptions and InstallPlans (catalog operator) --------------------------------------

const ogsIn = (state, ns) =>
  Object.values(state.objects.operatorgroups ?? {}).filter((g) => g.metadata.namespace === ns);
function operatorGroupError(state, ns) {
  const groups = ogsIn(state, ns);
  if (groups.length === 0) return 'no operator group found that is managing this namespace';
  if (groups.length > 1) return `more than one operator group(s) are managing this namespace count=${groups.length}`;
  return undefined;
}

function subCondition(sub, c, now) {
  sub.status.conditions ??= [];
  const list = sub.status.conditions;
  const old = list.find((x) => x.type === c.type);
  const next = { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : iso(now) };
  if (!c.reason) delete next.reason;
  if (!c.message) delete next.message;
  if (old) list[list.indexOf(old)] = next;
  else list.push(next);
}
const removeConditions = (sub, ...types) => {
  sub.status.conditions = (sub.status.conditions ?? []).filter((c) => !types.includes(c.type));
};

function catalogHealth(state, sub, now) {
  const all = Object.values(state.objects.catalogsources ?? {});
  const health = all
    .filter((c) => c.metadata.namespace === sub.spec.sourceNamespace || c.metadata.namespace === sub.metadata.namespace)
    .map((c) => ({
      catalogSourceRef: {
        apiVersion: `${OLM}/v1alpha1`,
        kind: 'CatalogSource',
        name: c.metadata.name,
        namespace: c.metadata.namespace,
        resourceVersion: c.metadata.resourceVersion,
        uid: c.metadata.uid,
      },
      healthy: c.status?.connectionState?.lastObservedState === 'READY',
      lastUpdated: iso(now),
    }));
  const target = state.objects.catalogsources?.[`${sub.spec.sourceNamespace}/${sub.spec.source}`];
  const targetHealthy = target?.status?.connectionState?.lastObservedState === 'READY';
  const old = (sub.status.catalogHealth ?? []).map((h) => `${h.catalogSourceRef.uid}/${h.healthy}`).join();
  if (old !== health.map((h) => `${h.catalogSourceRef.uid}/${h.healthy}`).join()) sub.status.catalogHealth = health;
  if (!target)
    subCondition(
      sub,
      {
        type: 'CatalogSourcesUnhealthy',
        status: 'True',
        reason: 'UnhealthyCatalogSourceFound',
        message: `targeted catalogsource ${sub.spec.sourceNamespace}/${sub.spec.source} missing`,
      },
      now,
    );
  else if (!health.every((h) => h.healthy))
    subCondition(
      sub,
      {
        type: 'CatalogSourcesUnhealthy',
        status: 'True',
        reason: 'UnhealthyCatalogSourceFound',
        message: targetHealthy
          ? undefined
          : `targeted catalogsource ${sub.spec.sourceNamespace}/${sub.spec.source} unhealthy`,
      },
      now,
    );
  else
    subCondition(
      sub,
      {
        type: 'CatalogSourcesUnhealthy',
        status: 'False',
        reason: 'AllCatalogSourcesHealthy',
        message: 'all available catalogsources are healthy',
      },
      now,
    );
  return target;
}

const ref = (o, extra = {}) => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata.name,
  namespace: o.metadata.namespace,
  resourceVersion: o.metadata.resourceVersion,
  uid: o.metadata.uid,
  ...extra,
});

function newInstallPlanName(state, ns) {
  for (;;) {
    const name = `install-${randSuffix()}`;
    if (!state.objects.installplans?.[`${ns}/${name}`]) return name;
  }
}

// A dependency's Subscription, as the resolver creates it (name <pkg>-<channel>-<source>-<ns>).
function dependencySubscription(state, sub, { bundle, channel }, now) {
  const ns = sub.metadata.namespace;
  const name = `${bundle.package}-${channel}-${sub.spec.source}-${sub.spec.sourceNamespace}`;
  const key = `${ns}/${name}`;
  const subs = (state.objects.subscriptions ??= {});
  subs[key] ??= {
    apiVersion: `${OLM}/v1alpha1`,
    kind: 'Subscription',
    metadata: meta(state, name, now, {
      namespace: ns,
      generation: 1,
      labels: { [`operators.coreos.com/${bundle.package}.${ns}`]: '' },
    }),
    spec: {
      channel,
      installPlanApproval: sub.spec.installPlanApproval ?? 'Automatic',
      name: bundle.package,
      source: sub.spec.source,
      sourceNamespace: sub.spec.sourceNamespace,
      startingCSV: bundle.name,
    },
    status: { lastUpdated: iso(now) },
  };
  return subs[key];
}

function subscriptions(state, now) {
  const o = state.objects;
  const subs = Object.values(o.subscriptions ?? {}).sort((a, b) =>
    a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp),
  );
  for (const sub of subs) {
    if (!sub.spec?.name) continue;
    const before = JSON.stringify(sub.status ?? {});
    sub.status ??= {};
    sub.status.lastUpdated ??= iso(now);
    const ns = sub.metadata.namespace;
    const target = catalogHealth(state, sub, now);
    const planKey = sub.status.installPlanRef && `${ns}/${sub.status.installPlanRef.name}`;
    const plan = planKey && o.installplans?.[planKey];
    if (!sub.status.installPlanRef) {
      const observed = target?.status?.connectionState?.lastObservedState;
      if (target && observed === 'CONNECTING') {
        // wait for the registry to come up
      } else {
        const r = resolve(state, sub, docsOf(state, sub.spec.sourceNamespace, sub.spec.source));
        if (r.error)
          subCondition(
            sub,
            { type: 'ResolutionFailed', status: 'True', reason: 'ConstraintsNotSatisfiable', message: r.error },
            now,
          );
        else {
          removeConditions(sub, 'ResolutionFailed');
          createInstallPlan(state, sub, r.bundles, now);
        }
      }
    }
    if (plan) {
      // subscription/state.go: InstallPlanPending while the plan is not done, then gone.
      const phase = plan.status?.phase;
      const installed = condition(plan.status?.conditions, 'Installed');
      if (['Planning', 'RequiresApproval', 'Installing'].includes(phase))
        subCondition(
          sub,
          {
            type: 'InstallPlanPending',
            status: 'True',
            reason: phase,
            message: installed && installed.status !== 'Unknown' ? installed.message : undefined,
          },
          now,
        );
      else if (phase === 'Failed') {
        removeConditions(sub, 'InstallPlanPending');
        subCondition(
          sub,
          {
            type: 'InstallPlanFailed',
            status: 'True',
            reason: installed?.reason ?? 'InstallPlanFailed',
            message: installed?.message,
          },
          now,
        );
        sub.status.state = 'UpgradeFailed';
      } else if (phase === 'Complete') removeConditions(sub, 'InstallPlanPending', 'InstallPlanFailed');
    }
    // ensureSubscriptionCSVState: AtLatestKnown once the current CSV is installed.
    const csv = sub.status.currentCSV && o.clusterserviceversions?.[`${ns}/${sub.status.currentCSV}`];
    if (csv && csv.status?.phase === 'Succeeded' && sub.status.state !== 'AtLatestKnown') {
      sub.status.state = 'AtLatestKnown';
      sub.status.installedCSV = sub.status.currentCSV;
    }
    if (JSON.stringify(sub.status) !== before) {
      sub.status.lastUpdated = iso(now);
      touch(state, sub);
    }
  }
}

function createInstallPlan(state, sub, bundles, now) {
  const ns = sub.metadata.namespace;
  const o = state.objects;
  const name = newInstallPlanName(state, ns);
  // One plan for the Subscription and the dependencies' Subscriptions it needs; the plan's
  // approval is Manual if any of them says Manual.
  const owners = [sub, ...bundles.slice(1).map((b) => dependencySubscription(state, sub, b, now))];
  const manual = owners.some((s) => s.spec.installPlanApproval === 'Manual');
  const approval = manual ? 'Manual' : 'Automatic';
  const steps = [];
  for (const { bundle } of bundles) {
    steps.push({
      resolving: bundle.name,
      resource: {
        group: OLM,
        kind: 'ClusterServiceVersion',
        manifest: JSON.stringify({ kind: 'ClusterServiceVersion', name: bundle.name }),
        name: bundle.name,
        sourceName: sub.spec.source,
        sourceNamespace: sub.spec.sourceNamespace,
        version: 'v1alpha1',
      },
      status: 'Unknown',
    });
    for (const plural of providedBy(bundle))
      steps.push({
        resolving: bundle.name,
        resource: {
          group: 'apiextensions.k8s.io',
          kind: 'CustomResourceDefinition',
          name: `${plural}.${CRDS[plural]?.[0] ?? 'unknown'}`,
          sourceName: sub.spec.source,
          sourceNamespace: sub.spec.sourceNamespace,
          version: 'v1',
        },
        status: 'Unknown',
      });
  }
  const ip = {
    apiVersion: `${OLM}/v1alpha1`,
    kind: 'InstallPlan',
    metadata: meta(state, name, now, {
      namespace: ns,
      generateName: 'install-',
      generation: 1,
      labels: Object.fromEntries(bundles.map(({ bundle }) => [`operators.coreos.com/${bundle.package}.${ns}`, ''])),
      ownerReferences: owners.map((s) => ({
        apiVersion: `${OLM}/v1alpha1`,
        blockOwnerDeletion: false,
        controller: false,
        kind: 'Subscription',
        name: s.metadata.name,
        uid: s.metadata.uid,
      })),
    }),
    spec: {
      approval,
      approved: approval === 'Automatic',
      clusterServiceVersionNames: bundles.map(({ bundle }) => bundle.name),
      generation: 1,
    },
    status: {
      bundleLookups: bundles.map(({ bundle }) => ({
        catalogSourceRef: { name: sub.spec.source, namespace: sub.spec.sourceNamespace },
        identifier: bundle.name,
        path: bundle.image,
        properties: JSON.stringify({ properties: bundle.properties ?? [] }),
        replaces: '',
      })),
      catalogSources: [],
      phase: approval === 'Manual' ? 'RequiresApproval' : 'Installing',
      plan: steps,
    },
  };
  (o.installplans ??= {})[`${ns}/${name}`] = ip;
  state.olm.plans[`${ns}/${name}`] = {
    bundles: bundles.map((b) => ({ ...b.bundle, channel: b.channel })),
    source: sub.spec.source,
    sourceNamespace: sub.spec.sourceNamespace,
  };
  for (const [i, s] of owners.entries()) {
    s.status ??= {};
    Object.assign(s.status, {
      currentCSV: bundles[i].bundle.name,
      installPlanGeneration: 1,
      installPlanRef: ref(ip),
      installplan: { apiVersion: ip.apiVersion, kind: 'InstallPlan', name, uuid: ip.metadata.uid },
      lastUpdated: iso(now),
      state: 'UpgradePending',
    });
    if (s !== sub) touch(state, s);
  }
}

// The kinds a bundle brings: PROVIDES by package, and its olm.gvk properties.
function providedBy(bundle) {
  const kinds = new Set(PROVIDES[bundle.package] ?? []);
  for (const p of bundle.properties ?? [])
    if (p.type === 'olm.gvk' && p.value?.kind) {
      const plural = `${p.value.kind.toLowerCase()}s`;
      CRDS[plural] ??= [p.value.group, p.value.version, p.value.kind];
      kinds.add(plural);
    }
  return [...kinds];
}

// syncInstallPlans / transitionInstallPlanState.
function installPlans(state, now) {
  for (const ip of Object.values(state.objects.installplans ?? {})) {
    const key = `${ip.metadata.namespace}/${ip.metadata.name}`;
    const olm = state.olm.plans[key];
    if (!olm || ['Complete', 'Failed'].includes(ip.status.phase)) continue;
    const before = JSON.stringify(ip.status);
    const conds = (ip.status.conditions ??= []);
    // The attenuated service account querier needs exactly one OperatorGroup.
    const ogErr = operatorGroupError(state, ip.metadata.namespace);
    if (ogErr) {
      planCondition(conds, { type: 'Installed', status: 'False', reason: 'InstallCheckFailed', message: ogErr }, now);
    } else {
      const c = condition(conds, 'Installed');
      if (c?.reason === 'InstallCheckFailed') ip.status.conditions = conds.filter((x) => x !== c);
      if (ip.status.phase === 'RequiresApproval' && ip.spec.approved) {
        ip.status.phase = 'Installing';
        delete ip.status.message;
      }
      if (ip.status.phase === 'Installing') {
        olm.installingSince ??= now;
        ip.status.startTime ??= iso(now);
        if (elapsed(olm.installingSince, now) >= INSTALL_PLAN_S) executePlan(state, ip, olm, now);
      }
    }
    if (JSON.stringify(ip.status) !== before) touch(state, ip);
  }
}

function planCondition(list, c, now) {
  const old = list.find((x) => x.type === c.type);
  const next = {
    lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : iso(now),
    lastUpdateTime: iso(now),
    ...c,
  };
  if (old && JSON.stringify({ ...old, lastUpdateTime: '' }) === JSON.stringify({ ...next, lastUpdateTime: '' })) return;
  if (old) list[list.indexOf(old)] = next;
  else list.push(next);
}

// ExecutePlan: the CRDs and the CSVs, every step Created; the plan Complete.
function executePlan(state, ip, olm, now) {
  const ns = ip.metadata.namespace;
  const o = state.objects;
  state.crds ??= [];
  for (const b of olm.bundles) {
    for (const kind of providedBy(b)) if (!state.crds.includes(kind)) state.crds.push(kind);
    const key = `${ns}/${b.name}`;
    (o.clusterserviceversions ??= {})[key] ??= csvFor(state, ns, b, now);
    state.olm.csvs[key] = { since: now, package: b.package };
  }
  for (const s of ip.status.plan) s.status = 'Created';
  ip.status.catalogSources = [];
  planCondition(ip.status.conditions, { type: 'Installed', status: 'True' }, now);
  ip.status.phase = 'Complete';
}

// operators.coreos.com/v1alpha1 ClusterServiceVersion (clusterserviceversion_types.go), as
// the bundle's CSV is applied: the labels and annotations OLM adds (olm.operatorGroup,
// olm.targetNamespaces, operators.coreos.com/<pkg>.<ns>).
function csvFor(state, ns, b, now) {
  const og = ogsIn(state, ns)[0];
  const version = versionOf(b) ?? '0.0.0';
  const dep = deploymentOf(b.package);
  const images = (b.relatedImages ?? []).map((r) => r.image);
  return {
    apiVersion: `${OLM}/v1alpha1`,
    kind: 'ClusterServiceVersion',
    metadata: meta(state, b.name, now, {
      namespace: ns,
      generation: 1,
      annotations: {
        'olm.operatorGroup': og?.metadata.name ?? '',
        'olm.operatorNamespace': ns,
        'olm.targetNamespaces': (og?.spec?.targetNamespaces ?? []).join(','),
        'operatorframework.io/properties': JSON.stringify({ properties: b.properties ?? [] }),
      },
      labels: { 'olm.managed': 'true', 'olm.package': b.package, [`operators.coreos.com/${b.package}.${ns}`]: '' },
    }),
    spec: {
      displayName: b.package,
      install: {
        spec: {
          deployments: [
            {
              name: dep,
              spec: {
                replicas: 1,
                selector: { matchLabels: { app: dep } },
                template: {
                  metadata: { labels: { app: dep } },
                  spec: { containers: [{ image: images[0] ?? b.image, name: 'manager' }] },
                },
              },
            },
          ],
        },
        strategy: 'deployment',
      },
      installModes: [
        { supported: true, type: 'OwnNamespace' },
        { supported: true, type: 'SingleNamespace' },
        { supported: false, type: 'MultiNamespace' },
        { supported: false, type: 'AllNamespaces' },
      ],
      customresourcedefinitions: {
        owned: providedBy(b)
          .filter((p) => CRDS[p])
          .map((p) => ({ kind: CRDS[p][2], name: `${p}.${CRDS[p][0]}`, version: CRDS[p][1] })),
      },
      relatedImages: b.relatedImages ?? [],
      version,
      ...(b.replaces ? { replaces: b.replaces } : {}),
    },
    status: {},
  };
}

// The OLM operator's CSV phases: Pending → InstallReady → Installing → Succeeded, or Failed
// when the operator's Deployment never becomes available (an image that does not pull).
const PHASES = [
  ['Pending', 'RequirementsUnknown', 'requirements not yet checked', 0],
  ['InstallReady', 'AllRequirementsMet', 'all requirements found, attempting install', CSV_STEP_S],
  ['Installing', 'InstallSucceeded', 'waiting for install components to report healthy', 2 * CSV_STEP_S],
];
function csvs(state, now) {
  for (const [key, olm] of Object.entries(state.olm.csvs)) {
    const csv = state.objects.clusterserviceversions?.[key];
    if (!csv) {
      delete state.olm.csvs[key];
      continue;
    }
    const st = (csv.status ??= {});
    if (st.phase === 'Succeeded' || st.phase === 'Failed') continue;
    const ns = csv.metadata.namespace;
    const t = elapsed(olm.since, now);
    const at = (s) => iso(olm.since + (s * 1000) / timeScale());
    const before = JSON.stringify(st);
    const set = (phase, reason, message, when) => {
      if (st.phase === phase && st.reason === reason && st.message === message) return;
      st.conditions ??= [];
      st.conditions.push({ lastTransitionTime: when, lastUpdateTime: when, message, phase, reason });
      Object.assign(st, { lastTransitionTime: when, lastUpdateTime: when, message, phase, reason });
    };
    const ogErr = operatorGroupError(state, ns);
    if (ogErr) {
      set(
        'Failed',
        ogErr.startsWith('no') ? 'NoOperatorGroup' : 'TooManyOperatorGroups',
        ogErr.startsWith('no') ? 'csv in namespace with no operatorgroups' : ogErr,
        iso(now),
      );
      if (JSON.stringify(st) !== before) touch(state, csv);
      continue;
    }
    PHASES.forEach(([phase, reason, message, s], i) => {
      if (t < s || i <= (olm.step ?? -1)) return;
      set(phase, reason, message, at(s));
      olm.step = i;
    });
    if (t >= 2 * CSV_STEP_S) {
      // The operator's pod: every related image must pull from the site registry.
      const dep = deploymentOf(olm.package);
      const images = (csv.spec.relatedImages ?? []).map((r) => r.image);
      const failing = images.map((image) => ({ image, pull: pullImage(state, image) })).find((x) => !x.pull.ok);
      const pod = podFor(
        state,
        {
          namespace: ns,
          name: (olm.pod ??= `${dep}-${randomBytes(5).toString('hex').slice(0, 10)}-${randSuffix()}`),
          labels: { app: dep },
          image:
            failing?.image ?? images[0] ?? csv.spec.install.spec.deployments[0].spec.template.spec.containers[0].image,
          container: 'manager',
        },
        now,
      );
      if (failing) pod.spec.containers[0].image = failing.image;
      setPodPull(state, pod, failing ? failing.pull : pullImage(state, pod.spec.containers[0].image), now, {
        backoff: t >= 3 * CSV_STEP_S,
      });
      const podOk = !failing && pod.status.phase === 'Running';
      if (podOk && t >= 2 * CSV_STEP_S + CSV_DEPLOY_S)
        set(
          'Succeeded',
          'InstallSucceeded',
          'install strategy completed with no errors',
          at(2 * CSV_STEP_S + CSV_DEPLOY_S),
        );
      else if (!podOk && t >= 2 * CSV_STEP_S + CSV_TIMEOUT_S)
        set(
          'Failed',
          'InstallCheckFailed',
          `install failed: deployment ${dep} not ready before timeout: deployment "${dep}" exceeded its progress deadline`,
          at(2 * CSV_STEP_S + CSV_TIMEOUT_S),
        );
      else if (!podOk && t >= 3 * CSV_STEP_S)
        set(
          'Installing',
          'InstallWaiting',
          `installing: waiting for deployment ${dep} to become ready: deployment "${dep}" not available: Deployment does not have minimum availability.`,
          at(3 * CSV_STEP_S),
        );
      if (st.phase === 'Succeeded')
        st.requirementStatus = [
          {
            group: OLM,
            kind: 'ClusterServiceVersion',
            message: 'CSV minKubeVersion (1.20.0) less than server version',
            name: csv.metadata.name,
            status: 'Present',
            version: 'v1alpha1',
          },
        ];
    }
    if (JSON.stringify(st) !== before) touch(state, csv);
  }
}

// OperatorGroup status (operatorgroup_types.go): the namespaces it targets.
function operatorGroups(state, now) {
  for (const og of Object.values(state.objects.operatorgroups ?? {})) {
    const namespaces = og.spec?.targetNamespaces?.length ? [...og.spec.targetNamespaces] : [''];
    if (JSON.stringify(og.status?.namespaces) === JSON.stringify(namespaces)) continue;
    og.status = { lastUpdated: iso(now), namespaces };
    touch(state, og);
  }
}

// A CSV of `pkg` Succeeded in `namespace` (any namespace when omitted): its operator runs.
export function operatorRunning(state, pkgs, namespace) {
  return Object.values(state.objects.clusterserviceversions ?? {}).some(
    (c) =>
      pkgs.includes(c.metadata.labels?.['olm.package']) &&
      (namespace === undefined || c.metadata.namespace === namespace) &&
      c.status?.phase === 'Succeeded',
  );
}

export function olmInit(state, now) {
  state.objects.operatorhubs ??= {};
  state.objects.operatorhubs.cluster ??= operatorHub(state, now);
  // Every cluster's openshift-operators has OLM's global OperatorGroup (AllNamespaces: no
  // targetNamespaces), from OLM's own manifests (operator-framework/operator-lifecycle-manager
  // manifests/0000_50_olm_15-operatorgroup-default.yaml).
  state.objects.operatorgroups ??= {};
  state.objects.operatorgroups['openshift-operators/global-operators'] ??= {
    apiVersion: 'operators.coreos.com/v1',
    kind: 'OperatorGroup',
    metadata: meta(state, 'global-operators', now, { namespace: 'openshift-operators' }),
    spec: {},
  };
}

export function olmTick(state, now) {
  state.olm ??= {};
  state.olm.catalogs ??= {};
  state.olm.plans ??= {};
  state.olm.csvs ??= {};
  marketplace(state, now);
  catalogSources(state, now);
  operatorGroups(state, now);
  subscriptions(state, now);
  installPlans(state, now);
  csvs(state, now);
  // A second pass so a Subscription sees what its plan and CSVs became in this tick.
  subscriptions(state, now);
}

// The site registry the cluster pulls from: `host` (HOST:PORT, as image references name it)
// and `tree`, the distribution storage root that registry serves.
export function setRegistry(doublesDir, { host, tree }) {
  update(doublesDir, (state) => {
    state.cluster.registry = { host, tree };
  });
}
