// The virtual site's timeline: when each node was powered on (vm-chassis's boots file), what
// its serial console showed and when (polled while the lab runs), and what the agent saw
// (state.json's seen times, from the DHCP and HTTP logs). Times are seconds since the lab began.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from '../helpers/agent-lab.js';
import { SERIAL_MARKS, serialText, type Vm } from './vms.js';

export class SerialWatch {
  private readonly first = new Map<string, Map<string, number>>();
  readonly texts = new Map<string, string>();
  constructor(private readonly vms: readonly Vm[]) {}

  async poll(): Promise<void> {
    const now = Date.now();
    for (const vm of this.vms) {
      const text = await serialText(vm);
      this.texts.set(vm.name, text);
      const marks = this.first.get(vm.name) ?? new Map<string, number>();
      this.first.set(vm.name, marks);
      for (const m of SERIAL_MARKS) if (!marks.has(m.step) && m.pattern.test(text)) marks.set(m.step, now);
    }
  }

  seen(name: string, step: string): number | undefined {
    return this.first.get(name)?.get(step);
  }
}

export interface NodeTimeline {
  name: string;
  firmware: string;
  events: Array<{ at: number; what: string }>;
  poweredOn?: number;
  installed?: number;
}

export interface Timeline {
  nodes: NodeTimeline[];
  // From the start of the lab to the last node installed.
  total: number;
}

export async function buildTimeline(lab: Lab, serial: SerialWatch | undefined, started: number): Promise<Timeline> {
  const state = await lab.state().catch(() => ({ nodes: [] as any[] }));
  const rel = (ms: number) => (ms - started) / 1000;
  const nodes: NodeTimeline[] = [];
  for (const n of [...lab.nodes, ...(lab.strayVm ? [{ name: 'stray', vm: lab.strayVm }] : [])]) {
    if (!n.vm) continue;
    const events: NodeTimeline['events'] = [];
    const boots = (await readFile(join(n.vm.dir, 'boots'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
    for (const b of boots) {
      const [t, ...what] = b.split(' ');
      events.push({ at: rel(Number(t) * 1000), what: `vm ${what.join(' ')}` });
    }
    for (const m of SERIAL_MARKS) {
      const at = serial?.seen(n.name, m.step);
      if (at !== undefined) events.push({ at: rel(at), what: `serial: ${m.step}` });
    }
    const record = state.nodes.find((r: any) => r.name === n.name);
    for (const [step, at] of Object.entries((record?.seen ?? {}) as Record<string, string>))
      events.push({ at: rel(Date.parse(at)), what: `agent saw ${step}` });
    events.sort((a, b) => a.at - b.at);
    const poweredOn = events.find((e) => e.what.startsWith('vm boot'))?.at;
    const installed = serial?.seen(n.name, 'installed');
    nodes.push({
      name: n.name,
      firmware: n.vm.firmware,
      events,
      ...(poweredOn !== undefined ? { poweredOn } : {}),
      ...(installed !== undefined ? { installed: rel(installed) } : {}),
    });
  }
  const total = Math.max(0, ...nodes.map((n) => n.installed ?? 0));
  return { nodes, total };
}

export function formatTimeline(t: Timeline): string {
  const lines = ['lab: timeline (seconds since the lab began)'];
  for (const n of t.nodes) {
    const took =
      n.poweredOn !== undefined && n.installed !== undefined
        ? `power-on to installed ${(n.installed - n.poweredOn).toFixed(1)} s`
        : n.installed === undefined && n.name === 'stray'
          ? 'never installed'
          : 'not installed';
    lines.push(`  ${n.name} (${n.firmware}): ${took}`);
    for (const e of n.events) lines.push(`    ${e.at.toFixed(1).padStart(7)}  ${e.what}`);
  }
  lines.push(`lab: total ${t.total.toFixed(1)} s from the start to the last node installed`);
  return lines.join('\n');
}
