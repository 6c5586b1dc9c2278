// A node's BMC driver from the site file and the agent's secrets file.
import type { Exec } from '../exec.js';
import type { AgentNode } from '../site.js';
import { ipmiDriver } from './ipmi.js';
import { redfishDriver } from './redfish.js';
import { BmcError, type BmcDriver } from './types.js';

export { BmcError, type BmcDriver, type Power } from './types.js';
export { ipmitoolArgs, IPMI_COMMANDS } from './ipmi.js';

// undefined for a manual BMC.
export function bmcDriver(
  node: AgentNode,
  password: string | undefined,
  exec: Exec,
  ca?: string,
): BmcDriver | undefined {
  const bmc = node.bmc;
  if (bmc.type === 'manual') return undefined;
  if (!bmc.address || !bmc.username)
    throw new BmcError(`${node.name}: the site gives its ${bmc.type} BMC no address or user name`, false);
  if (password === undefined) throw new BmcError(`${node.name}: bmc-secrets.json holds no password for its BMC`, false);
  if (bmc.type === 'ipmi')
    return ipmiDriver(
      {
        address: bmc.address,
        port: bmc.port ?? 623,
        username: bmc.username,
        ...(bmc.cipherSuite === undefined ? {} : { cipherSuite: bmc.cipherSuite }),
      },
      password,
      exec,
    );
  return redfishDriver(
    {
      address: bmc.address,
      port: bmc.port ?? 443,
      username: bmc.username,
      verifyTls: bmc.verifyTls ?? false,
      ...(bmc.systemId ? { systemId: bmc.systemId } : {}),
      ...(ca ? { ca } : {}),
    },
    password,
  );
}
