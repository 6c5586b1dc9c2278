// TEST DOUBLE: a Redfish BMC, following the DMTF schema for the calls fyr uses (ServiceRoot,
// the ComputerSystem collection, ComputerSystem with PowerState and Boot, PATCH of
// Boot.BootSourceOverrideTarget/Enabled, and the ComputerSystem.Reset action), over HTTPS with
// Basic authentication. The machine behind it is a directory, as for the IPMI chassis double:
// power, boot, events (one line per power action), and an optional on-boot program started at
// each power-on, switched through lib.mjs's chassis helpers as the IPMI double does.
// GracefulShutdown is an ACPI request: the guest powers off a few seconds later (PowerState
// PoweringOff meanwhile) unless it is stuck; ForceOff is immediate. With $FYR_DOUBLES_DIR set, "bmc-power NAME" in its kill list kills the agent
// (pid in $FYR_DOUBLES_DIR/agent.pid) after the reset is done and before it is answered.
// In the virtual site (test/lab/) MACHINE/vm is a real VM (vm-chassis): PowerState is its
// process, a power-on starts it with the one-time boot device, ForceOff kills it.
//
// node redfish-bmc.mjs --listen HOST:PORT --cert FILE --key FILE --user U --password-file F --machine DIR --name NAME
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chassisPowerOff, chassisPowerOn, chassisPowered, chassisPoweringOff, chassisSoftOff } from './lib.mjs';

const { values: o } = parseArgs({
  options: {
    listen: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    user: { type: 'string' },
    'password-file': { type: 'string' },
    machine: { type: 'string' },
    name: { type: 'string' },
  },
});
const machine = o.machine;
const password = readFileSync(o['password-file'], 'utf8').trim();
const SYSTEM = '/redfish/v1/Systems/1';
const RESET = `${SYSTEM}/Actions/ComputerSystem.Reset`;
const TARGETS = ['None', 'Pxe', 'Hdd', 'Cd', 'BiosSetup'];
const ENABLED = ['Disabled', 'Once', 'Continuous'];
const RESETS = ['On', 'ForceOff', 'ForceRestart', 'GracefulShutdown', 'GracefulRestart'];

const read = (name, fallback) =>
  existsSync(join(machine, name)) ? readFileSync(join(machine, name), 'utf8').trim() : fallback;
const write = (name, value) => writeFileSync(join(machine, name), `${value}\n`);

// DMTF ComputerSystem.PowerState: On, Off, PoweringOn, PoweringOff, Paused.
const powerState = () => (chassisPoweringOff(machine) ? 'PoweringOff' : chassisPowered(machine) ? 'On' : 'Off');

function boot() {
  const [target, enabled] = read('boot', 'None Disabled').split(' ');
  return { target, enabled };
}

function powerOn(kind) {
  const b = boot();
  const device = b.enabled === 'Disabled' ? 'default' : b.target.toLowerCase();
  // "Once" applies to this boot only.
  if (b.enabled === 'Once') write('boot', 'None Disabled');
  chassisPowerOn(machine, kind, device);
}

function crashAgent(key) {
  const dir = process.env.FYR_DOUBLES_DIR;
  if (!dir || !existsSync(join(dir, 'kill'))) return;
  const lines = readFileSync(join(dir, 'kill'), 'utf8').split('\n').filter(Boolean);
  const i = lines.indexOf(key);
  if (i < 0) return;
  lines.splice(i, 1);
  writeFileSync(join(dir, 'kill'), lines.map((l) => `${l}\n`).join(''));
  appendFileSync(join(dir, 'kills.log'), `${key}\n`);
  process.kill(Number(readFileSync(join(dir, 'agent.pid'), 'utf8')), 'SIGKILL');
}

function error(res, status, messageId, message) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      error: {
        code: 'Base.1.8.GeneralError',
        message: 'A general error has occurred. See ExtendedInfo for more information.',
        '@Message.ExtendedInfo': [
          {
            '@odata.type': '#Message.v1_1_1.Message',
            MessageId: `Base.1.8.${messageId}`,
            Message: message,
            Severity: 'Warning',
          },
        ],
      },
    }),
  );
}

function json(res, body) {
  res.writeHead(200, { 'content-type': 'application/json', 'OData-Version': '4.0' });
  res.end(JSON.stringify(body));
}

