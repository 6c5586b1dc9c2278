// Shared by the test doubles in test/doubles/bin: each records its argv in $FYR_DOUBLES_DIR/calls.log
// (one JSON array per line) and, when the test listed its command line in $FYR_DOUBLES_DIR/kill,
// kills its caller (the agent) with SIGKILL right after doing its work: a crash between a side
// effect and the agent's record of it, the worst moment.
// Also the machines behind the BMCs (chassis directories), which the Redfish double, the fake
// cluster and the in-guest shutdown switch through the helpers below (ipmi-chassis, a shell
// script for ipmi_sim's sake, keeps the same files the same way).
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { doublesFile } from './root.mjs';

export const dir = process.env.FYR_DOUBLES_DIR;

export const args = process.argv.slice(2);

// Every double in bin/ records first; the chassis helpers also run where no doubles dir is set
// (a Redfish BMC, ipmi_sim's chassis program), so the check lives here, not at import.
export function record(name) {
  if (!dir) {
    process.stderr.write('test double: FYR_DOUBLES_DIR is not set\n');
    process.exit(2);
  }
  appendFileSync(join(dir, 'calls.log'), `${JSON.stringify([name, ...args])}\n`);
}

// Kills `pid` (default: the caller) when `key` starts with a line of the kill list; each line
// fires once.
export function crashPoint(key, pid = process.ppid) {
  const file = join(dir, 'kill');
  if (!existsSync(file)) return;
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const i = lines.findIndex((l) => key.startsWith(l));
  if (i < 0) return;
  lines.splice(i, 1);
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  appendFileSync(join(dir, 'kills.log'), `${key}\n`);
  process.kill(pid, 'SIGKILL');
}

export function readState(name, fallback) {
  const file = join(dir, `state-${name}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : fallback;
}

export function writeState(name, value) {
  writeFileSync(join(dir, `state-${name}.json`), JSON.stringify(value, null, 2));
}

export function fail(message, code = 1) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

export function option(name) {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

// ---- The machine behind a BMC -------------------------------------------------------------
// A chassis directory holds: power ("1" or "0"; its mtime is when it last changed), boot (the
// one-time boot device, each BMC in its own words), events (one line per power action:
// "power boot=D", "reset boot=D", "off" (a hard off from the BMC), "soft" (an ACPI request),
// "off acpi", "off shutdown" (the guest powered itself off)), stuck (present: the guest
// ignores ACPI and its own shutdown), powering-off (an ACPI power-down under way), and an
// optional on-boot program. With DIR/vm (test/lab/vm-chassis) the power is a real VM's process.

const vmOf = (chassis) => join(chassis, 'vm');
const readText = (file, fallback) => (existsSync(file) ? readFileSync(file, 'utf8').trim() : fallback);

export function chassisPowered(chassis) {
  if (existsSync(vmOf(chassis))) return execFileSync(vmOf(chassis), ['status'], { encoding: 'utf8' }).trim() === 'On';
  // "On" is what the Redfish double wrote before both used 1/0.
  return ['1', 'On'].includes(readText(join(chassis, 'power'), '0'));
}

// When the power last changed (ms), as far as the power file knows; undefined if never.
export function chassisPowerSince(chassis) {
  const f = join(chassis, 'power');
  return existsSync(f) ? statSync(f).mtimeMs : undefined;
}

export const chassisStuck = (chassis) => existsSync(join(chassis, 'stuck'));

export function chassisEvent(chassis, line) {
  appendFileSync(join(chassis, 'events'), `${line}\n`);
}

// Power off now: a BMC's hard off (why undefined: "off") or the guest's own ("off WHY").
export function chassisPowerOff(chassis, why) {
  writeFileSync(join(chassis, 'power'), '0\n');
  rmSync(join(chassis, 'powering-off'), { force: true });
  chassisEvent(chassis, why ? `off ${why}` : 'off');
  if (existsSync(vmOf(chassis))) execFileSync(vmOf(chassis), why ? ['stop', why] : ['stop']);
}

// Power on (kind "power") or reset ("reset") with this boot's device (pxe or default): the
// VM starts, or the on-boot program runs in the background (a simulated PXE boot).
export function chassisPowerOn(chassis, kind, device) {
  writeFileSync(join(chassis, 'power'), '1\n');
  rmSync(join(chassis, 'powering-off'), { force: true });
  chassisEvent(chassis, `${kind} boot=${device}`);
  if (existsSync(vmOf(chassis))) {
    if (kind === 'reset') execFileSync(vmOf(chassis), ['stop']);
    execFileSync(vmOf(chassis), ['start', device]);
    return;
  }
  const hook = join(chassis, 'on-boot');
  if (existsSync(hook)) {
    const log = join(chassis, 'on-boot.log');
    spawn('sh', ['-c', `exec "$0" "$1" >> "$2" 2>&1`, hook, device, log], {
      detached: true,
      stdio: 'ignore',
    }).unref();
  }
}

// An ACPI soft-off (IPMI "chassis power soft", Redfish GracefulShutdown): the request is
// recorded; unless the guest is stuck, it shuts down and powers off after ACPI_DELAY_S
// (time-scaled), in a detached process so the BMC answers at once.
export const ACPI_DELAY_S = 5;
export function chassisSoftOff(chassis) {
  chassisEvent(chassis, 'soft');
  if (!chassisPowered(chassis) || chassisStuck(chassis)) return;
  const scale = Number(process.env.FYR_DOUBLE_TIME_SCALE ?? '1');
  const ms = (ACPI_DELAY_S * 1000) / (Number.isFinite(scale) && scale > 0 ? scale : 1);
  writeFileSync(join(chassis, 'powering-off'), `${Date.now() + ms}\n`);
  spawn(process.execPath, [doublesFile('chassis-off.mjs'), chassis, 'acpi', String(Math.round(ms))], {
    detached: true,
    stdio: 'ignore',
  }).unref();
}

// Redfish's PoweringOff: an ACPI power-down is under way.
export const chassisPoweringOff = (chassis) => existsSync(join(chassis, 'powering-off')) && chassisPowered(chassis);
