// Storage on the fake cluster: the operators' custom resources (LVMCluster, LocalVolumeSet,
// StorageCluster) reconciled once their operator's CSV has Succeeded (olm.mjs), the
// StorageClasses, PersistentVolumes and PersistentVolumeClaims they lead to (the PV controller
// and the provisioners: topolvm.io, kubernetes.io/no-provisioner, ceph-csi), and the image
// registry's Config with its storage. Each node's disks are the fake's node option `disks`
// ([{path, bytes, kname?, rotational?}]: the by-path/by-id link, the size, the kernel name it
// resolves to).
//
// Upstream sources:
// - LVMCluster (lvm.topolvm.io/v1alpha1): openshift/lvm-operator api/v1alpha1/
//   lvmcluster_types.go and lvmvolumegroupnodestatus_types.go (status.state, ready, conditions
//   ResourcesAvailable and VolumeGroupsReady, deviceClassStatuses[].nodeStatus[]);
//   internal/controllers/lvmcluster/status.go (reasons, messages, computeLVMClusterReadiness);
//   resource/topolvm_storageclass.go (StorageClass lvms-<dc>: provisioner topolvm.io,
//   WaitForFirstConsumer, Delete, allowVolumeExpansion, parameters topolvm.io/device-class and
//   csi.storage.k8s.io/fstype, annotations description and storageclass.kubernetes.io/is-default-
//   class "true"/"false"); resource/topolvm_snapshotclass.go (VolumeSnapshotClass lvms-<dc>,
//   thin pools only); internal/controllers/vgmanager/devices.go VerifyMandatoryDevicePaths and
//   status.go (a missing mandatory path: the node's VG Failed with that error);
//   persistent-volume-claim/controller.go (node annotation capacity.topolvm.io/<dc>).
// - LocalVolumeSet (local.storage.openshift.io/v1alpha1): openshift/local-storage-operator
//   api/v1alpha1/localvolumeset_types.go, pkg/controllers/localvolumeset/status.go, pkg/common
//   types.go (PV labels storage.openshift.com/owner-{kind,name,namespace}), provisioner_utils.go.
// - StorageCluster (ocs.openshift.io/v1): red-hat-storage/ocs-operator api/v1/
//   storagecluster_types.go and status.go (phase Progressing/Ready/Error), internal/controller/
//   storagecluster/reconcile.go ("Initializing StorageCluster", ReconcileCompleted "Reconcile
//   completed successfully", "Error while reconciling: …"), topology.go ("not enough nodes
//   found: expected 3, found N", nodes labelled cluster.ocs.openshift.io/openshift-storage),
//   pkg/util/storageclasses.go and generate.go (ocs-storagecluster-ceph-rbd, -cephfs,
//   openshift-storage.noobaa.io; CephCluster <name>-cephcluster). CephCluster status (phase,
//   state, message, ceph.health, ceph.capacity) from rook pkg/apis/ceph.rook.io/v1/types.go.
// - Config (imageregistry.operator.openshift.io/v1, `cluster`): openshift/api imageregistry/v1/
//   types.go; openshift/cluster-image-registry-operator pkg/operator/status.go (Available,
//   Progressing, Degraded, Removed) and pkg/storage/pvc/pvc.go (StorageExists "PVC Exists" /
//   "PVC Created", the ReadWriteOnce rules: Recreate and one replica, the operator's own
//   image-registry-storage claim of 100Gi ReadWriteMany).
// Simplified: no webhooks, no deletion; VGs and OSDs are up one step after the resource is
// reconciled; TopoLVM's capacity is not reduced by the volumes it provisions.
import { randomBytes, randomUUID } from 'node:crypto';
import { meta, setCondition, touch } from './objects.mjs';
import { operatorRunning } from './olm.mjs';
import { update } from './state.mjs';
import { iso, randSuffix, timeScale } from './util.mjs';

export const VG_S = 20; // vg-manager creates the volume groups on every selected node
export const LSO_S = 10; // the diskmaker finds the disks and the provisioner makes the PVs
export const CEPH_S = 60; // rook: mons, mgr, OSDs on the device sets' PVCs
export const REGISTRY_S = 10; // the registry's Deployment rolls out

const DEFAULT_SC = 'storageclass.kubernetes.io/is-default-class';
const OCS_LABEL = 'cluster.ocs.openshift.io/openshift-storage';
const elapsed = (since, now) => ((now - since) * timeScale()) / 1000;
const ns = (o) => o.metadata.namespace;

// resource.Quantity for storage: "100Gi", "1T", "1", "1.5Gi" → bytes.
const UNITS = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
};
export function parseQuantity(q) {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/.exec(String(q ?? '').trim());
  return m ? Math.round(Number(m[1]) * UNITS[m[2] ?? '']) : undefined;
}
// The canonical form the API server prints: the largest binary suffix that divides exactly.
export function formatQuantity(bytes) {
  for (const u of ['Pi', 'Ti', 'Gi', 'Mi', 'Ki'])
    if (bytes >= UNITS[u] && bytes % UNITS[u] === 0) return `${bytes / UNITS[u]}${u}`;
  return String(bytes);
}