function system() {
  const b = boot();
  return {
    '@odata.id': SYSTEM,
    '@odata.type': '#ComputerSystem.v1_13_0.ComputerSystem',
    Id: '1',
    Name: o.name,
    PowerState: powerState(),
    Boot: {
      BootSourceOverrideTarget: b.target,
      BootSourceOverrideEnabled: b.enabled,
      'BootSourceOverrideTarget@Redfish.AllowableValues': TARGETS,
    },
    Actions: { '#ComputerSystem.Reset': { target: RESET, 'ResetType@Redfish.AllowableValues': RESETS } },
  };
}

const server = createServer({ cert: readFileSync(o.cert), key: readFileSync(o.key) }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    appendFileSync(join(machine, 'requests'), `${req.method} ${req.url}\n`);
    const auth = req.headers.authorization ?? '';
    const [user, ...rest] = Buffer.from(auth.replace(/^Basic /, ''), 'base64')
      .toString('utf8')
      .split(':');
    if (!auth.startsWith('Basic ') || user !== o.user || rest.join(':') !== password) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Redfish"');
      return error(res, 401, 'NoValidSession', 'There is no valid session established with the implementation.');
    }
    let body;
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    } catch {
      return error(
        res,
        400,
        'MalformedJSON',
        'The request body submitted was malformed JSON and could not be parsed by the receiving service.',
      );
    }
    const url = req.url.replace(/\/$/, '') || '/';
    if (req.method === 'GET' && url === '/redfish/v1')
      return json(res, {
        '@odata.id': '/redfish/v1/',
        '@odata.type': '#ServiceRoot.v1_5_0.ServiceRoot',
        Id: 'RootService',
        RedfishVersion: '1.6.0',
        Systems: { '@odata.id': '/redfish/v1/Systems' },
      });
    if (req.method === 'GET' && url === '/redfish/v1/Systems')
      return json(res, {
        '@odata.id': '/redfish/v1/Systems',
        '@odata.type': '#ComputerSystemCollection.ComputerSystemCollection',
        'Members@odata.count': 1,
        Members: [{ '@odata.id': SYSTEM }],
      });
    if (req.method === 'GET' && url === SYSTEM) return json(res, system());
    if (req.method === 'PATCH' && url === SYSTEM) {
      const b = body?.Boot ?? {};
      const cur = boot();
      const target = b.BootSourceOverrideTarget ?? cur.target;
      const enabled = b.BootSourceOverrideEnabled ?? cur.enabled;
      if (!TARGETS.includes(target))
        return error(
          res,
          400,
          'PropertyValueNotInList',
          `The value ${target} for the property BootSourceOverrideTarget is not in the list of acceptable values.`,
        );
      if (!ENABLED.includes(enabled))
        return error(
          res,
          400,
          'PropertyValueNotInList',
          `The value ${enabled} for the property BootSourceOverrideEnabled is not in the list of acceptable values.`,
        );
      write('boot', `${target} ${enabled}`);
      res.writeHead(204);
      return res.end();
    }
    if (req.method === 'POST' && url === RESET) {
      const type = body?.ResetType;
      if (!RESETS.includes(type))
        return error(
          res,
          400,
          'ActionParameterNotSupported',
          `The parameter ResetType for the action ComputerSystem.Reset is not supported on the target resource.`,
        );
      const on = chassisPowered(machine);
      if (type === 'On' && on)
        return error(
          res,
          409,
          'ResourceInUse',
          'The change to the requested resource failed because the resource is in use or in transition.',
        );
      if (type === 'On') powerOn('power');
      else if (type === 'ForceRestart' || type === 'GracefulRestart') powerOn('reset');
      else if (type === 'GracefulShutdown') chassisSoftOff(machine);
      else chassisPowerOff(machine);
      crashAgent(`bmc-power ${o.name}`);
      res.writeHead(204);
      return res.end();
    }
    if (
      ['GET', 'PATCH', 'POST'].includes(req.method) &&
      [SYSTEM, RESET, '/redfish/v1/Systems', '/redfish/v1'].includes(url)
    )
      return error(res, 405, 'OperationNotAllowed', 'The operation is not allowed.');
    return error(res, 404, 'ResourceMissingAtURI', `The resource at the URI ${req.url} was not found.`);
  });
});
const at = o.listen.lastIndexOf(':');
server.listen(Number(o.listen.slice(at + 1)), o.listen.slice(0, at), () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
