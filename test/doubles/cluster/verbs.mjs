// oc against the fake cluster: the command table, the API objects by resource type, and the
// verbs. A command is {path, run}; `get`, `apply -f` and `patch` work for every resource in
// RESOURCES, so later verbs (adm cordon/uncordon/drain) are new rows over the same store and
// helpers.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, parseArgs, UsageError } from './argv.mjs';
import { approve, deny, tick } from './controller.mjs';
import { jsonTypeName, syntaxError } from './gojson.mjs';
import { debug } from './hosts.mjs';
import { applyJsonPatch, deepEqual, mergePatch, threeWayMergePatch } from './jsonpatch.mjs';
import { jsonpath } from './jsonpath.mjs';
import { readManifests, yamlToJson } from './manifests.mjs';
import { condition, isFalse, isTrue, meta, touch } from './objects.mjs';
import { apiServing } from './power.mjs';
import { update } from './state.mjs';
import { accessModes } from './storage.mjs';
import { admUpgrade } from './upgrade.mjs';
import {
  compactJson,
  formatGoDuration,
  humanDuration,
  iso,
  parseGoDuration,
  printJson,
  sleep,
  table,
  timeScale,
} from './util.mjs';

// The resource types the fake serves. `objects` keys are NAME, or NAMESPACE/NAME. `crd`: served
// by apiextensions (OpenShift's config API), so no strategic merge patch and a generation that
// counts spec changes; `statusSubresource`: writes to the resource keep the stored status.
const NODE_ROLE = 'node-role.kubernetes.io/';
export const RESOURCES = [
  {
    resource: 'clusterversions',
    group: 'config.openshift.io',
    version: 'v1',
    kind: 'ClusterVersion',
    names: ['clusterversion'],
    crd: true,
    statusSubresource: true,
    columns: ['NAME', 'VERSION', 'AVAILABLE', 'PROGRESSING', 'SINCE', 'STATUS'],
    row: (o, now) => {
      const p = condition(o.status?.conditions, 'Progressing');
      return [
        o.metadata.name,
        o.status?.history?.find((h) => h.state === 'Completed')?.version ?? '',
        condition(o.status?.conditions, 'Available')?.status ?? '',
        p?.status ?? '',
        p ? humanDuration(now - Date.parse(p.lastTransitionTime)) : '',
        p?.message ?? '',
      ];
    },
  },
  {
    resource: 'clusteroperators',
    group: 'config.openshift.io',
    version: 'v1',
    kind: 'ClusterOperator',
    names: ['clusteroperator', 'co'],
    crd: true,
    statusSubresource: true,
    columns: ['NAME', 'VERSION', 'AVAILABLE', 'PROGRESSING', 'DEGRADED', 'SINCE', 'MESSAGE'],
    row: (o, now) => {
      const c = o.status?.conditions;
      const a = condition(c, 'Available');
      const why =
        [condition(c, 'Degraded'), condition(c, 'Progressing')].find((x) => x?.status === 'True') ??
        (a?.status !== 'True' ? a : undefined);
      return [
        o.metadata.name,
        o.status?.versions?.find((v) => v.name === 'operator')?.version ?? '',
        a?.status ?? '',
        condition(c, 'Progressing')?.status ?? '',
        condition(c, 'Degraded')?.status ?? '',
        a ? humanDuration(now - Date.parse(a.lastTransitionTime)) : '',
        why?.message ?? '',
      ];
    },
  },
  {
    resource: 'nodes',
    group: '',
    version: 'v1',
    kind: 'Node',
    names: ['node', 'no'],
    statusSubresource: true,
    columns: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
    row: (o, now) => {
      const roles = Object.keys(o.metadata.labels ?? {})
        .filter((l) => l.startsWith(NODE_ROLE))
        .map((l) => l.slice(NODE_ROLE.length))
        .sort();
      const status = isTrue(o.status?.conditions, 'Ready') ? 'Ready' : 'NotReady';
      return [
        o.metadata.name,
        o.spec?.unschedulable ? `${status},SchedulingDisabled` : status,
        roles.join(',') || '<none>',
        humanDuration(now - Date.parse(o.metadata.creationTimestamp)),
        o.status?.nodeInfo?.kubeletVersion ?? '',
      ];
    },
  },
  {
    resource: 'certificatesigningrequests',
    group: 'certificates.k8s.io',
    version: 'v1',
    kind: 'CertificateSigningRequest',
    names: ['certificatesigningrequest', 'csr'],
    statusSubresource: true,
    columns: ['NAME', 'AGE', 'SIGNERNAME', 'REQUESTOR', 'REQUESTEDDURATION', 'CONDITION'],
    row: (o, now) => {
      const conds = (o.status?.conditions ?? []).map((c) => c.type);
      if (o.status?.certificate) conds.push('Issued');
      return [
        o.metadata.name,
        humanDuration(now - Date.parse(o.metadata.creationTimestamp)),
        o.spec?.signerName ?? '',
        o.spec?.username ?? '',
        '<none>',
        conds.length > 0 ? conds.join(',') : 'Pending',
      ];
    },
  },
  {
    resource: 'secrets',
    group: '',
    version: 'v1',
    kind: 'Secret',
    names: ['secret'],
    namespaced: true,
    columns: ['NAME', 'TYPE', 'DATA', 'AGE'],
    row: (o, now) => [
      o.metadata.name,
      o.type,
      Object.keys(o.data ?? {}).length,
      humanDuration(now - Date.parse(o.metadata.creationTimestamp)),
    ],
  },
  {
    resource: 'configmaps',
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    names: ['configmap', 'cm'],
    namespaced: true,
    columns: ['NAME', 'DATA', 'AGE'],
    row: (o, now) => [
      o.metadata.name,
      Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length,
      humanDuration(now - Date.parse(o.metadata.creationTimestamp)),
    ],
  },
  {
    // A custom resource of the machine-config operator (openshift/api machineconfiguration/v1
    // types.go MachineConfig; columns from its printer: oc get mc).
    resource: 'machineconfigs',
    group: 'machineconfiguration.openshift.io',
    version: 'v1',
    kind: 'MachineConfig',
    names: ['machineconfig', 'mc'],
    crd: true,
    columns: ['NAME', 'GENERATEDBYCONTROLLER', 'IGNITIONVERSION', 'AGE'],
    row: (o, now) => [
      o.metadata.name,
      o.metadata.annotations?.['machineconfiguration.openshift.io/generated-by-controller-version'] ?? '',
      o.spec?.config?.ignition?.version ?? '',
      humanDuration(now - Date.parse(o.metadata.creationTimestamp)),
    ],
  },
  {
    resource: 'namespaces',
    group: '',
    version: 'v1',
    kind: 'Namespace',
    names: ['namespace', 'ns'],
    statusSubresource: true,
    columns: ['NAME', 'STATUS', 'AGE'],
    row: (o, now) => [
      o.metadata.name,
      o.status?.phase ?? '',
      humanDuration(now - Date.parse(o.metadata.creationTimestamp)),
    ],
  },
  // ---- Operators (olm.mjs) and storage (storage.mjs) ----------------------------------------
  // `operator`: a custom resource an operator's bundle brings; served (known to discovery and
  // the RESTMapper) only once that operator's InstallPlan created its CRD (olm.mjs PROVIDES).
  // Columns from the CRDs' additionalPrinterColumns (kubebuilder:printcolumn in the types
  // files) or kubectl's printers for the built-in kinds (pkg/printers/internalversion).
  {
    // openshift/api config/v1/types_operatorhub.go.
    resource: 'operatorhubs',
    group: 'config.openshift.io',
    version: 'v1',
    kind: 'OperatorHub',
    names: ['operatorhub'],
    crd: true,
    statusSubresource: true,
    columns: ['NAME', 'AGE'],
    row: (o, now) => [o.metadata.name, age(o, now)],
  },
  {
    // openshift/api config/v1/types_image_digest_mirrors.go.
    resource: 'imagedigestmirrorsets',
    group: 'config.openshift.io',
    version: 'v1',
    kind: 'ImageDigestMirrorSet',
    names: ['imagedigestmirrorset', 'idms'],
    crd: true,
    statusSubresource: true,
    columns: ['NAME', 'AGE'],
    row: (o, now) => [o.metadata.name, age(o, now)],
  },
  {
    // operator-framework/api pkg/operators/v1alpha1/catalogsource_types.go.
    resource: 'catalogsources',
    group: 'operators.coreos.com',
    version: 'v1alpha1',
    kind: 'CatalogSource',
    names: ['catalogsource', 'catsrc'],
    namespaced: true,
    crd: true,
    statusSubresource: true,
    columns: ['NAME', 'DISPLAY', 'TYPE', 'PUBLISHER', 'AGE'],
    row: (o, now) => [
      o.metadata.name,
      o.spec?.displayName ?? '',
      o.spec?.sourceType ?? '',
      o.spec?.publisher ?? '',
      age(o, now),
    ],
  },
  {
    // subscription_types.go.
    resource: 'subscriptions',
    group: 'operators.coreos.com',
    version: 'v1alpha1',
    kind: 'Subscription',
    names: ['subscription', 'sub', 'subs'],
    namespaced: true,
    crd: true,
    statusSubresource: true,
    columns: ['NAME', 'PACKAGE', 'SOURCE', 'CHANNEL'],
    row: (o) => [o.metadata.name, o.spec?.name ?? '', o.spec?.source ?? '', o.spec?.channel ?? ''],
  },
  {
    // installplan_types.go.
    resource: 'installplans',
    group: 'operators.coreos.com',
    version: 'v1alpha1',
    kind: 'InstallPlan',
    names: ['installplan', 'ip'],
    namespaced: true,
    crd: true,
    statusSubresource: true,
    columns: ['NAME', 'CSV', 'APPROVAL', 'APPROVED'],
    row: (o) => [
      o.metadata.name,
      o.spec?.clusterServiceVersionNames?.[0] ?? '',
      o.spec?.approval ?? '',
      String(Boolean(o.spec?.approved)),
    ],
  },
  {
    // clusterserviceversion_types.go.
    resource: 'clusterserviceversions',
    group: 'operators.coreos.com',
    version: 'v1alpha1',
    kind: 'ClusterServiceVersion',
    names: ['clusterserviceversion', 'csv', 'csvs'],
    namespaced: true,
    crd: true,
    statusSubresource: true,
    columns: ['NAME', 'DISPLAY', 'VERSION', 'REPLACES', 'PHASE'],
    row: (o) => [
      o.metadata.name,
      o.spec?.displayName ?? '',
      o.spec?.version ?? '',
      o.spec?.replaces ?? '',
      o.status?.phase ?? '',
    ],
  },
  {
    // pkg/operators/v1/operatorgroup_types.go.
    resource: 'operatorgroups',
    group: 'operators.coreos.com',
    version: 'v1',
    kind: 'OperatorGroup',
    names: ['operatorgroup', 'og'],
    namespaced: true,
    crd: true,
    statusSubresource: true,
    columns: ['NAME', 'AGE'],
    row: (o, now) => [o.metadata.name, age(o, now)],
  },
  {
    // k8s.io/api core/v1 Pod: the catalog registry pods and the operators' pods (olm.mjs).
    resource: 'pods',
    group: '',
    version: 'v1',
    kind: 'Pod',
    names: ['pod', 'po'],
    namespaced: true,
    statusSubresource: true,
    columns: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
    row: (o, now) => {
      const cs = o.status?.containerStatuses ?? [];
      const waiting = cs.find((c) => c.state?.waiting)?.state.waiting.reason;
      return [
        o.metadata.name,
        `${cs.filter((c) => c.ready).length}/${o.spec?.containers?.length ?? 0}`,
        waiting ?? o.status?.phase ?? '',
        cs.reduce((n, c) => n + (c.restartCount ?? 0), 0),
        age(o, now),
      ];
    },
  },
  {
    // k8s.io/api storage/v1 StorageClass; the printer adds " (default)" to the default's name.
    resource: 'storageclasses',
    group: 'storage.k8s.io',
    version: 'v1',
    kind: 'StorageClass',
    names: ['storageclass', 'sc'],
    columns: ['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'],
    row: (o, now) => {
      const a = o.metadata.annotations ?? {};
      const def =
        a['storageclass.kubernetes.io/is-default-class'] === 'true' ||
        a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
      return [
        def ? `${o.metadata.name} (default)` : o.metadata.name,
        o.provisioner ?? '',
        o.reclaimPolicy ?? 'Delete',
        o.volumeBindingMode ?? 'Immediate',
        String(Boolean(o.allowVolumeExpansion)),
        age(o, now),
      ];
    },
  },
  {
    resource: 'persistentvolumeclaims',
    group: '',
    version: 'v1',
    kind: 'PersistentVolumeClaim',
    names: ['persistentvolumeclaim', 'pvc'],
    namespaced: true,
    statusSubresource: true,
    columns: ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'],
    row: (o, now) => [
      o.metadata.name,
      o.status?.phase ?? '',
      o.spec?.volumeName ?? '',
      o.status?.capacity?.storage ?? '',
      accessModes(o.status?.accessModes),
      o.spec?.storageClassName ?? '',
      o.spec?.volumeAttributesClassName ?? '<unset>',
      age(o, now),
    ],
  },
  {
    resource: 'persistentvolumes',
    group: '',
    version: 'v1',
    kind: 'PersistentVolume',
    names: ['persistentvolume', 'pv'],
    statusSubresource: true,
    columns: [
      'NAME',
      'CAPACITY',
      'ACCESS MODES',
      'RECLAIM POLICY',
      'STATUS',
      'CLAIM',
      'STORAGECLASS',
      'VOLUMEATTRIBUTESCLASS',
      'REASON',
      'AGE',
    ],
    row: (o, now) => [
      o.metadata.name,
      o.spec?.capacity?.storage ?? '',
      accessModes(o.spec?.accessModes),
      o.spec?.persistentVolumeReclaimPolicy ?? '',
      o.status?.phase ?? '',
      o.spec?.claimRef ? `${o.spec.claimRef.namespace}/${o.spec.claimRef.name}` : '',
      o.spec?.storageClassName ?? '',
      o.spec?.volumeAttributesClassName ?? '<unset>',
      o.status?.reason ?? '',
      age(o, now),
    ],
  },
  {
    // kubernetes-csi/external-snapshotter client/apis/volumesnapshot/v1 (its CRD ships with
    // the cluster's csi-snapshot-controller).
    resource: 'volumesnapshotclasses',
    group: 'snapshot.storage.k8s.io',
    version: 'v1',
    kind: 'VolumeSnapshotClass',
    names: ['volumesnapshotclass', 'vsclass', 'vsclasses'],
    crd: true,
    columns: ['NAME', 'DRIVER', 'DELETIONPOLICY', 'AGE'],
    row: (o, now) => [o.metadata.name, o.driver ?? '', o.deletionPolicy ?? '', age(o, now)],
  },
  {
    // openshift/lvm-operator api/v1alpha1/lvmcluster_types.go (no printer columns).
    resource: 'lvmclusters',
    group: 'lvm.topolvm.io',
    version: 'v1alpha1',
    kind: 'LVMCluster',
    names: ['lvmcluster'],
    namespaced: true,
    crd: true,
    operator: true,
    statusSubresource: true,
    columns: ['NAME', 'AGE'],
    row: (o, now) => [o.metadata.name, age(o, now)],
  },
  {
    // openshift/local-storage-operator api/v1alpha1/localvolumeset_types.go.
    resource: 'localvolumesets',
    group: 'local.storage.openshift.io',
    version: 'v1alpha1',
    kind: 'LocalVolumeSet',
    names: ['localvolumeset'],
    namespaced: true,
    crd: true,
    operator: true,
    statusSubresource: true,
    columns: ['NAME', 'AGE'],
    row: (o, now) => [o.metadata.name, age(o, now)],
  },
  {
    // red-hat-storage/ocs-operator api/v1/storagecluster_types.go.
    resource: 'storageclusters',
    group: 'ocs.openshift.io',
    version: 'v1',
    kind: 'StorageCluster',
    names: ['storagecluster'],
    namespaced: true,
    crd: true,
    operator: true,
    statusSubresource: true,
    columns: ['NAME', 'AGE', 'PHASE', 'EXTERNAL', 'CREATED AT', 'VERSION'],
    row: (o, now) => [
      o.metadata.name,
      age(o, now),
      o.status?.phase ?? '',
      o.spec?.externalStorage?.enable ? 'true' : '',
      o.metadata.creationTimestamp,
      o.status?.version ?? '',
    ],
  },
  {
    // rook pkg/apis/ceph.rook.io/v1/types.go CephCluster.
    resource: 'cephclusters',
    group: 'ceph.rook.io',
    version: 'v1',
    kind: 'CephCluster',
    names: ['cephcluster'],
    namespaced: true,
    crd: true,
    operator: true,
    statusSubresource: true,
    columns: ['NAME', 'DATADIRHOSTPATH', 'MONCOUNT', 'AGE', 'PHASE', 'MESSAGE', 'HEALTH', 'EXTERNAL', 'FSID'],
    row: (o, now) => [
      o.metadata.name,
      o.spec?.dataDirHostPath ?? '',
      o.spec?.mon?.count ?? '',
      age(o, now),
      o.status?.phase ?? '',
      o.status?.message ?? '',
      o.status?.ceph?.health ?? '',
      '',
      o.status?.ceph?.fsid ?? '',
    ],
  },
  {
    // openshift/api imageregistry/v1/types.go Config (`cluster`).
    resource: 'configs',
    group: 'imageregistry.operator.openshift.io',
    version: 'v1',
    kind: 'Config',
    names: ['config'],
    crd: true,
    statusSubresource: true,
    columns: ['NAME', 'AGE'],
    row: (o, now) => [o.metadata.name, age(o, now)],
  },
];

