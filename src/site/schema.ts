// The site file's JSON Schema (draft 2020-12): the single source of truth for the input types,
// the validator, the generated docs/schema/site.schema.json and docs/site.md.
// Three annotations fyr registers with ajv: `x-expected`, the plain-words form of a pattern or
// format, shown in messages instead of the raw regular expression; `x-reason`, why a
// conditional (if/then) requirement applies; and `x-if-number`, what to say when YAML read
// the value as a number (without it, messages suggest quotes).
import { upgrades } from './schema-upgrades.js';
import type { FromSchema } from 'json-schema-to-ts';
import {
  IPV4_RE,
  CIDR_RE,
  label,
  ipv4,
  cidr,
  mac,
  hostOrIp,
  devicePath,
  secretRef,
  node,
  duration,
  clusterNetworks,
} from './schema-defs.js';
import { operators, storage } from './schema-storage.js';

export const siteSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:fyr:schema:site:v1',
  title: 'fyr site file',
  description: 'One far-edge OpenShift site: a bastion and its cluster nodes.',
  type: 'object',
  additionalProperties: false,
  required: ['cluster', 'network', 'bastion', 'nodes'],
  properties: {
    cluster: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'domain', 'openshiftVersion'],
      properties: {
        name: { ...label, description: 'Cluster name; records live under <name>.<domain>.' },
        domain: {
          type: 'string',
          pattern: '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$',
          'x-expected': 'a lowercase DNS domain such as example.com',
          description: 'Base domain.',
        },
        openshiftVersion: {
          type: 'string',
          pattern: '^4\\.[0-9]{1,2}(\\.[0-9]{1,3})?$',
          'x-expected': 'an OpenShift 4 release such as 4.16.3, or a minor such as 4.16',
          description:
            'The OpenShift release the site runs: a minor (4.16) accepts any release of that minor, an exact version only that one. fyr build, customize and flash refuse a release ISO of another version.',
        },
        networks: clusterNetworks,
      },
    },
    network: {
      type: 'object',
      additionalProperties: false,
      required: ['wan', 'lan'],
      properties: {
        gateway: {
          enum: ['pat', 'nat'],
          default: 'pat',
          description: 'pat: only the bastion is reachable from the WAN; nat: the LAN is routed.',
        },
        wan: {
          type: 'object',
          additionalProperties: false,
          required: ['interface'],
          properties: {
            interface: {
              type: 'string',
              pattern: '^[A-Za-z0-9_.-]{1,15}$',
              'x-expected': 'a network interface name such as eno1 (at most 15 characters)',
            },
            address: {
              type: 'string',
              pattern: `^(dhcp|${CIDR_RE})$`,
              default: 'dhcp',
              'x-expected': '"dhcp" or an address with prefix length such as 203.0.113.10/24',
            },
            gateway: { ...ipv4, description: 'Default gateway (static address only).' },
            dns: { type: 'array', items: ipv4, maxItems: 3, description: 'Upstream DNS servers.' },
          },
          if: { required: ['address'], properties: { address: { not: { const: 'dhcp' } } } },
          then: {
            'x-reason': 'a static WAN address needs a gateway',
            properties: { gateway: ipv4 },
            required: ['gateway'],
          },
        },
        lan: {
          type: 'object',
          additionalProperties: false,
          required: ['interface', 'subnet', 'bastion', 'dhcpPool', 'bootstrap'],
          properties: {
            interface: {
              type: 'string',
              pattern: '^[A-Za-z0-9_.-]{1,15}$',
              'x-expected': 'a network interface name such as eno2 (at most 15 characters)',
            },
            vlan: { type: 'integer', minimum: 1, maximum: 4094, description: '802.1Q VLAN id of the LAN.' },
            subnet: cidr,
            bastion: { ...ipv4, description: "The bastion's LAN address: gateway, DNS, NTP, PXE server." },
            dhcpPool: {
              type: 'string',
              pattern: `^${IPV4_RE}-${IPV4_RE}$`,
              'x-expected': 'a range such as 192.168.8.100-192.168.8.199',
              description: 'Dynamic range for hosts without a reservation.',
            },
            bootstrap: { ...ipv4, description: 'Address of the temporary bootstrap VM.' },
          },
        },
        reservations: {
          type: 'array',
          description: 'Extra fixed DHCP leases on the LAN (switches, PDUs, cameras).',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'mac', 'ip'],
            properties: { name: label, mac, ip: ipv4 },
          },
        },
        portForwards: {
          type: 'array',
          description: 'Extra ports the bastion forwards from the WAN to a LAN host.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['port', 'to'],
            properties: {
              name: label,
              protocol: { enum: ['tcp', 'udp'], default: 'tcp' },
              port: { type: 'integer', minimum: 1, maximum: 65535, description: 'Port on the WAN side.' },
              to: { ...ipv4, description: 'LAN host the traffic goes to.' },
              toPort: { type: 'integer', minimum: 1, maximum: 65535, description: 'Defaults to port.' },
            },
          },
        },
      },
    },
    ntp: {
      type: 'object',
      additionalProperties: false,
      properties: {
        upstreams: {
          type: 'array',
          maxItems: 8,
          items: hostOrIp,
          description: 'Upstream NTP servers. Empty: the bastion clock is the source (offline sites).',
        },
      },
    },
    bastion: {
      type: 'object',
      additionalProperties: false,
      required: ['installDisk', 'rootPassword'],
      properties: {
        hostname: { ...label, default: 'bastion' },
        installDisk: devicePath,
        encryption: {
          enum: ['tpm2', 'passphrase', 'none'],
          default: 'tpm2',
          description: 'LUKS on the bastion disk: bound to the TPM2, unlocked by a passphrase, or none.',
        },
        passphrase: { ...secretRef, description: 'LUKS passphrase (encryption: passphrase).' },
        rootPassword: { ...secretRef, description: 'A crypt(3) hash, e.g. from `openssl passwd -6`.' },
        admin: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: {
              type: 'string',
              pattern: '^[a-z_][a-z0-9_-]{0,30}$',
              'x-expected': 'a Linux user name such as fyr',
            },
            password: { ...secretRef, description: 'A crypt(3) hash; without it the user logs in by SSH key.' },
          },
        },
        timezone: {
          type: 'string',
          default: 'UTC',
          pattern: '^[A-Za-z0-9_+-]{1,32}(/[A-Za-z0-9_+-]{1,32}){0,2}$',
          'x-expected': 'a time zone such as UTC or Europe/Oslo',
        },
        locale: {
          type: 'string',
          default: 'en_US.UTF-8',
          pattern: '^[a-z]{2,3}_[A-Z]{2}(\\.UTF-8)?$',
          'x-expected': 'a locale such as en_US.UTF-8',
        },
        keyboard: {
          type: 'string',
          default: 'us',
          pattern: '^[a-z]{2,8}([(-][a-z0-9-]{1,16}\\)?)?$',
          'x-expected': 'a keyboard layout such as us or de',
        },
      },
      if: { required: ['encryption'], properties: { encryption: { const: 'passphrase' } } },
      then: {
        'x-reason': 'encryption "passphrase" needs a passphrase secret',
        properties: { passphrase: secretRef },
        required: ['passphrase'],
      },
    },
    nodes: { type: 'array', minItems: 1, maxItems: 64, items: node },
    diskEncryption: {
      type: 'object',
      additionalProperties: false,
      properties: {
        tang: { type: 'boolean', default: true, description: "Node disks unlock from the bastion's Tang server." },
      },
    },
    storage,
    operators,
    sshKeys: {
      type: 'array',
      maxItems: 32,
      items: {
        type: 'string',
        pattern:
          '^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\\.com|sk-ecdsa-sha2-nistp256@openssh\\.com) [A-Za-z0-9+/]+={0,3}( [A-Za-z0-9_.@+:/ -]{1,128})?$',
        'x-expected': 'an OpenSSH public key line such as "ssh-ed25519 AAAA... user@host"',
      },
      description: 'Public keys for root/admin on the bastion and core on the nodes.',
    },
    keeper: {
      type: 'object',
      description:
        "The keeper: the bastion's agent once the cluster is installed. It looks at the cluster's health, approves node certificate requests and takes the backups.",
      additionalProperties: false,
      properties: {
        healthEvery: {
          ...duration,
          default: '5m',
          description:
            "How often the keeper looks at the cluster's health (version, operators, nodes, pending certificate requests); at least 1m, at most 24h.",
        },
        powerOn: {
          type: 'string',
          enum: ['auto', 'manual'],
          default: 'auto',
          description:
            'When the bastion boots and finds the site shut down by fyr-agent shutdown, or nodes off that should be on: auto powers them on through their BMCs in the documented order (control planes, their certificate requests, workers); manual waits for fyr-agent power-on.',
        },
      },
    },
    backups: {
      type: 'object',
      description: "etcd backups the keeper takes onto the bastion's disk. On by default.",
      additionalProperties: false,
      properties: {
        enabled: {
          type: 'boolean',
          default: true,
          description: 'Take backups on a schedule; `fyr-agent backup` takes one by hand either way.',
        },
        every: {
          ...duration,
          default: '6h',
          description: 'Time between scheduled backups; at least 1h (a backup is I/O-heavy on the control plane).',
        },
        keep: {
          type: 'integer',
          minimum: 1,
          maximum: 1000,
          default: 14,
          'x-expected': 'a whole number from 1 to 1000',
          description: 'How many backups stay on the bastion; the newest are kept, older ones deleted.',
        },
      },
    },
    upgrades,
    secrets: {
      type: 'string',
      default: './secrets.yaml',
      pattern: '^[A-Za-z0-9_./-]{1,255}$',
      'x-expected': 'a path (relative to the site file) such as ./secrets.yaml',
      description: 'The secrets file: BMC passwords, password hashes, passphrases. Keep it out of git.',
    },
  },
} as const;

// The secrets file: a flat map from secret name to value.
export const secretsSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:fyr:schema:secrets:v1',
  title: 'fyr secrets file',
  description: 'Secret values referenced from the site file by name. Never commit this file.',
  type: 'object',
  propertyNames: {
    pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$',
    'x-expected': 'a secret name: letters, digits, "_", "." and "-", at most 63 characters',
  },
  additionalProperties: { type: 'string', minLength: 1, maxLength: 4096 },
} as const;

export type SiteInput = FromSchema<typeof siteSchema>;
