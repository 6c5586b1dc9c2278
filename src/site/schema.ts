// The site file's JSON Schema (draft 2020-12): the single source of truth for the input types,
// the validator, the generated schema/site.schema.json and docs/site.md.
// Two annotations fyr registers with ajv: `x-expected`, the plain-words form of a pattern or
// format, shown in messages instead of the raw regular expression; and `x-reason`, why a
// conditional (if/then) requirement applies.
import type { FromSchema } from 'json-schema-to-ts';

const DNS_LABEL = '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$';
const HEX2 = '[0-9A-Fa-f]{2}';
const HEX4 = '[0-9A-Fa-f]{4}';
const IPV4_TEXT = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4_RE = `${IPV4_TEXT}(\\.${IPV4_TEXT}){3}`;
const CIDR_RE = `${IPV4_RE}/([0-9]|[12][0-9]|3[0-2])`;

const label = {
  type: 'string',
  pattern: DNS_LABEL,
  'x-expected': 'a DNS label: lowercase letters, digits and "-", at most 63 characters, not starting or ending with "-"',
} as const;

const ipv4 = {
  type: 'string',
  format: 'ipv4',
  'x-expected': 'an IPv4 address such as 192.168.8.10',
} as const;

const cidr = {
  type: 'string',
  pattern: `^${CIDR_RE}$`,
  'x-expected': 'an IPv4 network in CIDR notation such as 192.168.8.0/24',
} as const;

const mac = {
  type: 'string',
  // colon or dash separated (one separator throughout), Cisco dotted, or 12 bare hex digits
  pattern: `^(${HEX2}([:-])${HEX2}(\\2${HEX2}){4}|${HEX4}\\.${HEX4}\\.${HEX4}|[0-9A-Fa-f]{12})$`,
  'x-expected': 'a MAC address such as 52:54:00:00:00:10 (also 52-54-00-00-00-10, 5254.0000.0010 or 525400000010)',
} as const;

const hostOrIp = {
  type: 'string',
  pattern: '^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$',
  'x-expected': 'a host name or IPv4 address',
} as const;

const devicePath = {
  type: 'string',
  pattern: '^/dev/[A-Za-z0-9_.:/-]{1,200}$',
  'x-expected': 'a device path such as /dev/sda or /dev/disk/by-path/pci-0000:00:1f.2-ata-1',
} as const;

const secretRef = {
  type: 'object',
  description: 'A reference to an entry of the secrets file; secret values never appear in the site file.',
  'x-expected': 'a reference to the secrets file such as { secret: bmc-cp-0 } (secret values never go in the site file)',
  additionalProperties: false,
  required: ['secret'],
  properties: {
    secret: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$',
      'x-expected': 'a secret name: letters, digits, "_", "." and "-", at most 63 characters',
    },
  },
} as const;

const bmc = {
  type: 'object',
  description: 'How fyr powers the node on and sets a one-time PXE boot. `manual` means a technician does it.',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { enum: ['redfish', 'ipmi', 'manual'] },
    address: { ...hostOrIp, description: 'BMC host name or IPv4 address.' },
    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'Defaults to 443 (Redfish) or 623 (IPMI).' },
    username: {
      type: 'string',
      pattern: '^[A-Za-z0-9_.@-]{1,64}$',
      'x-expected': 'a user name of letters, digits, "_", ".", "@" and "-"',
    },
    password: secretRef,
    systemId: {
      type: 'string',
      pattern: '^/redfish/v1/Systems/[A-Za-z0-9_.-]{1,64}$',
      'x-expected': 'a Redfish system path such as /redfish/v1/Systems/1',
      description: 'Redfish only: the system resource; discovered when there is exactly one.',
    },
    verifyTls: { type: 'boolean', default: false, description: 'Redfish only: verify the BMC certificate.' },
    mac: { ...mac, description: 'MAC of the BMC port, to give it a DHCP reservation on the LAN.' },
  },
  if: { properties: { type: { enum: ['redfish', 'ipmi'] } } },
  then: {
    'x-reason': 'redfish and ipmi BMCs need address, username and password',
    properties: { address: hostOrIp, username: true, password: secretRef },
    required: ['address', 'username', 'password'],
  },
} as const;

const rootDeviceHints = {
  type: 'object',
  description: 'Pick the install disk by its properties (as in OpenShift rootDeviceHints).',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    deviceName: devicePath,
    hctl: { type: 'string', pattern: '^[0-9]+:[0-9]+:[0-9]+:[0-9]+$', 'x-expected': 'an H:C:T:L address such as 0:0:0:0' },
    model: { type: 'string', pattern: '^[A-Za-z0-9_. -]{1,64}$', 'x-expected': 'a disk model string' },
    vendor: { type: 'string', pattern: '^[A-Za-z0-9_. -]{1,64}$', 'x-expected': 'a disk vendor string' },
    serialNumber: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$', 'x-expected': 'a disk serial number' },
    wwn: { type: 'string', pattern: '^(0x)?[0-9A-Fa-f]{16,32}$', 'x-expected': 'a WWN such as 0x5000c500a0b1c2d3' },
    minSizeGigabytes: { type: 'integer', minimum: 1 },
    rotational: { type: 'boolean' },
  },
} as const;

const node = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role', 'mac', 'ip', 'bmc'],
  properties: {
    name: { ...label, description: 'Host name; the node is <name>.<cluster>.<domain>.' },
    role: { enum: ['control-plane', 'worker'] },
    mac: { ...mac, description: 'MAC of the NIC that PXE-boots on the LAN.' },
    ip: { ...ipv4, description: 'Fixed LAN address, handed out by a DHCP reservation.' },
    installDisk: { ...devicePath, description: 'RHCOS install disk. Give this or rootDeviceHints.' },
    rootDeviceHints,
    bmc,
  },
} as const;

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
          pattern: '^4\\.[0-9]{1,2}\\.[0-9]{1,3}$',
          'x-expected': 'an OpenShift 4 release such as 4.16.3',
        },
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
          then: { 'x-reason': 'a static WAN address needs a gateway', properties: { gateway: ipv4 }, required: ['gateway'] },
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
      then: { 'x-reason': 'encryption "passphrase" needs a passphrase secret', properties: { passphrase: secretRef }, required: ['passphrase'] },
    },
    nodes: { type: 'array', minItems: 1, maxItems: 64, items: node },
    diskEncryption: {
      type: 'object',
      additionalProperties: false,
      properties: {
        tang: { type: 'boolean', default: true, description: "Node disks unlock from the bastion's Tang server." },
      },
    },
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
export type SecretsInput = FromSchema<typeof secretsSchema>;