// The disks of a node: what its option gave, each with the kernel name it resolves to.
export function disksOf(state, node) {
  return (state.disks?.[node] ?? []).map((d, i) => ({
    kname: d.kname ?? `/dev/${['sdb', 'sdc', 'sdd', 'sde', 'sdf', 'sdg', 'sdh'][i] ?? `vd${i}`}`,
    rotational: false,
    ...d,
  }));
}
const claimDisk = (state, node, kname, by) => {
  ((state.diskUse ??= {})[node] ??= {})[kname] ??= by;
  return state.diskUse[node][kname] === by;
};
const diskFree = (state, node, kname, by) => {
  const u = state.diskUse?.[node]?.[kname];
  return u === undefined || u === by;
};

// core/v1 NodeSelector (nodeSelectorTerms, ORed; matchExpressions ANDed).
export function nodeSelectorMatch(sel, labels = {}) {
  const terms = sel?.nodeSelectorTerms;
  if (!terms?.length) return true;
  return terms.some((t) =>
    (t.matchExpressions ?? []).every((e) => {
      const v = labels[e.key];
      switch (e.operator) {
        case 'In':
          return v !== undefined && (e.values ?? []).includes(v);
        case 'NotIn':
          return v === undefined || !(e.values ?? []).includes(v);
        case 'Exists':
          return v !== undefined;
        case 'DoesNotExist':
          return v === undefined;
        default:
          return false;
      }
    }),
  );
}
// Nodes a DaemonSet with these tolerations runs on: Ready, no NoSchedule taint it does not tolerate.
function schedulable(n, tolerations = []) {
  const ready = (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  const tolerated = (t) =>
    tolerations.some((x) =>
      x.operator === 'Exists' ? !x.key || x.key === t.key : x.key === t.key && (x.value ?? '') === (t.value ?? ''),
    );
  return ready && !(n.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' && !tolerated(t));
}
const nodesFor = (state, sel, tolerations) =>
  Object.values(state.objects.nodes)
    .filter((n) => nodeSelectorMatch(sel, n.metadata.labels) && schedulable(n, tolerations))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));

function storageClass(
  state,
  name,
  now,
  { provisioner, bindingMode, expansion, parameters, annotations, labels, reclaim = 'Delete' },
) {
  const o = (state.objects.storageclasses ??= {});
  if (o[name]) return o[name];
  o[name] = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: meta(state, name, now, { ...(annotations ? { annotations } : {}), ...(labels ? { labels } : {}) }),
    provisioner,
    reclaimPolicy: reclaim,
    volumeBindingMode: bindingMode,
    ...(expansion !== undefined ? { allowVolumeExpansion: expansion } : {}),
    ...(parameters ? { parameters } : {}),
  };
  return o[name];
}
const defaultClassExists = (state) =>
  Object.values(state.objects.storageclasses ?? {}).some((sc) => sc.metadata.annotations?.[DEFAULT_SC] === 'true');

// metav1.Condition as meta.SetStatusCondition writes it.
function metaCondition(list, c, now, generation) {
  setCondition(list, c, now, generation !== undefined ? { observedGeneration: generation } : {});
}

// ---- LVMS --------------------------------------------------------------------------------