const age = (o, now) => humanDuration(now - Date.parse(o.metadata.creationTimestamp));
// Whether the API serves the resource: an operator's kind only once its CRD was created.
export const served = (state, r) => Boolean(r) && (!r.operator || (state.crds ?? []).includes(r.resource));
const noResourceType = (t) => new CliError(`error: the server doesn't have a resource type "${t}"`);

export function resourceFor(word) {
  const w = word.toLowerCase();
  return RESOURCES.find((r) => {
    const all = [r.resource, ...r.names];
    return all.includes(w) || (r.group && all.some((n) => w === `${n}.${r.group}`));
  });
}
const qualified = (r) => (r.group ? `${r.resource}.${r.group}` : r.resource);
const notFound = (r, name) => `Error from server (NotFound): ${qualified(r)} "${name}" not found`;
const typeName = (r, name) => `${r.kind.toLowerCase()}${r.group ? `.${r.group}` : ''}/${name}`;

// client-go's loading rules: an explicit --kubeconfig must exist; missing files in KUBECONFIG
// are skipped, and no config at all is oc's "Missing or incomplete configuration info".
const EMPTY_CONFIG = `error: Missing or incomplete configuration info.  Please point to an existing, complete config file:


  1. Via the command-line flag --kubeconfig
  2. Via the KUBECONFIG environment variable
  3. In your home directory as ~/.kube/config

To view or setup config directly use the 'config' command.`;
function kubeconfig(args) {
  const explicit = args.value('kubeconfig');
  if (explicit !== undefined && !existsSync(explicit))
    throw new CliError(`error: stat ${explicit}: no such file or directory`);
  const file = explicit ?? (process.env.KUBECONFIG ?? '').split(':').find((f) => f && existsSync(f));
  if (!file) throw new CliError(EMPTY_CONFIG);
  const server = /^\s*server:\s*(\S+)/m.exec(readFileSync(file, 'utf8'))?.[1];
  return server ? new URL(server).host : undefined;
}

