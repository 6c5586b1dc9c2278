// Crafted state files for the status view, the page and the dashboard screenshots: one per state
// a technician meets, each with the time it is looked at.
import type { KeeperState } from '../../src/agent/keeper/records.js';
import { PHASES, freshState, type AgentState, type PhaseName } from '../../src/agent/state.js';

export interface Crafted {
  state: AgentState;
  now: Date;
}

const T0 = Date.parse('2026-11-22T00:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function base(): AgentState {
  return freshState(
    'edge.example.com',
    [
      {
        name: 'cp-0',
        role: 'control-plane',
        mac: '52:54:00:00:00:10',
        ip: '192.168.8.10',
        bmc: 'redfish',
        power: 'on',
        seen: {},
      },
      {
        name: 'cp-1',
        role: 'control-plane',
        mac: '52:54:00:00:00:11',
        ip: '192.168.8.11',
        bmc: 'ipmi',
        power: 'on',
        seen: {},
      },
      {
        name: 'cp-2',
        role: 'control-plane',
        mac: '52:54:00:00:00:12',
        ip: '192.168.8.12',
        bmc: 'manual',
        power: 'waiting-for-tech',
        seen: {},
      },
      // The agent follows the bootstrap VM as a node too (agent.ts nodeRecords).
      {
        name: 'bootstrap',
        role: 'bootstrap',
        mac: '52:54:00:00:00:09',
        ip: '192.168.8.9',
        bmc: 'libvirt',
        power: 'on',
        seen: {},
      },
    ],
    new Date(T0),
  );
}

// The phases before `upTo` done, one minute or more each.
function doneUpTo(s: AgentState, upTo: PhaseName | undefined): number {
  let m = 0;
  for (const p of PHASES) {
    if (p === upTo) break;
    // The day-2 phases of a site with no storage and no operators take no time.
    const day2 = p === 'catalog' || p === 'storage' || p === 'operators';
    const took = p === 'watch' ? 14 : p === 'bootstrap-complete' ? 22 : p === 'finish' ? 18 : day2 ? 0 : 2;
    s.phases[p] = { status: 'done', attempts: 1, startedAt: at(m), finishedAt: at(m + took) };
    m += took;
  }
  return m;
}

const ALL_SEEN = {
  dhcp: at(12),
  kernel: at(12.2),
  initramfs: at(12.4),
  rootfs: at(13),
  ignition: at(15),
};

export function installing(): Crafted {
  const s = base();
  const m = doneUpTo(s, 'watch');
  s.phases.watch = {
    status: 'running',
    attempts: 1,
    startedAt: at(m),
    detail: 'waiting for cp-1 (rootfs), cp-2 (not seen yet: its BMC is manual, power it on)',
  };
  s.nodes[0]!.seen = { ...ALL_SEEN };
  s.nodes[1]!.seen = { dhcp: at(m + 1), kernel: at(m + 1.2), initramfs: at(m + 1.4) };
  s.unknownMacs = [{ mac: '52:54:00:de:ad:01', ip: '192.168.8.150', firstSeen: at(m + 2), lastSeen: at(m + 3) }];
  s.updatedAt = at(m + 3);
  return { state: s, now: new Date(T0 + (m + 4) * 60_000 + 12_000) };
}

export function failed(): Crafted {
  const s = base();
  const m = doneUpTo(s, 'services');
  s.phases.services = {
    status: 'failed',
    attempts: 2,
    startedAt: at(m + 1),
    finishedAt: at(m + 3),
    error: 'haproxy did not accept on 6443 after 60 s <script>alert(1)</script>\nlast log line: cannot bind socket',
    command: 'systemctl start haproxy.service',
  };
  s.lastError = {
    phase: 'services',
    at: at(m + 3),
    message: s.phases.services.error!,
    command: 'systemctl start haproxy.service',
  };
  s.updatedAt = at(m + 3);
  return { state: s, now: new Date(T0 + (m + 10) * 60_000) };
}

export function locked(): Crafted {
  const s = base();
  s.phases.locked = {
    status: 'running',
    attempts: 1,
    startedAt: at(0),
    detail: 'waiting for the unlock code (console or fyr-agent unlock)',
  };
  return { state: s, now: new Date(T0 + 7 * 60_000 + 5_000) };
}

function installed(): AgentState {
  const s = base();
  const m = doneUpTo(s, undefined);
  s.finishedAt = at(m);
  s.updatedAt = at(m);
  for (const n of s.nodes) n.seen = { ...ALL_SEEN };
  s.nodes[2]!.power = 'on';
  return s;
}