function lvmClusters(state, now) {
  for (const lvm of Object.values(state.objects.lvmclusters ?? {})) {
    if (!operatorRunning(state, ['lvms-operator'], ns(lvm))) continue;
    const key = `${ns(lvm)}/${lvm.metadata.name}`;
    const track = ((state.storage.lvm ??= {})[key] ??= { since: now });
    const before = JSON.stringify(lvm.status ?? {});
    const st = (lvm.status ??= {});
    st.conditions ??= [];
    const gen = lvm.metadata.generation;
    const classes = lvm.spec?.storage?.deviceClasses ?? [];
    // The resource managers: StorageClass and VolumeSnapshotClass per device class.
    for (const dc of classes) {
      const scName = `lvms-${dc.name}`;
      const isDefault =
        dc.default &&
        !Object.values(state.objects.storageclasses ?? {}).some(
          (sc) => sc.metadata.name !== scName && sc.metadata.annotations?.[DEFAULT_SC] === 'true',
        );
      storageClass(state, scName, now, {
        provisioner: 'topolvm.io',
        bindingMode: dc.storageClassOptions?.volumeBindingMode ?? 'WaitForFirstConsumer',
        reclaim: dc.storageClassOptions?.reclaimPolicy ?? 'Delete',
        expansion: true,
        parameters: { 'csi.storage.k8s.io/fstype': dc.fstype ?? 'xfs', 'topolvm.io/device-class': dc.name },
        annotations: {
          description: 'Provides RWO and RWOP Filesystem & Block volumes',
          [DEFAULT_SC]: isDefault ? 'true' : 'false',
        },
        labels: {
          'owned-by.topolvm.io/group': 'lvm.topolvm.io',
          'owned-by.topolvm.io/kind': 'LVMCluster',
          'owned-by.topolvm.io/name': lvm.metadata.name,
          'owned-by.topolvm.io/namespace': ns(lvm),
          'owned-by.topolvm.io/uid': lvm.metadata.uid,
          'owned-by.topolvm.io/version': 'v1alpha1',
        },
      });
      if (dc.thinPoolConfig) {
        const vsc = (state.objects.volumesnapshotclasses ??= {});
        vsc[scName] ??= {
          apiVersion: 'snapshot.storage.k8s.io/v1',
          kind: 'VolumeSnapshotClass',
          metadata: meta(state, scName, now, { labels: { 'owned-by.topolvm.io/name': lvm.metadata.name } }),
          deletionPolicy: 'Delete',
          driver: 'topolvm.io',
        };
      }
    }
    metaCondition(
      st.conditions,
      {
        type: 'ResourcesAvailable',
        status: 'True',
        reason: 'ResourcesAvailable',
        message: 'Reconciliation is complete and all the resources are available',
      },
      now,
      gen,
    );
    if (elapsed(track.since, now) < VG_S) {
      metaCondition(
        st.conditions,
        {
          type: 'VolumeGroupsReady',
          status: 'False',
          reason: 'VGReadinessInProgress',
          message: 'VG readiness check is still in progress',
        },
        now,
        gen,
      );
    } else {
      // vg-manager on each selected node: the mandatory paths must be there and free.
      const statuses = [];
      let failed = false;
      for (const dc of classes) {
        const nodeStatus = [];
        for (const n of nodesFor(state, dc.nodeSelector, lvm.spec?.tolerations)) {
          const node = n.metadata.name;
          const disks = disksOf(state, node);
          const find = (p) => disks.find((d) => d.path === p || d.kname === p);
          const sel = dc.deviceSelector;
          let error;
          const devices = [];
          for (const p of sel?.paths ?? []) {
            const d = find(p);
            if (!d) {
              error = `failed to resolve symlink to determine available or setup path: lstat ${p}: no such file or directory`;
              break;
            }
            if (!diskFree(state, node, d.kname, `lvms/${dc.name}`)) {
              error = `mandatory device path "${d.kname}" cannot be used, because it is NOT available as a new device for the volume group and NOT part of a valid and tagged existing volume group: ${d.kname} is already in use`;
              break;
            }
            devices.push(d);
          }
          if (!error) {
            for (const p of sel?.optionalPaths ?? []) {
              const d = find(p);
              if (d && diskFree(state, node, d.kname, `lvms/${dc.name}`)) devices.push(d);
            }
            if (!sel?.paths?.length && !sel?.optionalPaths?.length)
              devices.push(...disks.filter((d) => diskFree(state, node, d.kname, `lvms/${dc.name}`)));
            if (devices.length === 0) error = `can't create vg "${dc.name}" with 0 devices`;
          }
          if (error) {
            failed = true;
            nodeStatus.push({
              deviceDiscoveryPolicy: sel?.paths?.length ? 'Preconfigured' : 'RuntimeDynamic',
              name: dc.name,
              node,
              reason: error,
              status: 'Failed',
            });
            continue;
          }
          for (const d of devices) claimDisk(state, node, d.kname, `lvms/${dc.name}`);
          nodeStatus.push({
            deviceDiscoveryPolicy: sel?.paths?.length ? 'Preconfigured' : 'RuntimeDynamic',
            devices: devices.map((d) => d.kname),
            name: dc.name,
            node,
            status: 'Ready',
          });
          // TopoLVM's capacity: the thin pool's share of the VG times its overprovision ratio.
          const vg = devices.reduce((s, d) => s + d.bytes, 0);
          const tp = dc.thinPoolConfig;
          const bytes = tp ? Math.floor((vg * (tp.sizePercent ?? 90)) / 100) * (tp.overprovisionRatio ?? 1) : vg;
          const ann = (n.metadata.annotations ??= {});
          if (ann[`capacity.topolvm.io/${dc.name}`] !== String(bytes)) {
            ann[`capacity.topolvm.io/${dc.name}`] = String(bytes);
            touch(state, n);
          }
        }
        statuses.push({ name: dc.name, nodeStatus });
      }
      st.deviceClassStatuses = statuses;
      if (failed)
        metaCondition(
          st.conditions,
          { type: 'VolumeGroupsReady', status: 'False', reason: 'VGsFailed', message: 'One or more VGs are failed' },
          now,
          gen,
        );
      else
        metaCondition(
          st.conditions,
          { type: 'VolumeGroupsReady', status: 'True', reason: 'VGsReady', message: 'All the VGs are ready' },
          now,
          gen,
        );
    }
    // computeLVMClusterReadiness.
    const reasons = st.conditions.map((c) => c.reason);
    st.state = reasons.includes('VGsFailed')
      ? 'Failed'
      : reasons.some((r) =>
            ['ReconciliationInProgress', 'VGReadinessInProgress', 'ResourcesSyncIncomplete'].includes(r),
          )
        ? 'Progressing'
        : 'Ready';
    if (st.state === 'Ready') st.ready = true;
    else delete st.ready;
    if (JSON.stringify(st) !== before) touch(state, lvm);
  }
}

// ---- Local Storage Operator ------------------------------------------------------------------

