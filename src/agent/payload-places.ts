// Where each release payload role goes on the bastion, relative to the content root (what PXE
// serves) or the bin dir: the install's payload phase and an upgrade put them in the same places.
export const CONTENT_PLACES: Record<string, string> = {
  'rhcos-kernel': 'rhcos/kernel',
  'rhcos-initramfs': 'rhcos/initramfs.img',
  'rhcos-rootfs': 'rhcos/rootfs.img',
  'rhcos-metal': 'rhcos/metal.raw.gz',
};
export const BINARY_PLACES: Record<string, string> = { 'openshift-install': 'openshift-install', oc: 'oc' };
