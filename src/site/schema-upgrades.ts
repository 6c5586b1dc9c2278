// The site schema's upgrades: what fyr-agent upgrade may do. Inlined into src/site/schema.ts like
// schema-storage.ts.
export const upgrades = {
  type: 'object',
  description:
    'What `fyr-agent upgrade` may do when it moves the cluster to a new release from an upgrade stick (docs/day2.md).',
  additionalProperties: false,
  properties: {
    allowUnsignedReleases: {
      type: 'boolean',
      default: false,
      description:
        'Upgrade to a release whose signature fyr content did not check (--insecure-skip-signature). Off: such a stick is refused.',
    },
    adminAcks: {
      type: 'array',
      maxItems: 32,
      default: [],
      description:
        "The cluster's admin-ack gates fyr-agent upgrade may acknowledge (openshift-config/admin-acks) before a minor update, e.g. ack-4.18-kube-1.32-api-removals-in-4.19. A gate the cluster lists that is not here stops the upgrade before it starts, quoting the gate's text.",
      items: {
        type: 'string',
        pattern: '^ack-[4-5]\\.[0-9]{1,3}-[a-z0-9.-]{1,200}$',
        'x-expected': 'an admin-ack key such as ack-4.18-kube-1.32-api-removals-in-4.19',
      },
    },
  },
} as const;