function localVolumeSets(state, now) {
  for (const lvs of Object.values(state.objects.localvolumesets ?? {})) {
    if (!operatorRunning(state, ['local-storage-operator'], ns(lvs))) continue;
    const key = `${ns(lvs)}/${lvs.metadata.name}`;
    const track = ((state.storage.lvs ??= {})[key] ??= { since: now });
    const before = JSON.stringify(lvs.status ?? {});
    const st = (lvs.status ??= {});
    const spec = lvs.spec ?? {};
    const scName = spec.storageClassName;
    storageClass(state, scName, now, {
      provisioner: 'kubernetes.io/no-provisioner',
      bindingMode: 'WaitForFirstConsumer',
      reclaim: 'Delete',
    });
    if (elapsed(track.since, now) >= LSO_S) {
      const inc = spec.deviceInclusionSpec ?? {};
      const types = inc.deviceTypes ?? ['disk', 'part'];
      const min = parseQuantity(inc.minSize) ?? 0;
      const max = parseQuantity(inc.maxSize) ?? Infinity;
      const mech = inc.deviceMechanicalProperties ?? [];
      let total = 0;
      for (const n of nodesFor(state, spec.nodeSelector, spec.tolerations)) {
        const node = n.metadata.name;
        let count = Object.values(state.objects.persistentvolumes ?? {}).filter(
          (pv) =>
            pv.metadata.labels?.['storage.openshift.com/owner-name'] === lvs.metadata.name &&
            pv.metadata.labels?.['kubernetes.io/hostname'] === node,
        ).length;
        for (const d of disksOf(state, node)) {
          const by = `lso/${key}`;
          if (state.diskUse?.[node]?.[d.kname] === by) continue;
          if (spec.maxDeviceCount && count >= spec.maxDeviceCount) break;
          if (!types.includes(d.type ?? 'disk') || d.bytes < min || d.bytes > max) continue;
          if (mech.length && !mech.includes(d.rotational ? 'Rotational' : 'NonRotational')) continue;
          if (!diskFree(state, node, d.kname, by)) continue;
          claimDisk(state, node, d.kname, by);
          localPv(state, lvs, node, d, now);
          count++;
        }
        total += count;
      }
      st.totalProvisionedDeviceCount = total;
      st.observedGeneration = lvs.metadata.generation;
      const conds = (st.conditions ??= []);
      const c = conds.find((x) => x.type === 'Available');
      if (!c)
        conds.push({
          lastTransitionTime: iso(now),
          message: 'Operator reconciled successfully.',
          status: 'True',
          type: 'Available',
        });
    }
    if (JSON.stringify(st) !== before) touch(state, lvs);
  }
}

// The local-volume provisioner's PV (sigs.k8s.io/sig-storage-local-static-provisioner as LSO
// runs it): a block PV on /mnt/local-storage/<sc>/<by-id name>, pinned to its node.
function localPv(state, lvs, node, d, now) {
  const name = `local-pv-${randomBytes(4).toString('hex')}`;
  const base = d.path.split('/').pop();
  (state.objects.persistentvolumes ??= {})[name] = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: meta(state, name, now, {
      annotations: {
        'pv.kubernetes.io/provisioned-by': `local-volume-provisioner-${node}-${lvs.metadata.uid}`,
        'storage.openshift.com/device-id': base,
        'storage.openshift.com/device-name': d.kname.replace('/dev/', ''),
      },
      finalizers: ['kubernetes.io/pv-protection'],
      labels: {
        'kubernetes.io/hostname': node,
        'storage.openshift.com/owner-kind': 'LocalVolumeSet',
        'storage.openshift.com/owner-name': lvs.metadata.name,
        'storage.openshift.com/owner-namespace': ns(lvs),
      },
    }),
    spec: {
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: formatQuantity(d.bytes) },
      local: { path: `/mnt/local-storage/${lvs.spec.storageClassName}/${base}` },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] },
          ],
        },
      },
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: lvs.spec.storageClassName,
      volumeMode: lvs.spec.volumeMode ?? 'Block',
    },
    status: { lastPhaseTransitionTime: iso(now), phase: 'Available' },
  };
}

// ---- ODF: StorageCluster and its CephCluster --------------------------------------------------