// One look at the cluster: run its controllers, then fn(state) under the lock. With the API
// down every client call fails as kubectl reports a refused connection.
// What the tick saw (power, timed changes) is saved even when the API is down.
export function call(ctx, fn) {
  const res = update(ctx.dir, (state) => {
    const now = Date.now();
    tick(ctx.dir, state, now);
    if (!apiServing(state, now)) return { down: ctx.server ?? state.cluster.apiServer };
    return { value: fn(state) };
  });
  if (res.down) {
    const err = new CliError(
      `The connection to the server ${res.down} was refused - did you specify the right host or port?`,
    );
    err.host = res.down;
    throw err;
  }
  return res.value;
}

function selectorMatch(selector, labels = {}) {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const t = term.trim();
    let m;
    if ((m = /^([^!=]+)!=(.*)$/.exec(t))) return labels[m[1]] !== m[2];
    if ((m = /^([^!=]+)==?(.*)$/.exec(t))) return labels[m[1]] === m[2];
    if (t.startsWith('!')) return !(t.slice(1) in labels);
    return t in labels;
  });
}

function printObjects(ctx, r, objects, { single }) {
  const { args } = ctx;
  let output = args.value('output') ?? '';
  const now = Date.now();
  const list = { apiVersion: 'v1', items: objects, kind: 'List', metadata: { resourceVersion: '' } };
  const doc = single ? objects[0] : list;
  if (output === 'json') return printJson(doc);
  if (output === 'yaml') return ctx.yaml.stringify(doc, { sortMapEntries: true, indentSeq: false, lineWidth: 0 });
  if (output === 'name') return objects.map((o) => `${typeName(r, o.metadata.name)}\n`).join('');
  if (output === 'jsonpath' || output === 'template') output = `jsonpath=${args.value('template') ?? ''}`;
  if (output.startsWith('jsonpath=') || output.startsWith('jsonpath-as-json=')) {
    const template = output.slice(output.indexOf('=') + 1);
    try {
      return jsonpath(template, doc);
    } catch (err) {
      throw new CliError(`error: ${err.message}`);
    }
  }
  if (output !== '' && output !== 'wide')
    throw new CliError(
      `error: unable to match a printer suitable for the output format "${output}", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml`,
    );
  if (objects.length === 0) return '';
  const columns = r.namespaced && args.bool('all-namespaces') ? ['NAMESPACE', ...r.columns] : r.columns;
  const rows = objects.map((o) =>
    r.namespaced && args.bool('all-namespaces') ? [o.metadata.namespace, ...r.row(o, now)] : r.row(o, now),
  );
  return table(columns, rows, args.bool('no-headers'));
}

async function get(ctx, words) {
  const { args } = ctx;
  if (words.length === 0)
    throw new CliError(
      `You must specify the type of resource to get. Use "oc api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse "oc explain <resource>" for a detailed description of that resource (e.g. oc explain pods).\nSee 'oc get -h' for help and examples`,
    );
  // TYPE [NAME...] or TYPE/NAME...
  const requests = [];
  if (words[0].includes('/')) {
    for (const w of words) {
      const [type, name] = w.split('/');
      if (!name) throw new CliError(`error: arguments in resource/name form must have a single resource and name`);
      requests.push({ type, name });
    }
  } else for (const name of words.slice(1)) requests.push({ type: words[0], name });
  const types = words[0].includes('/') ? requests.map((q) => q.type) : [words[0]];
  for (const t of types)
    if (!resourceFor(t)) throw new CliError(`error: the server doesn't have a resource type "${t}"`);
  const namespace = args.value('namespace') ?? 'default';
  const all = args.bool('all-namespaces');
  if (args.value('output') === 'yaml') ctx.yaml = await import('yaml'); // sigs.k8s.io/yaml: sorted keys
  return call(ctx, (state) => {
    for (const t of types) if (!served(state, resourceFor(t))) throw noResourceType(t);
    const errors = [];
    let out = '';
    if (requests.length === 0) {
      const r = resourceFor(words[0]);
      const objects = Object.values(state.objects[r.resource] ?? {})
        .filter((o) => !r.namespaced || all || o.metadata.namespace === namespace)
        .filter((o) => selectorMatch(args.value('selector'), o.metadata.labels))
        .sort((a, b) =>
          `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
            `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
          ),
        );
      out = printObjects(ctx, r, objects, { single: false });
      if (objects.length === 0 && !/^(json|yaml|jsonpath|name)/.test(args.value('output') ?? ''))
        errors.push(r.namespaced && !all ? `No resources found in ${namespace} namespace.` : 'No resources found');
      return { out, errors, code: 0 };
    }
    const found = [];
    let r;
    for (const q of requests) {
      r = resourceFor(q.type);
      const o = state.objects[r.resource]?.[r.namespaced ? `${namespace}/${q.name}` : q.name];
      if (o) found.push({ r, o });
      else if (!args.bool('ignore-not-found')) errors.push(notFound(r, q.name));
    }
    if (found.length > 0)
      out = printObjects(
        ctx,
        found[0].r,
        found.map((f) => f.o),
        { single: requests.length === 1 },
      );
    return { out, errors, code: errors.some((e) => e.startsWith('Error from server')) ? 1 : 0 };
  });
}

