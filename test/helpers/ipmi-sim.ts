// Configuration for OpenIPMI's ipmi_sim as the tests run it: one BMC on a LAN channel with an
// admin user, whose chassis is the ipmi-chassis double keeping its state in `machine`.
import { resolve } from 'node:path';

const CHASSIS = resolve('test/doubles/ipmi-chassis');

export function ipmiSimFiles(o: {
  name: string;
  address: string;
  port: number;
  username: string;
  password: string;
  machine: string;
}): { lanConf: string; emu: string } {
  const lanConf = [
    `name "${o.name}"`,
    'set_working_mc 0x20',
    '  startlan 1',
    `    addr ${o.address} ${o.port}`,
    '    priv_limit admin',
    '    guid a123456789abcdefa123456789abcdef',
    '  endlan',
    `  chassis_control "${CHASSIS} ${o.machine}"`,
    `  user 2 true "${o.username}" "${o.password}" admin 10 none md2 md5 straight`,
    '',
  ].join('\n');
  const emu = 'mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\nmc_enable 0x20\n';
  return { lanConf, emu };
}