const NOW = new Date('2026-11-24T12:00:00Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();

function keeper(): KeeperState {
  return {
    startedAt: '2026-11-22T01:30:00Z',
    healthEverySeconds: 60,
    backups: { enabled: true, everySeconds: 86400, keep: 7 },
    health: {
      at: ago(25),
      version: '4.16.3',
      available: { status: 'True', message: 'Done applying 4.16.3', since: '2026-11-22T01:29:00Z' },
      progressing: { status: 'False', message: 'Cluster version is 4.16.3' },
      failing: { status: 'False' },
      operatorsTotal: 33,
      operatorsInTrouble: [],
      nodes: ['cp-0', 'cp-1', 'cp-2'].map((name) => ({
        name,
        role: 'control-plane',
        ready: true,
        since: '2026-11-22T01:10:00Z',
        reason: 'KubeletReady',
        unschedulable: false,
        siteNode: name,
      })),
      pendingCsrs: 0,
      certificatesNotAfter: '2027-11-21T01:00:00Z',
    },
    lastGoodLookAt: ago(25),
    csrRefused: [],
    csrApproved: [],
    history: [
      {
        id: 'b-20261124',
        kind: 'backup',
        by: 'schedule',
        status: 'done',
        startedAt: '2026-11-24T02:00:00Z',
        finishedAt: '2026-11-24T02:03:12Z',
        facts: {},
      },
      {
        id: 'b-20261123',
        kind: 'backup',
        by: 'schedule',
        status: 'done',
        startedAt: '2026-11-23T02:00:00Z',
        finishedAt: '2026-11-23T02:02:58Z',
        facts: {},
      },
    ],
    lastBackup: {
      id: 'b-20261124',
      takenAt: '2026-11-24T02:03:00Z',
      dir: '/var/lib/fyr/backups/b-20261124',
      node: 'cp-0',
      version: '4.16.3',
      bytes: 851_443_712,
    },
    nextBackupAt: '2026-11-25T02:00:00Z',
    access: {
      consoleUrl: 'https://console-openshift-console.apps.edge.example.com',
      apiUrl: 'https://api.edge.example.com:6443',
      kubeconfig: '/var/lib/fyr/auth/kubeconfig',
      kubeadminPassword: '/var/lib/fyr/auth/kubeadmin-password',
      wanInterface: 'eno1',
      wanAddress: '203.0.113.7',
      dnsRecords: [
        { name: 'api.edge.example.com', type: 'A', value: '203.0.113.7' },
        { name: '*.apps.edge.example.com', type: 'A', value: '203.0.113.7' },
        { name: 'bastion.edge.example.com', type: 'A', value: '203.0.113.7' },
      ],
    },
  };
}

export function healthy(): Crafted {
  const s = installed();
  s.keeper = keeper();
  return { state: s, now: NOW };
}

// A NotReady node (and a cordoned one), a degraded operator, a refused CSR, a stale backup and
// certificates due within 30 days.
export function trouble(): Crafted {
  const s = installed();
  const k = keeper();
  const h = k.health!;
  h.nodes![1] = {
    name: 'cp-1',
    role: 'control-plane',
    ready: false,
    since: ago(47 * 60),
    reason: 'KubeletNotReady',
    unschedulable: true,
    siteNode: 'cp-1',
  };
  h.operatorsInTrouble = [
    {
      name: 'ingress',
      available: true,
      degraded: true,
      progressing: false,
      message: 'The "default" ingress controller reports Degraded=True: 1 of 2 replicas <b>unavailable</b>',
    },
    { name: 'machine-config', available: true, degraded: false, progressing: true, message: 'Working towards 4.16.3' },
  ];
  h.pendingCsrs = 1;
  h.certificatesNotAfter = new Date(NOW.getTime() + 20 * 86400_000 + 3600_000).toISOString();
  k.csrRefused = [
    {
      name: 'csr-<script>x</script>',
      requester: 'system:serviceaccount:openshift-machine-config-operator:node-bootstrapper',
      signer: 'kubernetes.io/kube-apiserver-client-kubelet',
      requestedName: 'system:node:edge-9',
      reason: 'edge-9 is not a node of this site',
      firstSeen: ago(3 * 3600),
      lastSeen: ago(60),
    },
  ];
  k.lastBackup = { ...k.lastBackup!, takenAt: '2026-11-21T02:03:00Z' };
  k.history = [];
  k.backupWaiting = 'operators are progressing (machine-config); the backup waits until they settle';
  s.keeper = k;
  return { state: s, now: NOW };
}

export function unreachable(): Crafted {
  const s = installed();
  const k = keeper();
  k.health = {
    at: ago(30),
    error: 'Get "https://api.edge.example.com:6443/version": dial tcp 192.168.8.1:6443: connect: connection refused',
  };
  k.lastGoodLookAt = ago(2 * 3600 + 5 * 60);
  s.keeper = k;
  return { state: s, now: NOW };
}

export function backupsOff(): Crafted {
  const s = installed();
  const k = keeper();
  k.backups = { enabled: false, everySeconds: 86400, keep: 7 };
  delete k.lastBackup;
  delete k.nextBackupAt;
  k.history = [];
  delete k.access!.wanAddress;
  k.access!.dnsRecords = k.access!.dnsRecords.map(({ name, type }) => ({ name, type }));
  s.keeper = k;
  return { state: s, now: NOW };
}

export function operation(): Crafted {
  const s = installed();
  const k = keeper();
  k.operation = {
    id: 'b-20261124-1150',
    kind: 'backup',
    by: 'command',
    status: 'running',
    startedAt: ago(130),
    detail: 'copying the etcd snapshot from cp-0 (412 MiB of 812 MiB)',
    facts: { node: 'cp-0' },
  };
  s.keeper = k;
  return { state: s, now: NOW };
}

export const CRAFTED = {
  installing,
  failed,
  locked,
  healthy,
  trouble,
  unreachable,
  'backups-off': backupsOff,
  operation,
} as const;
