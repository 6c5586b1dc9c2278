// The host's own scheduled power-off (hosts.mjs `shutdown`), run detached:
//   node shutdown.mjs DOUBLES_DIR NAME TOKEN DELAY_MS [CHASSIS_POWER_MTIME]
// When due it powers the machine off (lib.mjs chassisPowerOff, "off shutdown" in its events),
// unless the schedule was cancelled (shutdown -c), the machine was switched off or on since
// (logind's schedule does not survive a boot: the chassis power file changed), or the guest
// is stuck, which ignores it.
import { chassisPowerOff, chassisPowerSince, chassisPowered } from '../lib.mjs';
import { machineStuck } from './power.mjs';
import { update } from './state.mjs';

const [doublesDir, name, token, delay, since] = process.argv.slice(2);
await new Promise((r) => setTimeout(r, Number(delay)));
const chassis = update(doublesDir, (state) => {
  const m = state.machines.find((x) => x.name === name);
  if (!m || m.shutdown?.token !== token) return undefined;
  delete m.shutdown;
  if (machineStuck(m)) return undefined;
  if (m.chassis) return m.chassis;
  m.insideOff = true;
  m.insideOffAt = Date.now();
  return undefined;
});
if (chassis && chassisPowered(chassis) && String(chassisPowerSince(chassis) ?? '') === since)
  chassisPowerOff(chassis, 'shutdown');