function certificate(ctx, words, verb) {
  if (words.length === 0)
    throw new CliError(
      `error: one or more CSRs must be specified as <name> or -f <filename>\nSee 'oc adm certificate ${verb} -h' for help and examples`,
    );
  const r = resourceFor('csr');
  return call(ctx, (state) => {
    let out = '';
    const errors = [];
    const now = Date.now();
    for (const name of words) {
      if (!state.objects.certificatesigningrequests[name]) {
        errors.push(notFound(r, name));
        continue;
      }
      const err = verb === 'approve' ? approve(state, name, 'oc', now) : deny(state, name, now);
      if (err) errors.push(`error: ${err}`);
      else
        out += `certificatesigningrequest.certificates.k8s.io/${name} ${verb === 'approve' ? 'approved' : 'denied'}\n`;
    }
    return { out, errors, code: errors.length > 0 ? 1 : 0 };
  });
}

// oc adm wait-for-stable-cluster (oc pkg/cli/admin/waitforstable/command.go): polls the
// operators every 10 s (or just over the stable period when that is shorter) and succeeds once
// none is unavailable, progressing or degraded for longer than --minimum-stable-period. The
// fake's clock runs FYR_DOUBLE_TIME_SCALE times faster; the durations printed are the virtual ones.
async function waitForStable(ctx) {
  const { args, io } = ctx;
  let timeout;
  let period;
  try {
    timeout = parseGoDuration(args.value('timeout') ?? '1h');
    period = parseGoDuration(args.value('minimum-stable-period') ?? '5m');
  } catch (err) {
    throw new CliError(`Error: invalid argument: ${err.message}`);
  }
  if (timeout <= period) throw new CliError('error: --timeout must be greater than the --minimum-stable-period');
  const interval = 10_000 > period ? period + 1000 : 10_000;
  const scale = timeScale();
  const start = Date.now();
  const virtual = () => start + (Date.now() - start) * scale;
  let stableSince;
  let previously = new Set();
  const since = new Map();
  for (;;) {
    const now = virtual();
    if (now - start >= timeout) throw new CliError('error: context deadline exceeded');
    let operators;
    try {
      operators = call(ctx, (state) => ({
        out: '',
        errors: [],
        value: Object.values(state.objects.clusteroperators),
      })).value;
    } catch (err) {
      if (!(err instanceof CliError) || !err.host) throw err;
      const host = err.host;
      io.err(
        `failed to list clusteroperators: Get "https://${host}/apis/config.openshift.io/v1/clusteroperators": dial tcp ${host}: connect: connection refused`,
      );
      stableSince = undefined;
      io.out('\n');
      await sleep(interval / scale);
      continue;
    }
    const unstable = new Set();
    for (const co of operators.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
      const name = co.metadata.name;
      const c = co.status?.conditions;
      const why = [
        !isTrue(c, 'Available') && 'unavailable',
        !isFalse(c, 'Progressing') && 'progressing',
        !isFalse(c, 'Degraded') && 'degraded',
      ]
        .filter(Boolean)
        .join(' and ');
      if (why) {
        unstable.add(name);
        if (!since.has(name)) since.set(name, now);
        if (previously.has(name))
          io.out(`clusteroperators/${name} is still ${why} after ${formatGoDuration(now - since.get(name))}\n`);
        else if (previously.size === 0) io.out(`clusteroperators/${name} is ${why} at ${iso(now)}\n`);
        else io.out(`clusteroperators/${name} became ${why} at ${iso(now)}\n`);
      } else {
        if (previously.has(name))
          io.out(
            `clusteroperators/${name} stabilized at ${iso(now)} after ${formatGoDuration(now - since.get(name))}\n`,
          );
        since.delete(name);
      }
    }
    previously = unstable;
    let done = false;
    if (unstable.size > 0) stableSince = undefined;
    else if (stableSince === undefined) {
      stableSince = now;
      io.out(`All clusteroperators became stable at ${iso(now)}\n`);
    } else {
      io.out(`All clusteroperators are still stable after ${formatGoDuration(now - stableSince)}\n`);
      done = now - stableSince > period;
    }
    io.out('\n');
    if (done) break;
    await sleep(interval / scale);
  }
  io.out('All clusteroperators are stable\n');
  return 0;
}

// ---- Writes: oc apply -f (client-side apply) and oc patch ----------------------------------
// As oc 4.18 (kubectl v0.31) does them: kubectl pkg/cmd/apply/apply.go and patcher.go,
// pkg/cmd/patch/patch.go and pkg/cmd/util/helpers.go (how errors print); cli-runtime
// pkg/resource (builder, mapper.go, visitor.go: reading -f, kinds, namespaces); on the server
// side apiserver pkg/endpoints/handlers/patch.go and the registry strategies. Each run is one
// `call`: everything it changes is written at once through the store's atomic update.

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const apiVersionOf = (r) => (r.group ? `${r.group}/${r.version}` : r.version);
const gvkString = (r) => `${r.group}/${r.version}, Kind=${r.kind}`;
// resource.Info.String(), which kubectl's apply errors quote.
const infoString = (r, name, namespace) =>
  `Resource: "${r.group}/${r.version}, Resource=${r.resource}", GroupVersionKind: "${gvkString(r)}"\nName: "${name}", Namespace: "${namespace}"`;

// An error as kubectl's CheckErr prints it: `alone` when it is the only one, `among` in
// MultipleErrors (messageForError: no "error: " prefix on client errors).
const clientError = (msg) => ({ alone: msg.startsWith('error: ') ? msg : `error: ${msg}`, among: msg });
const serverError = (reason, message) => ({
  alone: `Error from server (${reason}): ${message}`,
  among: `Error from server (${reason}): ${message}`,
  reason,
  message,
});
// A 422 (reason Invalid): alone, "The request is invalid" and its causes, else its message.
function invalidError(message, causes = []) {
  let alone = `The request is invalid: ${message}`;
  if (causes.length === 1) alone = `The request is invalid: ${causes[0]}`;
  else if (causes.length > 1) alone = `The request is invalid: \n${causes.map((c) => `* ${c}`).join('\n')}`;
  return { alone, among: `Error from server (Invalid): ${message}` };
}
const report = (errors) => (errors.length === 1 ? [errors[0].alone] : errors.map((e) => e.among));

// --dry-run (cmdutil.GetDryRunStrategy) and the suffix the printers add.
const DRY_RUN_SUFFIX = { none: '', client: ' (dry run)', server: ' (server dry run)' };
function dryRunStrategy(args) {
  const v = args.value('dry-run') ?? 'none';
  if (v === 'none' || v === 'false') return 'none';
  if (v === 'client' || v === 'true') return 'client';
  if (v === 'server') return 'server';
  throw new CliError(`error: Invalid dry-run value (${v}). Must be "none", "server", or "client".`);
}
// -o: kubectl's NamePrinter ("configmap/x created"; -o name drops the operation) or the object.
function writeOutput(args) {
  const output = args.value('output') ?? '';
  if (!['', 'name', 'json', 'yaml'].includes(output))
    throw new CliError(
      `error: unable to match a printer suitable for the output format "${output}", allowed formats are: json,name,yaml`,
    );
  return output;
}
function printWritten(output, r, obj, operation) {
  if (output === 'name') return `${typeName(r, obj.metadata.name)}\n`;
  if (output === '') return `${typeName(r, obj.metadata.name)} ${operation}\n`;
  return '';
}
function printObjectsWritten(ctx, output, objects) {
  if (output !== 'json' && output !== 'yaml') return '';
  const doc =
    objects.length === 1
      ? objects[0]
      : { apiVersion: 'v1', items: objects, kind: 'List', metadata: { resourceVersion: '' } };
  if (output === 'json') return printJson(doc);
  return ctx.yaml.stringify(doc, { sortMapEntries: true, indentSeq: false, lineWidth: 0 });
}

