// IPMI over LAN through ipmitool. The password goes in through IPMI_PASSWORD (-E), never argv,
// where any user could read it in /proc.
import { CommandError, type Exec } from '../exec.js';
import { BmcError, type BmcDriver, type Power } from './types.js';

export interface IpmiTarget {
  address: string;
  port: number;
  username: string;
  // ipmitool -C; absent, ipmitool asks the BMC which suites it has.
  cipherSuite?: number;
}

// Short timeouts: an unreachable BMC should be reported in seconds, not minutes.
export function ipmitoolArgs(target: IpmiTarget, command: readonly string[]): string[] {
  return [
    '-I',
    'lanplus',
    '-H',
    target.address,
    '-p',
    String(target.port),
    '-U',
    target.username,
    '-E',
    ...(target.cipherSuite === undefined ? [] : ['-C', String(target.cipherSuite)]),
    '-N',
    '2',
    '-R',
    '2',
    ...command,
  ];
}

export const IPMI_COMMANDS = {
  status: ['chassis', 'power', 'status'],
  // ipmitool's bootdev applies to the next boot only unless "options=persistent" is given.
  pxeOnce: ['chassis', 'bootdev', 'pxe'],
  on: ['chassis', 'power', 'on'],
  reset: ['chassis', 'power', 'reset'],
  // ACPI soft-off (the OS is asked) and the hard power-off.
  soft: ['chassis', 'power', 'soft'],
  off: ['chassis', 'power', 'off'],
} as const;

export function ipmiDriver(target: IpmiTarget, password: string, exec: Exec): BmcDriver {
  const describe = `ipmi ${target.address}:${target.port}`;
  const run = async (command: readonly string[]): Promise<string> => {
    try {
      const r = await exec('ipmitool', ipmitoolArgs(target, command), {
        env: { IPMI_PASSWORD: password },
        secrets: [password],
        timeoutMs: 30_000,
      });
      return r.stdout;
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      if (/RAKP|unauthori[sz]ed|password|Invalid user name/i.test(err.message))
        throw new BmcError(`${describe}: the BMC refused the user name or password`, false);
      if (/Unable to establish|Unable to get Channel|timeout|No response/i.test(err.message))
        throw new BmcError(
          `${describe}: the BMC does not answer, or refused the user name or password (${err.message.split('\n').pop()})`,
          true,
        );
      throw new BmcError(`${describe}: ${err.message}`, err.retryable);
    }
  };
  return {
    describe,
    async powerState(): Promise<Power> {
      const out = await run(IPMI_COMMANDS.status);
      if (/power is on/i.test(out)) return 'On';
      if (/power is off/i.test(out)) return 'Off';
      throw new BmcError(`${describe}: unexpected answer to "chassis power status": ${out.trim()}`, true);
    },
    async pxeOnce() {
      await run(IPMI_COMMANDS.pxeOnce);
    },
    async powerOn() {
      await run(IPMI_COMMANDS.on);
    },
    async restart() {
      await run(IPMI_COMMANDS.reset);
    },
    async powerOff(how) {
      await run(how === 'soft' ? IPMI_COMMANDS.soft : IPMI_COMMANDS.off);
    },
  };
}