function storageClusters(state, now) {
  for (const sc of Object.values(state.objects.storageclusters ?? {})) {
    if (!operatorRunning(state, ['ocs-operator'], ns(sc))) continue;
    const key = `${ns(sc)}/${sc.metadata.name}`;
    const track = ((state.storage.ocs ??= {})[key] ??= { since: now });
    const before = JSON.stringify(sc.status ?? {});
    const st = (sc.status ??= {});
    const conds = (st.conditions ??= []);
    const set = (type, status, reason, message) => {
      const c = conds.find((x) => x.type === type);
      if (c && c.status === status && c.reason === reason && c.message === message) return;
      const next = {
        lastHeartbeatTime: iso(now),
        lastTransitionTime: c && c.status === status ? c.lastTransitionTime : iso(now),
        message,
        reason,
        status,
        type,
      };
      if (c) conds[conds.indexOf(c)] = next;
      else conds.push(next);
    };
    if (conds.length === 0) {
      set('ReconcileComplete', 'Unknown', 'Init', 'Initializing StorageCluster');
      set('Available', 'False', 'Init', 'Initializing StorageCluster');
      set('Progressing', 'True', 'Init', 'Initializing StorageCluster');
      set('Degraded', 'False', 'Init', 'Initializing StorageCluster');
      set('Upgradeable', 'Unknown', 'Init', 'Initializing StorageCluster');
    }
    st.phase ??= 'Progressing';
    const eligible = Object.values(state.objects.nodes).filter((n) => OCS_LABEL in (n.metadata.labels ?? {}));
    if (eligible.length < 3) {
      const msg = `Error while reconciling: not enough nodes found: expected 3, found ${eligible.length}`;
      set('ReconcileComplete', 'False', 'ReconcileFailed', msg);
      st.phase = 'Error';
    } else {
      st.failureDomain = 'host';
      st.failureDomainKey = 'kubernetes.io/hostname';
      st.failureDomainValues = eligible.map((n) => n.metadata.name).sort();
      st.nodeTopologies = { labels: { 'kubernetes.io/hostname': st.failureDomainValues } };
      st.phase = st.phase === 'Error' ? 'Progressing' : st.phase;
      const ceph = cephCluster(state, sc, now);
      // The device sets' OSD PVCs (rook: <set>-<n>-data-<i><suffix>), consumed at once.
      for (const ds of sc.spec?.storageDeviceSets ?? []) {
        const replica = ds.replica ?? 3;
        for (let c = 0; c < (ds.count ?? 1); c++)
          for (let r = 0; r < replica; r++) {
            const base = `${ds.name}-${c * replica + r}-data-`;
            const have = Object.values(state.objects.persistentvolumeclaims ?? {}).find(
              (p) => ns(p) === ns(sc) && p.metadata.name.startsWith(base),
            );
            if (have) continue;
            const t = ds.dataPVCTemplate?.spec ?? {};
            const pvc = newPvc(
              state,
              ns(sc),
              `${base}0${randSuffix()}`,
              now,
              {
                accessModes: t.accessModes ?? ['ReadWriteOnce'],
                resources: t.resources ?? { requests: { storage: '1' } },
                storageClassName: t.storageClassName,
                volumeMode: t.volumeMode ?? 'Block',
              },
              { 'ceph.rook.io/DeviceSet': ds.name, 'ceph.rook.io/DeviceSetPVCId': `${ds.name}-${c * replica + r}` },
            );
            pvc.metadata.labels['ceph.rook.io/setIndex'] = String(r);
          }
      }
      const osds = Object.values(state.objects.persistentvolumeclaims ?? {}).filter(
        (p) => ns(p) === ns(sc) && p.metadata.labels?.['ceph.rook.io/DeviceSet'],
      );
      for (const p of osds)
        state.storage.consumers[`${ns(p)}/${p.metadata.name}`] ??= {
          spread: `osd/${key}`,
          nodes: st.failureDomainValues,
        };
      const bound = osds.filter((p) => p.status?.phase === 'Bound');
      if (osds.length > 0 && bound.length === osds.length) {
        track.osdsAt ??= now;
        const bytes = bound.reduce((s, p) => s + (parseQuantity(p.status.capacity?.storage) ?? 0), 0);
        cephStatus(state, ceph, { ready: elapsed(track.osdsAt, now) >= CEPH_S, bytes }, now);
        if (elapsed(track.osdsAt, now) >= CEPH_S) {
          const ns_ = ns(sc);
          const rbd = `${sc.metadata.name}-ceph-rbd`;
          storageClass(state, rbd, now, {
            provisioner: `${ns_}.rbd.csi.ceph.com`,
            bindingMode: 'Immediate',
            expansion: true,
            annotations: {
              description: 'Provides RWO Filesystem volumes, and RWO and RWX Block volumes',
              'reclaimspace.csiaddons.openshift.io/schedule': '@weekly',
            },
            parameters: {
              clusterID: ns_,
              'csi.storage.k8s.io/fstype': 'ext4',
              imageFeatures: 'layering,deep-flatten,exclusive-lock,object-map,fast-diff',
              imageFormat: '2',
              pool: `${sc.metadata.name}-cephblockpool`,
            },
          });
          storageClass(state, `${sc.metadata.name}-cephfs`, now, {
            provisioner: `${ns_}.cephfs.csi.ceph.com`,
            bindingMode: 'Immediate',
            expansion: true,
            annotations: { description: 'Provides RWO and RWX Filesystem volumes' },
            parameters: { clusterID: ns_, fsName: `${sc.metadata.name}-cephfilesystem` },
          });
          storageClass(state, `${ns_}.noobaa.io`, now, {
            provisioner: `${ns_}.noobaa.io/obc`,
            bindingMode: 'Immediate',
            annotations: { description: 'Provides Object Bucket Claims (OBCs)' },
            parameters: { bucketclass: 'noobaa-default-bucket-class' },
          });
          st.phase = 'Ready';
          set('ReconcileComplete', 'True', 'ReconcileCompleted', 'Reconcile completed successfully');
          set('Available', 'True', 'ReconcileCompleted', 'Reconcile completed successfully');
          set('Progressing', 'False', 'ReconcileCompleted', 'Reconcile completed successfully');
          set('Degraded', 'False', 'ReconcileCompleted', 'Reconcile completed successfully');
          set('Upgradeable', 'True', 'ReconcileCompleted', 'Reconcile completed successfully');
        }
      } else {
        cephStatus(state, ceph, { ready: false, bytes: 0, waiting: osds.length - bound.length }, now);
        set('ReconcileComplete', 'True', 'ReconcileCompleted', 'Reconcile completed successfully');
        set('Progressing', 'True', 'Init', 'Initializing StorageCluster');
        st.phase = 'Progressing';
      }
    }
    if (JSON.stringify(st) !== before) touch(state, sc);
  }
}

