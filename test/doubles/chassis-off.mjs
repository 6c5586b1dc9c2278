// The guest's ACPI power-down after a BMC's soft-off request (lib.mjs chassisSoftOff, the
// ipmi-chassis double's "set shutdown 1"), run detached: node chassis-off.mjs CHASSIS WHY
// [DELAY_MS] (default ACPI_DELAY_S divided by FYR_DOUBLE_TIME_SCALE). It powers the chassis off after the
// delay unless the guest got stuck meanwhile, or the request is gone (the machine was switched
// off or on again by its BMC, which clears powering-off).
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ACPI_DELAY_S, chassisPowerOff, chassisPowered, chassisStuck } from './lib.mjs';

const [chassis, why, delay] = process.argv.slice(2);
const scale = Number(process.env.FYR_DOUBLE_TIME_SCALE ?? '1');
const ms =
  delay !== undefined ? Number(delay) : (ACPI_DELAY_S * 1000) / (Number.isFinite(scale) && scale > 0 ? scale : 1);
await new Promise((r) => setTimeout(r, ms));
if (existsSync(join(chassis, 'powering-off'))) {
  if (!chassisStuck(chassis) && chassisPowered(chassis)) chassisPowerOff(chassis, why);
  else rmSync(join(chassis, 'powering-off'), { force: true });
}
