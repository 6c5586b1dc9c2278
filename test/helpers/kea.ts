// Reading a rendered Kea config in tests: Kea's extended JSON with fyr's full-line # comments.
export function parseKeaConfig(text: string): any {
  return JSON.parse(
    text
      .split('\n')
      .filter((l) => !/^\s*#/.test(l))
      .join('\n'),
  );
}

export const KEA_CONFIG = 'bundle/etc/kea/kea-dhcp4.conf';