// What decoding into the typed object refuses (json: cannot unmarshal …): the string maps of
// ObjectMeta, ConfigMap and Secret. CRD objects are unstructured and not checked here.
function decodeError(r, obj) {
  if (r.crd) return undefined;
  const stringMap = (value, field, type, elem = 'string') => {
    if (value === undefined || value === null) return undefined;
    if (!isObject(value))
      return `json: cannot unmarshal ${jsonTypeName(value)} into Go struct field ${type}.${field} of type map[string]${elem}`;
    for (const v of Object.values(value))
      if (v !== null && typeof v !== 'string')
        return `json: cannot unmarshal ${jsonTypeName(v)} into Go struct field ${type}.${field} of type ${elem}`;
    return undefined;
  };
  const m = obj.metadata ?? {};
  return (
    stringMap(m.labels, 'metadata.labels', 'ObjectMeta') ??
    stringMap(m.annotations, 'metadata.annotations', 'ObjectMeta') ??
    (r.kind === 'ConfigMap'
      ? (stringMap(obj.data, 'data', 'ConfigMap') ?? stringMap(obj.binaryData, 'binaryData', 'ConfigMap', '[]uint8'))
      : undefined) ??
    (r.kind === 'Secret'
      ? (stringMap(obj.data, 'data', 'Secret', '[]uint8') ?? stringMap(obj.stringData, 'stringData', 'Secret'))
      : undefined)
  );
}

// What the registry strategies and conversions do to every write: a Secret's stringData is
// merged into data (base64) and dropped; a Namespace keeps its name label and finalizer.
function normalize(r, obj) {
  if (r.kind === 'Secret') {
    if (obj.stringData) {
      obj.data = { ...(obj.data ?? {}) };
      for (const [k, v] of Object.entries(obj.stringData)) obj.data[k] = Buffer.from(v ?? '').toString('base64');
    }
    delete obj.stringData;
    obj.type ??= 'Opaque';
  }
  if (r.kind === 'Namespace') {
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name };
    obj.spec = { ...(obj.spec ?? {}) };
    if (!(obj.spec.finalizers ?? []).includes('kubernetes'))
      obj.spec.finalizers = [...(obj.spec.finalizers ?? []), 'kubernetes'];
  }
}

// POST: the server's metadata (uid, resourceVersion, creationTimestamp; generation 1 for
// custom resources), status dropped where it is a subresource (custom resources) or reset
// (CSRs), a new Namespace Active.
function admitCreate(state, r, obj, now) {
  const { generation: _g, ...given } = obj.metadata;
  obj.metadata = { ...given, ...meta(state, given.name, now, r.crd ? { generation: 1 } : {}) };
  if (r.crd && r.statusSubresource) delete obj.status;
  if (r.kind === 'CertificateSigningRequest') obj.status = {};
  if (r.kind === 'Namespace') obj.status = { phase: 'Active' };
  // The registry strategies' PrepareForCreate: a new claim is Pending, a new pod Pending.
  if (r.kind === 'PersistentVolumeClaim') obj.status = { phase: 'Pending' };
  if (r.kind === 'Pod') obj.status = { phase: 'Pending' };
  normalize(r, obj);
  return obj;
}

// PATCH's server half, after the patch made `next` from `live`: the resourceVersion
// precondition, the name and namespace of the URL, the fields users cannot write (server
// metadata, a status behind its subresource, a Namespace's finalizers), typed decoding, and
// the generation of a custom resource whose spec changed. {object, changed} or {error}.
function admitUpdate(state, r, live, next) {
  const lm = live.metadata;
  if (!isObject(next.metadata)) next.metadata = {};
  const m = next.metadata;
  if (m.resourceVersion !== undefined && m.resourceVersion !== lm.resourceVersion)
    return {
      error: serverError(
        'Conflict',
        `Operation cannot be fulfilled on ${qualified(r)} "${lm.name}": the object has been modified; please apply your changes to the latest version and try again`,
      ),
    };
  if (m.name !== undefined && m.name !== lm.name)
    return {
      error: serverError(
        'BadRequest',
        `the name of the object (${m.name}) does not match the name on the URL (${lm.name})`,
      ),
    };
  if (r.namespaced && m.namespace && m.namespace !== lm.namespace)
    return {
      error: serverError(
        'BadRequest',
        'the namespace of the provided object does not match the namespace sent on the request',
      ),
    };
  next.apiVersion = live.apiVersion;
  next.kind = live.kind;
  for (const k of ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'generation', 'generateName']) {
    if (lm[k] === undefined) delete m[k];
    else m[k] = lm[k];
  }
  if (r.statusSubresource) {
    if (live.status === undefined) delete next.status;
    else next.status = structuredClone(live.status);
  }
  if (r.kind === 'Namespace') next.spec = { ...(next.spec ?? {}), finalizers: live.spec?.finalizers ?? ['kubernetes'] };
  const bad = decodeError(r, next);
  if (bad) {
    const cause = `patch: Invalid value: ${JSON.stringify(compactJson(next))}: ${bad}`;
    return { error: invalidError(` "" is invalid: ${cause}`, [cause]) };
  }
  normalize(r, next);
  if (deepEqual(next, live)) return { object: live, changed: false };
  const content = (o) => {
    const { metadata: _m, status: _s, ...rest } = o;
    return rest;
  };
  if (r.crd && !deepEqual(content(next), content(live))) m.generation = (lm.generation ?? 0) + 1;
  touch(state, next);
  return { object: next, changed: true };
}

// Runs `fn` on a copy of the state (a dry run): what it would store is thrown away.
function dryRunOn(state, fn) {
  const scratch = structuredClone(state);
  return fn(scratch);
}

// The kind a manifest names, or undefined (the RESTMapper's NoKindMatchError).
const mappingFor = (apiVersion, kind, state) =>
  RESOURCES.find((r) => r.kind === kind && apiVersionOf(r) === apiVersion && (!state || served(state, r)));
const noKindMatch = (apiVersion, kind) => `no matches for kind "${kind}" in version "${apiVersion}"`;

// The visitor chain over one source's objects (mapper.infoForData, FlattenListVisitor,
// SetNamespace, RequireNamespace, FilterNamespace): infos to apply and per-object errors.
function resolve(objects, source, { namespace, explicit }, infos, errors, state) {
  const place = (r, obj) => {
    if (!isObject(obj.metadata)) obj.metadata = {};
    const m = obj.metadata;
    if (!r.namespaced) {
      delete m.namespace;
      infos.push({ r, obj, source, name: m.name ?? '', namespace: '' });
      return;
    }
    if (!m.namespace) m.namespace = namespace;
    else if (explicit !== undefined && m.namespace !== explicit) {
      errors.push(
        clientError(
          `the namespace from the provided object "${m.namespace}" does not match the namespace "${explicit}". You must pass '--namespace=${m.namespace}' to perform this operation.`,
        ),
      );
      return;
    }
    infos.push({ r, obj, source, name: m.name ?? '', namespace: m.namespace });
  };
  for (const obj of objects) {
    const isList = obj.items !== undefined && obj.items !== null;
    const listOf =
      isList && obj.kind.endsWith('List') ? mappingFor(obj.apiVersion, obj.kind.slice(0, -4), state) : undefined;
    if (isList && ((obj.kind === 'List' && obj.apiVersion === 'v1') || listOf)) {
      for (const item of Array.isArray(obj.items) ? obj.items : []) {
        if (!isObject(item) || typeof item.kind !== 'string' || !item.kind) {
          errors.push(clientError(`Object 'Kind' is missing in '${compactJson(item)}'`));
          continue;
        }
        const r = mappingFor(item.apiVersion, item.kind, state);
        if (r) place(r, item);
        else errors.push(clientError(`unable to recognize ${noKindMatch(item.apiVersion, item.kind)}`));
      }
      continue;
    }
    const r = mappingFor(obj.apiVersion, obj.kind, state);
    if (r) place(r, obj);
    else {
      const name = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '';
      const ns = typeof obj.metadata?.namespace === 'string' ? obj.metadata.namespace : '';
      errors.push(
        clientError(
          `resource mapping not found for name: "${name}" namespace: "${ns}" from "${source}": ${noKindMatch(obj.apiVersion, obj.kind)}\nensure CRDs are installed first`,
        ),
      );
    }
  }
}