// ceph.rook.io/v1 CephCluster <storagecluster>-cephcluster, as ocs-operator creates it.
function cephCluster(state, sc, now) {
  const name = `${sc.metadata.name}-cephcluster`;
  const key = `${ns(sc)}/${name}`;
  const o = (state.objects.cephclusters ??= {});
  o[key] ??= {
    apiVersion: 'ceph.rook.io/v1',
    kind: 'CephCluster',
    metadata: meta(state, name, now, {
      namespace: ns(sc),
      generation: 1,
      labels: { app: sc.metadata.name },
      ownerReferences: [
        {
          apiVersion: 'ocs.openshift.io/v1',
          blockOwnerDeletion: true,
          controller: true,
          kind: 'StorageCluster',
          name: sc.metadata.name,
          uid: sc.metadata.uid,
        },
      ],
    }),
    spec: {
      cephVersion: { image: 'registry.redhat.io/rhceph/rhceph-8-rhel9' },
      dataDirHostPath: sc.spec?.monDataDirHostPath ?? '/var/lib/rook',
      mon: { count: 3 },
      storage: {
        storageClassDeviceSets: (sc.spec?.storageDeviceSets ?? []).map((d) => ({ count: d.count ?? 1, name: d.name })),
      },
    },
    status: { message: 'Cluster is creating', phase: 'Progressing', state: 'Creating' },
  };
  return o[key];
}
function cephStatus(state, ceph, { ready, bytes, waiting }, now) {
  const before = JSON.stringify(ceph.status);
  const st = ceph.status;
  if (ready) {
    Object.assign(st, { message: 'Cluster created successfully', phase: 'Ready', state: 'Created' });
    const used = Math.min(bytes, 3 * 2 ** 30);
    st.ceph = {
      capacity: { bytesAvailable: bytes - used, bytesTotal: bytes, bytesUsed: used, lastUpdated: iso(now) },
      fsid: st.ceph?.fsid ?? randomUUID(),
      health: 'HEALTH_OK',
      lastChecked: iso(now),
    };
  } else {
    Object.assign(st, {
      message: waiting ? `waiting for ${waiting} OSD PVC(s) to be bound` : 'Configuring Ceph OSDs',
      phase: 'Progressing',
      state: 'Creating',
    });
  }
  if (JSON.stringify(st) !== before) touch(state, ceph);
}

// ---- PVCs and PVs: the PV controller and the provisioners ----------------------------------

function newPvc(state, namespace, name, now, spec, labels = {}) {
  const o = (state.objects.persistentvolumeclaims ??= {});
  o[`${namespace}/${name}`] = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(state, name, now, { namespace, labels, finalizers: ['kubernetes.io/pvc-protection'] }),
    spec,
    status: { phase: 'Pending' },
  };
  return o[`${namespace}/${name}`];
}

const ACCESS = { ReadWriteOnce: 'RWO', ReadWriteMany: 'RWX', ReadOnlyMany: 'ROX', ReadWriteOncePod: 'RWOP' };
export const accessModes = (modes = []) => modes.map((m) => ACCESS[m] ?? m).join(',');

// A node for a WaitForFirstConsumer claim: the consumer's, spread over distinct nodes for the
// OSDs; for TopoLVM, one with capacity in the device class.
function pickNode(state, pvc, consumer, ok) {
  const taken = new Set(
    Object.values(state.objects.persistentvolumeclaims ?? {})
      .filter(
        (p) =>
          p !== pvc &&
          state.storage.consumers[`${ns(p)}/${p.metadata.name}`]?.spread === consumer.spread &&
          consumer.spread,
      )
      .map((p) => p.metadata.annotations?.['volume.kubernetes.io/selected-node'])
      .filter(Boolean),
  );
  const names =
    consumer.nodes ??
    Object.values(state.objects.nodes)
      .filter((n) => schedulable(n))
      .map((n) => n.metadata.name)
      .sort();
  return names.find((n) => !taken.has(n) && ok(n));
}

function bind(state, pvc, pv, now, { provisioner, node }) {
  const ann = (pvc.metadata.annotations ??= {});
  ann['pv.kubernetes.io/bind-completed'] = 'yes';
  ann['pv.kubernetes.io/bound-by-controller'] = 'yes';
  if (provisioner) {
    ann['volume.beta.kubernetes.io/storage-provisioner'] = provisioner;
    ann['volume.kubernetes.io/storage-provisioner'] = provisioner;
  }
  if (node) ann['volume.kubernetes.io/selected-node'] = node;
  pvc.spec.volumeName = pv.metadata.name;
  pvc.spec.volumeMode ??= 'Filesystem';
  pvc.status = { accessModes: pv.spec.accessModes, capacity: { storage: pv.spec.capacity.storage }, phase: 'Bound' };
  pv.spec.claimRef = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    name: pvc.metadata.name,
    namespace: ns(pvc),
    resourceVersion: pvc.metadata.resourceVersion,
    uid: pvc.metadata.uid,
  };
  pv.status = { lastPhaseTransitionTime: iso(now), phase: 'Bound' };
  touch(state, pv);
  touch(state, pvc);
}

