// The machines' power, as the cluster sees it. A machine with a chassis (the directory its BMC
// double keeps, lib.mjs) is on when that chassis is; one without is on unless it shut itself
// down. Every tick (each oc call, API up or not) looks at each machine: a power-on starts a
// boot that brings the kubelet up BOOT_DELAY_S later (time-scaled); a power-off stops it. The
// node lifecycle controller (kube-controller-manager, so only while the API serves) marks a
// Node whose kubelet stopped posting NodeStatusUnknown after the node-monitor grace period,
// counted from when it stopped or from when the controller came back, whichever is later
// (k8s.io/kubernetes pkg/controller/nodelifecycle: nodeMonitorGracePeriod 40 s, probe times
// reset when the controller starts). The API serves while a control-plane machine is up.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chassisPowerSince, chassisPowered, chassisStuck } from '../lib.mjs';
import { timeScale } from './util.mjs';

export const BOOT_DELAY_S = 20;
export const NODE_MONITOR_GRACE_S = 40;

// {on, changedAt}: changedAt is when the power file took its present value (undefined when
// the file does not say, e.g. a VM that powered itself off).
export function machinePower(m) {
  if (!m.chassis) return { on: !m.insideOff, changedAt: m.insideOff ? m.insideOffAt : undefined };
  const on = chassisPowered(m.chassis);
  const file = join(m.chassis, 'power');
  const says = existsSync(file) ? ['1', 'On'].includes(readFileSync(file, 'utf8').trim()) : undefined;
  return { on, changedAt: says === on ? chassisPowerSince(m.chassis) : undefined };
}

export const machineStuck = (m) => (m.chassis ? chassisStuck(m.chassis) : Boolean(m.stuck));

// The chassis events after the machine was added that booted it from the network.
export function pxeBootedSinceAdded(m) {
  if (!m.chassis) return true;
  const file = join(m.chassis, 'events');
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  return lines.slice(m.eventsAtAdd ?? 0).some((l) => /^(power|reset) boot=pxe$/.test(l));
}

export const eventCount = (chassis) =>
  chassis && existsSync(join(chassis, 'events'))
    ? readFileSync(join(chassis, 'events'), 'utf8').split('\n').filter(Boolean).length
    : 0;

// The machine is on and done booting.
export const machineUp = (m, now) => !m.pending && m.power === 'on' && m.bootedAt != null && now >= m.bootedAt;
// Its kubelet runs (a deleted Node's machine keeps quiet until it boots again).
export const kubeletRunning = (m, now) => machineUp(m, now) && !m.nodeDeleted;
// Its kubelet can post its status: it runs and holds a valid client certificate.
export const kubeletPosting = (m, now) => kubeletRunning(m, now) && !m.renewing;

export const apiServing = (state, now) =>
  Boolean(state.api.up) && state.machines.some((m) => m.role === 'control-plane' && machineUp(m, now));

// A machine as initCluster or addMachine records it: powered machines of the initial cluster
// count as booted already; an added one waits for its PXE boot.
export function initMachine(m, now, { added = false } = {}) {
  const p = machinePower(m);
  m.power = p.on ? 'on' : 'off';
  m.poweredAt = p.on ? (p.changedAt ?? now) : undefined;
  m.offAt = p.on ? undefined : (p.changedAt ?? now);
  m.bootedAt = p.on && !added ? now : null;
  m.boots = 0;
  if (added) {
    m.pending = true;
    m.addedAt = now;
  }
  return m;
}

// A reboot in place (the machine-config daemon's, upgrade.mjs): the kubelet stops now and comes
// back `seconds` later (time-scaled; longer than the node monitor's grace, so the Node shows
// NotReady meanwhile, as a bare-metal reboot does); the power stays on.
export function reboot(m, at, seconds) {
  m.offAt = at;
  booting(m, at);
  m.bootedAt = at + (seconds * 1000) / timeScale();
}

// A new boot: a kubelet whose Node was deleted starts over as a new one (client CSR through
// the bootstrap credentials); one whose certificates expired files both CSRs again.
function booting(m, at) {
  m.power = 'on';
  m.poweredAt = at;
  m.bootedAt = at + (BOOT_DELAY_S * 1000) / timeScale();
  m.boots = (m.boots ?? 0) + 1;
  delete m.shutdown; // logind's schedule does not survive a boot
  if (m.nodeDeleted || m.certsExpired) {
    m.renewing = !m.nodeDeleted;
    delete m.nodeDeleted;
    delete m.certsExpired;
    delete m.clientCsr;
    delete m.servingCsr;
    m.served = false;
  }
}

export function observePower(state, now) {
  for (const m of state.machines) {
    const p = machinePower(m);
    if (m.pending) {
      // Racked after install: it becomes a node only through a network boot.
      if (!p.on || !pxeBootedSinceAdded(m)) {
        m.power = p.on ? 'on' : 'off';
        continue;
      }
      delete m.pending;
      booting(m, Math.min(p.changedAt ?? now, now));
      continue;
    }
    if (!p.on) {
      if (m.power !== 'off') {
        m.power = 'off';
        m.offAt = Math.min(p.changedAt ?? now, now);
        m.bootedAt = null;
        delete m.shutdown;
      }
      continue;
    }
    const at = Math.min(p.changedAt ?? now, now);
    if (m.power !== 'on') booting(m, at);
    else if (p.changedAt !== undefined && m.poweredAt !== undefined && p.changedAt > m.poweredAt) {
      // Reset while on: the kubelet stopped posting at that moment.
      m.offAt = at;
      booting(m, at);
    }
  }
}