// ExpandPathsToFileVisitors: a directory's .json, .yaml and .yml files in lexical order
// (subdirectories with -R only).
function manifestFiles(dir, recursive) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (recursive) out.push(...manifestFiles(path, recursive));
    } else if (/\.(json|ya?ml)$/.test(name)) out.push(path);
  }
  return out;
}

// One object of client-side apply (applyOneObject): create it with the last-applied
// annotation when absent, else send the three-way merge patch of that annotation, the file
// and the live object (a JSON merge patch; for built-in kinds kubectl sends a strategic merge
// patch, which on the maps these objects hold — data, labels, annotations, spec fields without
// a patchMergeKey — is the same; lists with merge keys are replaced here, merged there).
function applyOne(ctx, state, info, dryRun, now) {
  const { r, obj, source, name, namespace } = info;
  // util.GetModifiedConfiguration(obj, annotate=true): the file's object, its annotations
  // (always a map, so "annotations":{} is in it) carrying its own JSON as last-applied.
  const annotations = { ...(obj.metadata.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  const bare = { ...obj, metadata: { ...obj.metadata, annotations } };
  const modified = {
    ...obj,
    metadata: { ...obj.metadata, annotations: { ...annotations, [LAST_APPLIED]: `${compactJson(bare)}\n` } },
  };
  if (!name)
    return {
      error: clientError(
        `error when retrieving current configuration of:\n${infoString(r, name, namespace)}\nfrom server for: "${source}": resource name may not be empty`,
      ),
    };
  const key = r.namespaced ? `${namespace}/${name}` : name;
  const live = state.objects[r.resource]?.[key];
  if (!live) {
    const created = pruneNulls(structuredClone(modified));
    if (dryRun === 'client') return { operation: 'created', object: created };
    if (r.namespaced && !state.objects.namespaces?.[namespace])
      return { error: serverError('NotFound', `error when creating "${source}": namespaces "${namespace}" not found`) };
    const bad = decodeError(r, created);
    if (bad)
      return {
        error: serverError(
          'BadRequest',
          `error when creating "${source}": ${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: ${bad}`,
        ),
      };
    if (dryRun === 'server')
      return { operation: 'created', object: dryRunOn(state, (s) => admitCreate(s, r, created, now)) };
    (state.objects[r.resource] ??= {})[key] = admitCreate(state, r, created, now);
    return { operation: 'created', object: state.objects[r.resource][key] };
  }
  if (live.metadata.annotations?.[LAST_APPLIED] === undefined)
    ctx.io.err(
      `Warning: resource ${r.resource}/${name} is missing the ${LAST_APPLIED} annotation which is required by oc apply. oc apply should only be used on resources created declaratively by either oc create --save-config or oc apply. The missing annotation will be patched automatically.\n`,
    );
  let original = {};
  try {
    original = JSON.parse(live.metadata.annotations?.[LAST_APPLIED] ?? '{}') ?? {};
  } catch {
    // an annotation that is not JSON counts as none
  }
  const patch = threeWayMergePatch(original, modified, live);
  if (Object.keys(patch).length === 0) return { operation: 'unchanged', object: live };
  if (dryRun === 'client') return { operation: 'configured', object: mergePatch(live, patch) };
  const run = (s) => admitUpdate(s, r, live, mergePatch(live, patch));
  const res = dryRun === 'server' ? dryRunOn(state, run) : run(state);
  if (res.error) {
    // patcher.Patch and applyOneObject add where it happened (cmdutil.AddSourceToErr).
    const where = `error when applying patch:\n${compactJson(patch)}\nto:\n${infoString(r, name, namespace)}\nfor: "${source}": error when patching "${source}": `;
    const e = res.error;
    return { error: e.reason ? serverError(e.reason, `${where}${e.message}`) : e };
  }
  if (res.changed && dryRun === 'none') state.objects[r.resource][key] = res.object;
  return { operation: 'configured', object: res.object };
}
function pruneNulls(v) {
  if (Array.isArray(v)) return v.map(pruneNulls);
  if (!isObject(v)) return v;
  for (const [k, x] of Object.entries(v)) {
    if (x === null) delete v[k];
    else v[k] = pruneNulls(x);
  }
  return v;
}

// oc apply -f FILE|DIR|- [-f …] [-n NS] [-R] [--dry-run=…] [-o name|json|yaml].
async function apply(ctx, words) {
  const { args } = ctx;
  if (words.length > 0)
    throw new CliError(`error: Unexpected args: [${words.join(' ')}]\nSee 'oc apply -h' for help and examples`);
  if (args.bool('server-side')) throw new CliError('oc double: apply --server-side is not modelled', 2);
  const dryRun = dryRunStrategy(args);
  const output = writeOutput(args);
  const files = args.flags.filename ?? [];
  if (files.length === 0) throw new CliError('error: must specify one of -f and -k');
  ctx.yaml = await import('yaml');
  const explicit = args.value('namespace');
  const namespaces = { namespace: explicit ?? 'default', explicit };
  // The builder's paths, all checked before anything is read.
  const sources = [];
  for (const f of files) {
    if (f === '-') sources.push({ source: 'STDIN', text: readFileSync(0, 'utf8') });
    else if (!existsSync(f)) throw new CliError(`error: the path "${f}" does not exist`);
    else if (statSync(f).isDirectory())
      for (const p of manifestFiles(f, args.bool('recursive')))
        sources.push({ source: p, text: readFileSync(p, 'utf8') });
    else sources.push({ source: f, text: readFileSync(f, 'utf8') });
  }
  const read = sources.map(({ source, text }) => ({ source, ...readManifests(ctx.yaml, source, text) }));
  const run = (state) => {
    const errors = [];
    const infos = [];
    for (const { source, objects, error } of read) {
      resolve(objects, source, namespaces, infos, errors, state);
      if (error) errors.push(clientError(error));
    }
    if (infos.length === 0 && errors.length === 0) throw new CliError('error: no objects passed to apply');
    let out = '';
    const printed = [];
    const now = Date.now();
    for (const info of infos) {
      const res = applyOne(ctx, state, info, dryRun, now);
      if (res.error) {
        errors.push(res.error);
        continue;
      }
      out += printWritten(output, info.r, res.object, `${res.operation}${DRY_RUN_SUFFIX[dryRun]}`);
      printed.push(res.object);
    }
    out += printObjectsWritten(ctx, output, printed);
    return { out, errors: report(errors), code: errors.length > 0 ? 1 : 0 };
  };
  // Nothing decoded, nothing to ask the server (its discovery maps the kinds).
  if (read.every((x) => x.objects.length === 0)) {
    const errors = read.filter((x) => x.error).map((x) => clientError(x.error));
    if (errors.length === 0) throw new CliError('error: no objects passed to apply');
    return { out: '', errors: report(errors), code: 1 };
  }
  return call(ctx, run);
}

// The patch body as the API server decodes it for each type (handlers/patch.go: strict JSON
// into []jsonPatchOp or map[string]interface{}): {value} or {error}.
function decodePatch(type, json) {
  const prefix = type === 'strategic' ? '' : 'error decoding patch: ';
  const bad = (msg) => ({ error: serverError('BadRequest', `${prefix}${msg}`) });
  const err = syntaxError(json);
  if (err) return bad(err.message);
  const v = JSON.parse(json);
  if (type !== 'json') {
    if (v !== null && !isObject(v))
      return bad(`json: cannot unmarshal ${jsonTypeName(v)} into Go value of type map[string]interface {}`);
    return { value: v ?? {} };
  }
  if (v !== null && !Array.isArray(v))
    return bad(`json: cannot unmarshal ${jsonTypeName(v)} into Go value of type []handlers.jsonPatchOp`);
  for (const op of v ?? []) {
    if (op !== null && !isObject(op))
      return bad(`json: cannot unmarshal ${jsonTypeName(op)} into Go value of type handlers.jsonPatchOp`);
    for (const f of ['op', 'path', 'from'])
      if (op?.[f] !== undefined && op[f] !== null && typeof op[f] !== 'string')
        return bad(
          `json: cannot unmarshal ${jsonTypeName(op[f])} into Go struct field jsonPatchOp.${f} of type string`,
        );
  }
  return { value: (v ?? []).filter((op) => op !== null) };
}

const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};
// What apiextensions serves custom resources (no strategic merge: no Go struct to merge by).
const CRD_PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
const MISSING_RESOURCE = `You must provide one or more resources by argument or filename.
Example resource specifications include:
   '-f rsrc.yaml'
   '--filename=rsrc.json'
   '<resource> <name>'
   '<resource>'`;

// oc patch TYPE NAME…|TYPE/NAME… [-n NS] [--type json|merge|strategic] -p PATCH|--patch-file F.
// The default type is strategic: on the built-in kinds it merges as a JSON merge patch does
// (see applyOne); custom resources (ClusterVersion, ClusterOperator) refuse it with the API
// server's 415, as they do on a real cluster, so callers must say --type merge or json.
async function patchCmd(ctx, words) {
  const { args } = ctx;
  if (args.flags.filename || args.bool('local')) throw new CliError('oc double: patch -f/--local is not modelled', 2);
  const dryRun = dryRunStrategy(args);
  const output = writeOutput(args);
  const text = args.value('patch') ?? '';
  const file = args.value('patch-file') ?? '';
  if (text && file) throw new CliError('error: cannot specify --patch and --patch-file together');
  if (!text && !file)
    throw new CliError('error: must specify --patch or --patch-file containing the contents of the patch');
  const typeFlag = args.value('type') || 'strategic';
  const type = typeFlag.toLowerCase();
  if (!PATCH_TYPES[type]) throw new CliError(`error: --type must be one of [json merge strategic], not "${typeFlag}"`);
  let body = text;
  if (file) {
    try {
      body = readFileSync(file, 'utf8');
    } catch {
      throw new CliError(`error: unable to read patch file: open ${file}: no such file or directory`);
    }
  }
  // apimachinery yaml.ToJSON: JSON (a "{" first) goes as it is, YAML is converted.
  let json = body;
  if (!/^\s*\{/.test(body)) {
    const converted = yamlToJson(await import('yaml'), body);
    if (converted.error) throw new CliError(`error: unable to parse ${JSON.stringify(text)}: ${converted.error}`);
    json = JSON.stringify(converted.value ?? null);
  }
  // The builder: TYPE NAME… or TYPE/NAME….
  if (words.length === 0) throw new CliError(`error: ${MISSING_RESOURCE}`);
  const targets = words[0].includes('/')
    ? words.map((w) => {
        const [type, name] = w.split('/');
        if (!name) throw new CliError('error: arguments in resource/name form must have a single resource and name');
        return { type, name };
      })
    : words.slice(1).map((name) => ({ type: words[0], name }));
  for (const t of words[0].includes('/') ? targets.map((x) => x.type) : [words[0]])
    if (!resourceFor(t)) throw new CliError(`error: the server doesn't have a resource type "${t}"`);
  if (targets.length === 0) throw new CliError('error: resource(s) were provided, but no name was specified');
  const namespace = args.value('namespace') ?? 'default';
  if (output === 'yaml') ctx.yaml = await import('yaml');
  return call(ctx, (state) => {
    for (const t of targets) if (!served(state, resourceFor(t.type))) throw noResourceType(t.type);
    const errors = [];
    let out = '';
    const now = Date.now();
    for (const t of targets) {
      const r = resourceFor(t.type);
      const key = r.namespaced ? `${namespace}/${t.name}` : t.name;
      const live = state.objects[r.resource]?.[key];
      if (!live) {
        errors.push(serverError('NotFound', `${qualified(r)} "${t.name}" not found`));
        continue;
      }
      if (r.crd && type === 'strategic') {
        errors.push(
          clientError(
            dryRun === 'client'
              ? `strategic merge patch is not supported for ${gvkString(r)} locally, try --type merge`
              : `${PATCH_TYPES.strategic} is not supported by ${gvkString(r)}: the body of the request was in an unknown format - accepted media types include: ${CRD_PATCH_TYPES.join(', ')}`,
          ),
        );
        continue;
      }
      const decoded = decodePatch(type, json);
      if (decoded.error) {
        errors.push(decoded.error);
        continue;
      }
      let next;
      try {
        next = type === 'json' ? applyJsonPatch(live, decoded.value) : mergePatch(live, decoded.value);
      } catch {
        // The server answers a failed operation (a test that does not hold, a path that is
        // not there) with a bare 422, which kubectl prints as this.
        errors.push(invalidError('the server rejected our request due to an error in our request'));
        continue;
      }
      const run = (s) => admitUpdate(s, r, live, next);
      const res = dryRun === 'none' ? run(state) : dryRunOn(state, run);
      if (res.error) {
        errors.push(res.error);
        continue;
      }
      if (res.changed && dryRun === 'none') state.objects[r.resource][key] = res.object;
      out += printWritten(
        output,
        r,
        res.object,
        `${res.changed ? 'patched' : 'patched (no change)'}${DRY_RUN_SUFFIX[dryRun]}`,
      );
      out += printObjectsWritten(ctx, output, [res.object]);
    }
    return { out, errors: report(errors), code: errors.length > 0 ? 1 : 0 };
  });
}

// ---- Nodes on day 2: oc adm cordon|uncordon|drain, oc delete node, oc extract ------------

// kubectl pkg/cmd/drain/drain.go (oc adm wraps it): the nodes from the builder (names or -l),
// all looked up before anything changes (a missing one is the server's NotFound), then
// RunCordonOrUncordon: "node/N cordoned", or "already cordoned" when spec.unschedulable is
// already as wanted (pkg/drain/cordon.go patches only spec.unschedulable; the node lifecycle
// controller adds the unschedulable taint, see controller.mjs).
function nodesFor(ctx, state, words, verb) {
  const { args } = ctx;
  const selector = args.value('selector');
  if (words.length === 0 && selector === undefined)
    throw new CliError(`error: USAGE: ${verb} NODE [flags]\nSee 'oc adm ${verb} -h' for help and examples`);
  if (words.length > 0 && selector)
    throw new CliError(
      `error: cannot specify both a node name and a --selector option\nSee 'oc adm ${verb} -h' for help and examples`,
    );
  const r = resourceFor('nodes');
  if (selector !== undefined)
    return Object.values(state.objects.nodes)
      .filter((n) => selectorMatch(selector, n.metadata.labels))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return words.map((w) => {
    const name = w.replace(/^(node|nodes|no)\//, '');
    const n = state.objects.nodes[name];
    if (!n) throw new CliError(notFound(r, name));
    return n;
  });
}

function cordonNodes(ctx, state, nodes, desired) {
  let out = '';
  const dry = ctx.args.value('dry-run');
  const suffix =
    dry && dry !== 'none' && dry !== 'false' ? (dry === 'server' ? ' (server dry run)' : ' (dry run)') : '';
  for (const n of nodes) {
    if (Boolean(n.spec.unschedulable) === desired) {
      out += `node/${n.metadata.name} already ${desired ? 'cordoned' : 'uncordoned'}${suffix}\n`;
      continue;
    }
    if (!suffix) {
      // The two-way strategic merge patch of spec.unschedulable (omitempty: false drops it).
      if (desired) n.spec.unschedulable = true;
      else delete n.spec.unschedulable;
      touch(state, n);
    }
    out += `node/${n.metadata.name} ${desired ? 'cordoned' : 'uncordoned'}${suffix}\n`;
  }
  return out;
}

function cordon(ctx, words, desired) {
  return call(ctx, (state) => {
    const nodes = nodesFor(ctx, state, words, desired ? 'cordon' : 'uncordon');
    return { out: cordonNodes(ctx, state, nodes, desired), errors: [], code: 0 };
  });
}

// oc adm drain NODE… [--ignore-daemonsets] [--delete-emptydir-data] [--force] [--timeout=D]
// [--disable-eviction] [--grace-period=N]: cordon, then evict each node's pods and print
// "node/N drained". The fake runs no pods, so there is nothing to evict or wait for.
function drain(ctx, words) {
  const { args } = ctx;
  for (const flag of ['timeout']) {
    const v = args.value(flag);
    if (v === undefined) continue;
    try {
      parseGoDuration(v);
    } catch (err) {
      throw new CliError(`Error: invalid argument "${v}" for "--${flag}" flag: ${err.message}`);
    }
  }
  for (const flag of ['grace-period', 'skip-wait-for-delete-timeout']) {
    const v = args.value(flag);
    if (v !== undefined && !/^-?\d+$/.test(v))
      throw new CliError(
        `Error: invalid argument "${v}" for "--${flag}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`,
      );
  }
  return call(ctx, (state) => {
    const nodes = nodesFor(ctx, state, words, 'drain');
    let out = cordonNodes(ctx, state, nodes, true);
    for (const n of nodes) out += `node/${n.metadata.name} drained\n`;
    return { out, errors: [], code: 0 };
  });
}

// oc delete node NAME… | node/NAME… (kubectl pkg/cmd/delete/delete.go PrintObj: `node "N"
// deleted`; -o name: "node/N"). A missing node is the server's NotFound, or nothing with
// --ignore-not-found. The machine keeps running but its kubelet does not register again until
// the machine boots again, as a new kubelet (power.mjs).
function deleteCmd(ctx, words) {
  const { args } = ctx;
  if (words.length === 0) throw new CliError(`error: ${MISSING_RESOURCE}`);
  const targets = words[0].includes('/')
    ? words.map((w) => w.split('/'))
    : words.slice(1).map((name) => [words[0], name]);
  for (const [type] of targets) {
    const r = resourceFor(type);
    if (!r) throw new CliError(`error: the server doesn't have a resource type "${type}"`);
    if (r.resource !== 'nodes') throw new CliError(`oc double: delete ${r.resource} is not modelled`, 2);
  }
  if (targets.length === 0) throw new CliError('error: resource(s) were provided, but no name was specified');
  const r = resourceFor('nodes');
  return call(ctx, (state) => {
    let out = '';
    const errors = [];
    for (const [, name] of targets) {
      if (!state.objects.nodes[name]) {
        if (!args.bool('ignore-not-found')) errors.push(notFound(r, name));
        continue;
      }
      delete state.objects.nodes[name];
      state.rv += 1;
      const m = state.machines.find((x) => x.name === name);
      if (m) m.nodeDeleted = true;
      out += args.value('output') === 'name' ? `node/${name}\n` : `node "${name}" deleted\n`;
    }
    return { out, errors, code: errors.length > 0 ? 1 : 0 };
  });
}

// oc extract TYPE/NAME… [-n NS] [--keys=K,…] [--to=DIR|-] [--confirm] (oc pkg/cli/extract/
// extract.go): with --to=- each key's name goes to stderr as "# KEY" and its value to stdout,
// with a newline added when it has none; with a directory each key is written to DIR/KEY
// (exists: "file exists, pass --confirm to overwrite") and its path printed. Secrets and
// ConfigMaps only.
function extract(ctx, words) {
  const { args, io } = ctx;
  const to = args.value('to') ?? '.';
  const keys = (args.flags.keys ?? []).flatMap((k) => k.split(',')).filter(Boolean);
  if (to !== '-' && !existsSync(to)) {
    if (!args.bool('confirm'))
      throw new CliError(
        `error: use --confirm if you want to create target directory: stat ${to}: no such file or directory`,
      );
    mkdirSync(to, { recursive: true });
  }
  const namespace = args.value('namespace') ?? 'default';
  const targets = words.map((w) => {
    const [type, name] = w.split('/');
    if (!name) throw new CliError(`error: arguments in resource/name form must have a single resource and name`);
    const r = resourceFor(type);
    if (!r) throw new CliError(`error: the server doesn't have a resource type "${type}"`);
    return { r, name };
  });
  if (targets.length === 0) throw new CliError('error: you must specify at least one resource to extract');
  const found = call(ctx, (state) =>
    targets.map(({ r, name }) => {
      const o = state.objects[r.resource]?.[r.namespaced ? `${namespace}/${name}` : name];
      if (!o) throw new CliError(notFound(r, name));
      return { r, o: structuredClone(o) };
    }),
  );
  let count = 0;
  const errors = [];
  for (const { r, o } of found) {
    let contents;
    if (r.kind === 'Secret') contents = Object.entries(o.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]);
    else if (r.kind === 'ConfigMap')
      contents = [
        ...Object.entries(o.data ?? {}).map(([k, v]) => [k, Buffer.from(v)]),
        ...Object.entries(o.binaryData ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
      ];
    else {
      io.err(`warning: ${r.resource}/${o.metadata.name} does not support extraction\n`);
      continue;
    }
    count++;
    for (const [k, v] of contents.sort(([a], [b]) => a.localeCompare(b))) {
      if (keys.length > 0 && !keys.includes(k)) continue;
      if (to === '-') {
        io.err(`# ${k}\n`);
        io.out(v);
        if (v.length === 0 || v[v.length - 1] !== 0x0a) io.out('\n');
        continue;
      }
      const target = join(to, k);
      if (existsSync(target) && !args.bool('confirm')) {
        errors.push(`${k}: file exists, pass --confirm to overwrite`);
        continue;
      }
      writeFileSync(target, v, { mode: 0o600 });
      io.out(`${target}\n`);
    }
  }
  if (errors.length > 0) throw new CliError(`error: ${errors.join('\nerror: ')}`);
  if (count === 0) throw new CliError('error: you must specify at least one resource to extract');
  return 0;
}

export const COMMANDS = [
  { path: ['get'], run: get },
  { path: ['apply'], run: apply },
  { path: ['patch'], run: patchCmd },
  { path: ['adm', 'certificate', 'approve'], run: (ctx, words) => certificate(ctx, words, 'approve') },
  { path: ['adm', 'certificate', 'deny'], run: (ctx, words) => certificate(ctx, words, 'deny') },
  { path: ['adm', 'wait-for-stable-cluster'], run: waitForStable },
  { path: ['debug'], run: (ctx, words) => debug(ctx, words, call) },
  { path: ['adm', 'cordon'], run: (ctx, words) => cordon(ctx, words, true) },
  { path: ['adm', 'uncordon'], run: (ctx, words) => cordon(ctx, words, false) },
  { path: ['adm', 'drain'], run: drain },
  { path: ['delete'], run: deleteCmd },
  { path: ['extract'], run: extract },
  { path: ['adm', 'upgrade'], run: (ctx, words) => admUpgrade(ctx, words, call) },
];

// The command an argv names (flags skipped), or undefined.
export function commandFor(argv) {
  let words;
  try {
    words = parseArgs(argv).words;
  } catch {
    words = argv.filter((a) => !a.startsWith('-'));
  }
  return COMMANDS.find((c) => c.path.every((p, i) => words[i] === p));
}

// Runs one oc command line against the cluster in doublesDir; returns the exit code.
export async function runOc(doublesDir, argv, io) {
  try {
    const args = parseArgs(argv);
    const command = COMMANDS.find((c) => c.path.every((p, i) => args.words[i] === p));
    if (!command) throw new CliError(`oc double: unsupported command: ${argv.join(' ')}`, 2);
    const ctx = { dir: doublesDir, args, io };
    ctx.server = kubeconfig(args);
    const result = await command.run(ctx, args.words.slice(command.path.length));
    if (typeof result === 'number') return result;
    io.out(result.out);
    for (const e of result.errors) io.err(`${e}\n`);
    return result.code;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`error: ${err.message}\n`);
      return 1;
    }
    if (!(err instanceof CliError)) throw err;
    io.err(`${err.message}\n`);
    return err.code;
  }
}
