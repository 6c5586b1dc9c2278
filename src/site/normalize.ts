// Turns schema-valid input (defaults already filled by the validator) into the Site model.
import { durationSeconds } from './duration.js';
import { formatIpv4, netmaskOf, networkOf, parseCidr } from './ipv4.js';
import { normalizeMac } from './mac.js';
import type { Bmc, Lan, Node, Site, Storage, Wan } from './model.js';
import { siteSchema, type SiteInput } from './schema.js';
import type { SecretStore } from './secrets.js';
import { defaultStorageType, nodeStorageDevices, takesStorage } from './storage.js';

type NodeInput = SiteInput['nodes'][number];

// Sections the validator leaves out when the file does: their defaults come from the schema.
const KEEPER = siteSchema.properties.keeper.properties;
const BACKUPS = siteSchema.properties.backups.properties;
const NETWORKS = siteSchema.properties.cluster.properties.networks.properties;
const STORAGE = siteSchema.properties.storage.properties;

export function normalizeSite(input: SiteInput, file: string, display: string, secrets: SecretStore): Site {
  const { cluster, network, bastion } = input;
  const fqdn = `${cluster.name}.${cluster.domain}`;
  const hostname = bastion.hostname ?? 'bastion';
  const nodes: Node[] = input.nodes.map((node) => ({
    name: node.name,
    fqdn: `${node.name}.${fqdn}`,
    role: node.role,
    mac: normalizeMac(node.mac),
    ip: node.ip,
    ...(node.installDisk === undefined ? {} : { installDisk: node.installDisk }),
    ...(node.rootDeviceHints === undefined ? {} : { rootDeviceHints: node.rootDeviceHints }),
    bmc: normalizeBmc(node.bmc),
    ...(node.cpus === undefined ? {} : { cpus: node.cpus }),
    ...(node.memoryGiB === undefined ? {} : { memoryGiB: node.memoryGiB }),
  }));
  return {
    file,
    display,
    cluster: {
      name: cluster.name,
      domain: cluster.domain,
      fqdn,
      openshiftVersion: cluster.openshiftVersion,
      networks: {
        clusterNetwork: cluster.networks?.clusterNetwork ?? NETWORKS.clusterNetwork.default,
        hostPrefix: cluster.networks?.hostPrefix ?? NETWORKS.hostPrefix.default,
        serviceNetwork: cluster.networks?.serviceNetwork ?? NETWORKS.serviceNetwork.default,
        networkType: cluster.networks?.networkType ?? NETWORKS.networkType.default,
      },
    },
    network: {
      gateway: network.gateway ?? 'pat',
      wan: normalizeWan(network.wan),
      lan: normalizeLan(network.lan),
      reservations: (network.reservations ?? []).map((r) => ({ name: r.name, mac: normalizeMac(r.mac), ip: r.ip })),
      portForwards: (network.portForwards ?? []).map((f) => ({
        ...(f.name === undefined ? {} : { name: f.name }),
        protocol: f.protocol ?? 'tcp',
        port: f.port,
        to: f.to,
        toPort: f.toPort ?? f.port,
      })),
    },
    ntp: { upstreams: input.ntp?.upstreams ?? [] },
    bastion: {
      hostname,
      fqdn: `${hostname}.${fqdn}`,
      installDisk: bastion.installDisk,
      encryption: bastion.encryption ?? 'tpm2',
      ...(bastion.passphrase ? { passphraseSecret: bastion.passphrase.secret } : {}),
      rootPasswordSecret: bastion.rootPassword.secret,
      ...(bastion.admin
        ? {
            admin: {
              name: bastion.admin.name,
              ...(bastion.admin.password ? { passwordSecret: bastion.admin.password.secret } : {}),
            },
          }
        : {}),
      timezone: bastion.timezone ?? 'UTC',
      locale: bastion.locale ?? 'en_US.UTF-8',
      keyboard: bastion.keyboard ?? 'us',
    },
    nodes,
    diskEncryption: { tang: input.diskEncryption?.tang ?? true },
    storage: normalizeStorage(input),
    operators: (input.operators ?? []).map((o) => ({
      name: o.name,
      ...(o.channel === undefined ? {} : { channel: o.channel }),
    })),
    sshKeys: input.sshKeys ?? [],
    keeper: {
      healthEverySeconds: durationSeconds(input.keeper?.healthEvery ?? KEEPER.healthEvery.default),
      powerOn: input.keeper?.powerOn ?? KEEPER.powerOn.default,
    },
    backups: {
      enabled: input.backups?.enabled ?? BACKUPS.enabled.default,
      everySeconds: durationSeconds(input.backups?.every ?? BACKUPS.every.default),
      keep: input.backups?.keep ?? BACKUPS.keep.default,
    },
    upgrades: {
      allowUnsignedReleases: input.upgrades?.allowUnsignedReleases ?? false,
      adminAcks: [...(input.upgrades?.adminAcks ?? [])],
    },
    secrets,
  };
}