function claims(state, now) {
  const o = state.objects;
  for (const pvc of Object.values(o.persistentvolumeclaims ?? {})) {
    if (pvc.status?.phase === 'Bound') continue;
    pvc.status ??= { phase: 'Pending' };
    // Retroactive default StorageClass assignment (kube-controller-manager, 1.28+).
    if (pvc.spec.storageClassName === undefined) {
      const def = Object.values(o.storageclasses ?? {}).find((sc) => sc.metadata.annotations?.[DEFAULT_SC] === 'true');
      if (!def) continue;
      pvc.spec.storageClassName = def.metadata.name;
      touch(state, pvc);
    }
    const sc = o.storageclasses?.[pvc.spec.storageClassName];
    if (!sc) continue;
    const consumer = state.storage.consumers[`${ns(pvc)}/${pvc.metadata.name}`];
    if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !consumer) continue;
    const request = parseQuantity(pvc.spec.resources?.requests?.storage) ?? 0;
    const modes = pvc.spec.accessModes ?? ['ReadWriteOnce'];
    const mode = pvc.spec.volumeMode ?? 'Filesystem';
    if (sc.provisioner === 'kubernetes.io/no-provisioner') {
      const free = Object.values(o.persistentvolumes ?? {}).filter(
        (pv) =>
          pv.status?.phase === 'Available' &&
          pv.spec.storageClassName === sc.metadata.name &&
          (pv.spec.volumeMode ?? 'Filesystem') === mode &&
          (parseQuantity(pv.spec.capacity.storage) ?? 0) >= request &&
          modes.every((m) => pv.spec.accessModes.includes(m)),
      );
      const onNode = (n) => free.some((pv) => pv.metadata.labels?.['kubernetes.io/hostname'] === n);
      const node = pickNode(state, pvc, consumer ?? {}, onNode);
      const pv = free.find((x) => x.metadata.labels?.['kubernetes.io/hostname'] === node);
      if (pv) bind(state, pvc, pv, now, { node });
      continue;
    }
    let node;
    let source;
    if (sc.provisioner === 'topolvm.io') {
      if (modes.some((m) => m === 'ReadWriteMany' || m === 'ReadOnlyMany')) continue; // ProvisioningFailed: RWO/RWOP only
      const dc = sc.parameters?.['topolvm.io/device-class'];
      node = pickNode(
        state,
        pvc,
        consumer ?? {},
        (n) => Number(o.nodes[n]?.metadata.annotations?.[`capacity.topolvm.io/${dc}`] ?? 0) >= request,
      );
      if (!node) continue;
      source = {
        csi: {
          driver: 'topolvm.io',
          fsType: sc.parameters?.['csi.storage.k8s.io/fstype'] ?? 'xfs',
          volumeAttributes: {
            'storage.kubernetes.io/csiProvisionerIdentity': `${now}-topolvm.io`,
            'topolvm.io/device-class': dc,
          },
          volumeHandle: randomUUID(),
        },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'topology.topolvm.io/node', operator: 'In', values: [node] }] },
            ],
          },
        },
      };
    } else if (/\.(rbd|cephfs)\.csi\.ceph\.com$/.test(sc.provisioner)) {
      const ready = Object.values(o.storageclusters ?? {}).some((x) => x.status?.phase === 'Ready');
      if (!ready) continue;
      if (sc.provisioner.includes('.rbd.') && mode === 'Filesystem' && modes.includes('ReadWriteMany')) continue;
      source = {
        csi: {
          driver: sc.provisioner,
          fsType: sc.parameters?.['csi.storage.k8s.io/fstype'] ?? 'ext4',
          volumeHandle: `0001-0011-${sc.parameters?.clusterID ?? ''}-${randomUUID()}`,
        },
      };
    } else continue;
    const name = `pvc-${pvc.metadata.uid}`;
    const pv = ((o.persistentvolumes ??= {})[name] = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: meta(state, name, now, {
        annotations: {
          'pv.kubernetes.io/provisioned-by': sc.provisioner,
          'volume.kubernetes.io/provisioner-deletion-secret-name': '',
          'volume.kubernetes.io/provisioner-deletion-secret-namespace': '',
        },
        finalizers: ['external-provisioner.volume.kubernetes.io/finalizer', 'kubernetes.io/pv-protection'],
      }),
      spec: {
        accessModes: modes,
        capacity: { storage: formatQuantity(Math.ceil(request / 2 ** 30) * 2 ** 30) },
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
        storageClassName: sc.metadata.name,
        volumeMode: mode,
        ...source,
      },
      status: { phase: 'Pending' },
    });
    bind(state, pvc, pv, now, { provisioner: sc.provisioner, node });
  }
}

// ---- the image registry (cluster-image-registry-operator) ---------------------------------

// imageregistry.operator.openshift.io/v1 Config `cluster` as the installer leaves it on bare
// metal / platform none: managementState Removed, no storage.
export function imageRegistryConfig(state, now) {
  return {
    apiVersion: 'imageregistry.operator.openshift.io/v1',
    kind: 'Config',
    metadata: meta(state, 'cluster', now, {
      finalizers: ['imageregistry.operator.openshift.io/finalizer'],
      generation: 1,
    }),
    spec: {
      httpSecret: randomBytes(64).toString('hex'),
      logLevel: 'Normal',
      managementState: 'Removed',
      observedConfig: null,
      operatorLogLevel: 'Normal',
      proxy: {},
      replicas: 1,
      requests: { read: { maxWaitInQueue: '0s' }, write: { maxWaitInQueue: '0s' } },
      rolloutStrategy: 'RollingUpdate',
      storage: {},
      unsupportedConfigOverrides: null,
    },
    status: { conditions: [], observedGeneration: 1, readyReplicas: 0, storage: {}, storageManaged: false },
  };
}

