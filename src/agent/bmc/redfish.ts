// Redfish over HTTPS: the DMTF calls every BMC implements. Boot override through a PATCH of
// ComputerSystem.Boot, power through the ComputerSystem.Reset action.
import { httpRequest } from '../probes.js';
import { BmcError, type BmcDriver, type Power } from './types.js';

export interface RedfishTarget {
  address: string;
  port: number;
  username: string;
  systemId?: string;
  verifyTls: boolean;
  // Extra CA (tests, or a site CA); verifyTls must still be true for it to matter.
  ca?: string;
}

interface Reply {
  status: number;
  body: unknown;
}

const TIMEOUT_MS = 15_000;

async function call(
  target: RedfishTarget,
  password: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Reply> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const reply = await httpRequest(`https://${target.address}:${target.port}${path}`, {
    method,
    auth: `${target.username}:${password}`,
    rejectUnauthorized: target.verifyTls,
    ...(target.ca ? { ca: target.ca } : {}),
    headers: {
      accept: 'application/json',
      'OData-Version': '4.0',
      ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
    },
    ...(payload ? { body: payload } : {}),
    timeoutMs: TIMEOUT_MS,
  });
  let parsed: unknown = reply.body;
  try {
    parsed = reply.body ? JSON.parse(reply.body) : undefined;
  } catch {
    // Not JSON: keep the text for the message.
  }
  return { status: reply.status, body: parsed };
}

// The first message of a Redfish error body (@Message.ExtendedInfo), if any.
function redfishMessage(body: unknown): string {
  const err = (
    body as { error?: { message?: string; '@Message.ExtendedInfo'?: Array<{ Message?: string }> } } | undefined
  )?.error;
  return (
    err?.['@Message.ExtendedInfo']?.[0]?.Message ?? err?.message ?? (typeof body === 'string' ? body.slice(0, 200) : '')
  );
}

export function redfishDriver(target: RedfishTarget, password: string): BmcDriver {
  const describe = `redfish https://${target.address}:${target.port}`;
  let system = target.systemId;

  const send = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    let reply: Reply;
    try {
      reply = await call(target, password, method, path, body);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code);
      throw new BmcError(
        tls
          ? `${describe}: its TLS certificate is not trusted (${code}); set verifyTls: false or give its CA`
          : `${describe}: the BMC does not answer (${code || (err as Error).message})`,
        !tls,
      );
    }
    if (reply.status === 401 || reply.status === 403)
      throw new BmcError(`${describe}: the BMC refused the user name or password (HTTP ${reply.status})`, false);
    if (reply.status >= 400)
      throw new BmcError(
        `${describe}: ${method} ${path} answered HTTP ${reply.status}${redfishMessage(reply.body) ? `: ${redfishMessage(reply.body)}` : ''}`,
        reply.status >= 500,
      );
    return reply.body;
  };

  const systemPath = async (): Promise<string> => {
    if (system) return system;
    const list = (await send('GET', '/redfish/v1/Systems')) as { Members?: Array<{ '@odata.id'?: string }> };
    const members = (list?.Members ?? [])
      .map((m) => m['@odata.id'])
      .filter((id): id is string => typeof id === 'string');
    if (members.length !== 1)
      throw new BmcError(
        `${describe}: the BMC has ${members.length} systems (${members.join(', ')}); set bmc.systemId in the site file`,
        false,
      );
    system = members[0]!;
    return system;
  };

  const reset = async (type: 'On' | 'ForceRestart' | 'GracefulShutdown' | 'ForceOff'): Promise<void> => {
    const path = await systemPath();
    const sys = (await send('GET', path)) as { Actions?: Record<string, { target?: string }> };
    // The action's target is advertised by the system; the standard path is the fallback.
    const target = sys?.Actions?.['#ComputerSystem.Reset']?.target ?? `${path}/Actions/ComputerSystem.Reset`;
    await send('POST', target, { ResetType: type });
  };

  return {
    describe,
    async powerState(): Promise<Power> {
      const sys = (await send('GET', await systemPath())) as { PowerState?: string };
      const state = sys?.PowerState;
      // Powering off is not off yet: a shutdown waits for Off.
      if (state === 'On' || state === 'PoweringOn' || state === 'PoweringOff') return 'On';
      if (state === 'Off') return 'Off';
      throw new BmcError(`${describe}: unexpected PowerState ${JSON.stringify(state)}`, true);
    },
    async pxeOnce() {
      await send('PATCH', await systemPath(), {
        Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' },
      });
    },
    async powerOn() {
      await reset('On');
    },
    async restart() {
      await reset('ForceRestart');
    },
    async powerOff(how) {
      await reset(how === 'soft' ? 'GracefulShutdown' : 'ForceOff');
    },
  };
}