function normalizeStorage(input: SiteInput): Storage {
  const hasWorkers = input.nodes.some((n) => n.role === 'worker');
  const siteDevices = input.storage?.devices ?? [];
  const nodes = input.nodes
    .filter((n) => takesStorage(n, hasWorkers))
    .map((n) => ({ name: n.name, devices: nodeStorageDevices(n, siteDevices, hasWorkers) }))
    .filter((n) => n.devices.length > 0);
  const given = input.storage?.type;
  const type = given ?? defaultStorageType(input.nodes.length, nodes.length);
  return {
    type,
    defaulted: given === undefined,
    profile: input.storage?.profile ?? STORAGE.profile.default,
    nodes: type === 'none' ? [] : nodes,
  };
}

function normalizeWan(wan: SiteInput['network']['wan']): Wan {
  const dns = wan.dns ?? [];
  const cidr = wan.address === undefined || wan.address === 'dhcp' ? undefined : parseCidr(wan.address);
  if (cidr === undefined) return { interface: wan.interface, mode: 'dhcp', dns };
  return {
    interface: wan.interface,
    mode: 'static',
    address: formatIpv4(cidr.address),
    prefix: cidr.prefix,
    gateway: wan.gateway ?? '',
    dns,
  };
}

function normalizeLan(lan: SiteInput['network']['lan']): Lan {
  const cidr = parseCidr(lan.subnet) ?? { address: 0, prefix: 32 };
  const subnet = networkOf(cidr.address, cidr.prefix);
  const [start = '', end = ''] = lan.dhcpPool.split('-');
  return {
    interface: lan.interface,
    ...(lan.vlan === undefined ? {} : { vlan: lan.vlan }),
    subnet,
    network: formatIpv4(subnet.network),
    prefix: subnet.prefix,
    netmask: netmaskOf(subnet.prefix),
    broadcast: formatIpv4(subnet.broadcast),
    bastion: lan.bastion,
    bootstrap: lan.bootstrap,
    pool: { start, end },
  };
}

function normalizeBmc(bmc: NodeInput['bmc']): Bmc {
  const defaultPort = bmc.type === 'redfish' ? 443 : bmc.type === 'ipmi' ? 623 : undefined;
  const port = bmc.port ?? defaultPort;
  return {
    type: bmc.type,
    ...(bmc.address === undefined ? {} : { address: bmc.address }),
    ...(port === undefined ? {} : { port }),
    ...(bmc.username === undefined ? {} : { username: bmc.username }),
    ...(bmc.password === undefined ? {} : { passwordSecret: bmc.password.secret }),
    ...(bmc.systemId === undefined ? {} : { systemId: bmc.systemId }),
    verifyTls: bmc.verifyTls ?? false,
    ...(bmc.cipherSuite === undefined ? {} : { cipherSuite: bmc.cipherSuite }),
    ...(bmc.mac === undefined ? {} : { mac: normalizeMac(bmc.mac) }),
  };
}