function imageRegistry(state, now) {
  const cr = state.objects.configs?.cluster;
  if (!cr) return;
  const before = JSON.stringify(cr.status);
  const st = (cr.status ??= {});
  const conds = (st.conditions ??= []);
  const set = (type, status, reason, message) => {
    const c = conds.find((x) => x.type === type);
    const next = {
      lastTransitionTime: c && c.status === status ? c.lastTransitionTime : iso(now),
      ...(message ? { message } : {}),
      ...(reason ? { reason } : {}),
      status,
      type,
    };
    if (c && JSON.stringify(c) === JSON.stringify(next)) return;
    if (c) conds[conds.indexOf(c)] = next;
    else conds.push(next);
  };
  const track = (state.storage.registry ??= {});
  const ms = cr.spec?.managementState ?? 'Managed';
  const ns_ = 'openshift-image-registry';
  if (ms === 'Removed') {
    delete track.rolloutAt;
    set('Available', 'True', 'Removed', 'The registry is removed');
    set('Progressing', 'False', 'Removed', 'All registry resources are removed');
    set('Degraded', 'False', 'Removed', 'The registry is removed');
    set('Removed', 'True', 'Removed', 'The registry is removed');
    st.readyReplicas = 0;
  } else if (ms === 'Unmanaged') {
    set('Available', 'True', 'Unmanaged', 'The registry configuration is set to unmanaged mode');
    set('Progressing', 'False', 'Unmanaged', 'The registry configuration is set to unmanaged mode');
    set('Degraded', 'False', 'Unmanaged', 'The registry configuration is set to unmanaged mode');
  } else {
    set('Removed', 'False');
    let applyError;
    let claim;
    const pvcSpec = cr.spec?.storage?.pvc;
    if (!pvcSpec && !cr.spec?.storage?.emptyDir)
      applyError = { permanent: 'StorageNotConfigured', message: 'storage backend not configured' };
    else if (pvcSpec) {
      const name = pvcSpec.claim || 'image-registry-storage';
      const key = `${ns_}/${name}`;
      claim = state.objects.persistentvolumeclaims?.[key];
      if (!pvcSpec.claim && !claim) {
        claim = newPvc(state, ns_, name, now, {
          accessModes: ['ReadWriteMany'],
          resources: { requests: { storage: '100Gi' } },
        });
        claim.metadata.annotations = { 'imageregistry.openshift.io': 'true' };
        set('StorageExists', 'True', 'PVC Created');
      } else if (!claim) applyError = { message: `persistentvolumeclaims "${name}" not found` };
      else set('StorageExists', 'True', 'PVC Exists');
      if (claim) {
        const modes = claim.spec.accessModes ?? [];
        if (!modes.includes('ReadWriteMany')) {
          if (!modes.includes('ReadWriteOnce'))
            applyError = {
              message: `PVC ${name} does not contain the necessary access modes: ReadWriteMany or ReadWriteOnce`,
            };
          else if ((cr.spec.replicas ?? 1) > 1)
            applyError = {
              message: 'cannot use ReadWriteOnce access mode with more than one replica of the image registry',
            };
          else if (cr.spec.rolloutStrategy !== 'Recreate')
            applyError = {
              message: `cannot use ReadWriteOnce access mode with ${cr.spec.rolloutStrategy ?? 'RollingUpdate'} rollout strategy`,
            };
          if (applyError) set('StorageExists', 'False', 'PVC Issues Found', applyError.message);
        }
      }
      if (!applyError) {
        st.storage = { pvc: { claim: name } };
        st.storageManaged = !pvcSpec.claim;
        if (!cr.spec.storage.managementState) {
          cr.spec.storage.managementState = pvcSpec.claim ? 'Unmanaged' : 'Managed';
          touch(state, cr);
        }
      }
    }
    if (applyError) {
      delete track.rolloutAt;
      set(
        'Available',
        'False',
        applyError.permanent ?? 'DeploymentNotFound',
        applyError.permanent ? `Error: ${applyError.message}` : 'The deployment does not exist',
      );
      set(
        'Progressing',
        applyError.permanent ? 'False' : 'True',
        'Error',
        `Unable to apply resources: ${applyError.message}`,
      );
      set(
        'Degraded',
        applyError.permanent ? 'True' : 'False',
        applyError.permanent,
        applyError.permanent ? `Error: ${applyError.message}` : undefined,
      );
      st.readyReplicas = 0;
    } else {
      // The Deployment's pod consumes the claim (WaitForFirstConsumer binds now).
      if (claim) state.storage.consumers[`${ns_}/${claim.metadata.name}`] ??= { registry: true };
      track.rolloutAt ??= now;
      const running = (!claim || claim.status?.phase === 'Bound') && elapsed(track.rolloutAt, now) >= REGISTRY_S;
      if (running) {
        set('Available', 'True', 'Ready', 'The registry is ready');
        set('Progressing', 'False', 'Ready', 'The registry is ready');
        set('Degraded', 'False');
        st.readyReplicas = cr.spec.replicas ?? 1;
      } else {
        set('Available', 'False', 'NoReplicasAvailable', 'The deployment does not have available replicas');
        set('Progressing', 'True', 'DeploymentNotCompleted', 'The deployment has not completed');
        set('Degraded', 'False');
        st.readyReplicas = 0;
      }
    }
  }
  st.observedGeneration = cr.metadata.generation;
  if (JSON.stringify(cr.status) !== before) touch(state, cr);
}

export function storageInit(state, now) {
  state.objects.configs ??= {};
  state.objects.configs.cluster ??= imageRegistryConfig(state, now);
}

export function storageTick(state, now) {
  state.storage ??= {};
  state.storage.consumers ??= {};
  lvmClusters(state, now);
  localVolumeSets(state, now);
  storageClusters(state, now);
  imageRegistry(state, now);
  claims(state, now);
  // Once more: what the claims became (an OSD bound, the registry's volume).
  storageClusters(state, now);
  imageRegistry(state, now);
}

// A node's empty disks, replacing what it had ([{path, bytes, kname?, rotational?}]).
export function setDisks(doublesDir, node, disks) {
  update(doublesDir, (state) => {
    (state.disks ??= {})[node] = disks;
  });
}
