// Where the services phase finds the PXE loaders on each OS, and which DHCP server's files the
// agent uses: over bastion trees laid out here as RHEL 9 and RHEL 10 packages install them.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { dhcpServer, findLoaders } from '../../src/agent/os-profile.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const os = suite<{ dir: string }>('agent :: os profile', { dir: '' });
os.before.each(async (ctx) => {
  ctx.dir = await makeTmpdir();
});
os.after.each(async (ctx) => removeTmpdir(ctx.dir));

async function touch(root: string, ...paths: string[]): Promise<void> {
  for (const p of paths) {
    await mkdir(dirname(join(root, p)), { recursive: true });
    await writeFile(join(root, p), p);
  }
}

os('RHEL 9: syslinux-tftpboot in /tftpboot, shim and GRUB on the ESP', async ({ dir }) => {
  await touch(
    dir,
    '/tftpboot/lpxelinux.0',
    '/tftpboot/ldlinux.c32',
    '/boot/efi/EFI/redhat/shimx64.efi',
    '/boot/efi/EFI/redhat/grubx64.efi',
  );
  const r = await findLoaders(dir, join(dir, 'var/lib/tftpboot'), 'rhel9');
  assert.equal(r.missing, []);
  assert.equal(
    r.found.map((l) => [l.from.slice(dir.length), l.to.slice(dir.length)]),
    [
      ['/tftpboot/lpxelinux.0', '/var/lib/tftpboot/lpxelinux.0'],
      ['/tftpboot/ldlinux.c32', '/var/lib/tftpboot/ldlinux.c32'],
      ['/boot/efi/EFI/redhat/shimx64.efi', '/var/lib/tftpboot/uefi/shimx64.efi'],
      ['/boot/efi/EFI/redhat/grubx64.efi', '/var/lib/tftpboot/uefi/grubx64.efi'],
    ],
  );
});

os(
  'RHEL 10: loaders under /usr/lib/efi/<package>/<version>, the newest version; syslinux-nonlinux',
  async ({ dir }) => {
    await touch(
      dir,
      '/usr/share/syslinux/lpxelinux.0',
      '/usr/share/syslinux/ldlinux.c32',
      '/usr/lib/efi/shim/15.8-5.el10/EFI/redhat/shimx64.efi',
      '/usr/lib/efi/grub2/2.12-9.el10/EFI/redhat/grubx64.efi',
      '/usr/lib/efi/grub2/2.12-15.el10/EFI/redhat/grubx64.efi',
      // A version directory without the file does not count.
      '/usr/lib/efi/grub2/2.12-20.el10/EFI/redhat/README',
    );
    const r = await findLoaders(dir, join(dir, 'var/lib/tftpboot'), 'rhel10');
    assert.equal(r.missing, []);
    assert.equal(
      r.found.map((l) => l.from.slice(dir.length)),
      [
        '/usr/share/syslinux/lpxelinux.0',
        '/usr/share/syslinux/ldlinux.c32',
        '/usr/lib/efi/shim/15.8-5.el10/EFI/redhat/shimx64.efi',
        '/usr/lib/efi/grub2/2.12-15.el10/EFI/redhat/grubx64.efi',
      ],
    );
    // RHEL 9 does not look there.
    const nine = await findLoaders(dir, join(dir, 'var/lib/tftpboot'), 'rhel9');
    assert.equal(nine.found.length, 2);
    assert.match(nine.missing.join('\n'), 'uefi/shimx64.efi (looked in ');
  },
);

os('a missing loader names every place it was looked for', async ({ dir }) => {
  const r = await findLoaders(dir, join(dir, 'var/lib/tftpboot'), 'rhel10');
  assert.is(r.found.length, 0);
  assert.is(
    r.missing[3],
    `uefi/grubx64.efi (looked in ${dir}/boot/efi/EFI/redhat/grubx64.efi, ${dir}/usr/lib/efi/grub2/*/EFI/redhat/grubx64.efi)`,
  );
});

os('the DHCP server: dhcpd on RHEL 9, Kea with its lease file and socket on RHEL 10', async ({ dir }) => {
  assert.equal(dhcpServer(dir, 'rhel9'), {
    kind: 'dhcpd',
    unit: 'dhcpd',
    config: `${dir}/etc/dhcp/dhcpd.conf`,
    leases: `${dir}/var/lib/dhcpd/dhcpd.leases`,
  });
  assert.equal(dhcpServer(dir, 'rhel10'), {
    kind: 'kea',
    unit: 'kea-dhcp4',
    config: `${dir}/etc/kea/kea-dhcp4.conf`,
    leases: `${dir}/var/lib/kea/kea-leases4.csv`,
    controlSocket: `${dir}/run/kea/kea4-ctrl-socket`,
  });
});

os.run();
