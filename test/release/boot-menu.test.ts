// Boot menu edits on literal menus shaped like lorax's (RHEL 9 isolinux and GRUB, RHEL 10 GRUB).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { editGrub, editIsolinux, safeVolumeId, udevEscape } from '../../src/release/boot-menu.js';

const SAME = {
  oldLabel: 'RHEL-9-4-0-BaseOS-x86_64',
  newLabel: 'RHEL-9-4-0-BaseOS-x86_64',
  ksPath: '/ks.cfg',
  timeoutSeconds: 5,
};
const KS = 'inst.ks=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64:/ks.cfg';

const ISOLINUX = `default vesamenu.c32
timeout 600

label linux
  menu label ^Install Red Hat Enterprise Linux 9.4
  kernel vmlinuz
  append initrd=initrd.img inst.stage2=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64 inst.ks=http://old/ks.cfg quiet

label check
  menu label Test this ^media & install Red Hat Enterprise Linux 9.4
  menu default
  kernel vmlinuz
  append initrd=initrd.img inst.stage2=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64 rd.live.check quiet

menu begin ^Troubleshooting
label rescue
  kernel vmlinuz
  append initrd=initrd.img inst.stage2=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64 inst.rescue quiet
label memtest
  kernel memtest
menu end`;

test('boot-menu :: isolinux: inst.ks on install entries (old one replaced), not on rescue; plain install is the default; 5 s', () => {
  const out = editIsolinux(ISOLINUX, SAME);
  assert.is(out.installEntries, 2);
  assert.is(out.defaultEntry, 'linux');
  const lines = out.text.split('\n');
  assert.ok(lines.includes(`  append initrd=initrd.img inst.stage2=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64 quiet ${KS}`));
  assert.ok(
    lines.includes(
      `  append initrd=initrd.img inst.stage2=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64 rd.live.check quiet ${KS}`,
    ),
  );
  assert.ok(
    lines.includes('  append initrd=initrd.img inst.stage2=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64 inst.rescue quiet'),
  );
  assert.not.match(out.text, /inst\.ks=http/);
  assert.ok(lines.includes('timeout 50'));
  assert.is(lines.filter((l) => l.trim() === 'menu default').length, 1);
  assert.is(lines[lines.indexOf('label linux') + 1], '  menu default');
});

test('boot-menu :: isolinux: a "default <label>" line follows the new default; a menu module stays', () => {
  const out = editIsolinux(ISOLINUX.replace('default vesamenu.c32', 'default check'), SAME);
  assert.ok(out.text.split('\n').includes('default linux'));
  assert.ok(editIsolinux(ISOLINUX, SAME).text.startsWith('default vesamenu.c32\n'));
});

const GRUB = `set default="1"

function load_video {
  insmod all_video
}

set timeout=60
### END /etc/grub.d/00_header ###

search --no-floppy --set=root -l 'RHEL-9-4-0-BaseOS-x86_64'

menuentry 'Install Red Hat Enterprise Linux 9.4' --class fedora --class gnu-linux --class gnu --class os {
	linuxefi /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64 quiet
	initrdefi /images/pxeboot/initrd.img
}
menuentry 'Test this media & install Red Hat Enterprise Linux 9.4' --class fedora --class gnu-linux --class gnu --class os {
	linuxefi /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64 rd.live.check quiet
	initrdefi /images/pxeboot/initrd.img
}
submenu 'Troubleshooting -->' {
	menuentry 'Rescue a Red Hat Enterprise Linux system' --class fedora --class gnu-linux --class gnu --class os {
		linuxefi /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64 inst.rescue quiet
		initrdefi /images/pxeboot/initrd.img
	}
}`;

test('boot-menu :: grub: linuxefi lines get inst.ks, default points at the plain install entry, timeout 5', () => {
  const out = editGrub(GRUB, SAME);
  assert.is(out.installEntries, 2);
  assert.is(out.defaultEntry, 'Install Red Hat Enterprise Linux 9.4');
  const lines = out.text.split('\n');
  assert.is(lines[0], 'set default="0"');
  assert.ok(lines.includes('set timeout=5'));
  assert.ok(
    lines.includes(`\tlinuxefi /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64 quiet ${KS}`),
  );
  assert.ok(
    lines.includes(
      '\t\tlinuxefi /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64 inst.rescue quiet',
    ),
  );
});

test('boot-menu :: grub: the default index counts a submenu as one entry', () => {
  const reordered =
    GRUB.replace(/menuentry 'Install Red Hat Enterprise Linux 9.4'[\s\S]*?\n}\n/, '') +
    `\nmenuentry 'Install' {\n\tlinux /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64\n}\n`;
  const out = editGrub(reordered, SAME);
  assert.is(out.defaultEntry, 'Install');
  assert.ok(out.text.startsWith('set default="2"\n'));
});

test('boot-menu :: grub: missing timeout and default lines are added at the top', () => {
  const out = editGrub(`menuentry 'Install' {\n\tlinux /vmlinuz inst.stage2=hd:LABEL=X\n}`, {
    ...SAME,
    oldLabel: 'X',
    newLabel: 'X',
  });
  assert.is(out.text.split('\n').slice(0, 2).join('|'), 'set default="0"|set timeout=5');
});

test('boot-menu :: a volume id with spaces is replaced everywhere: \\x20 for isolinux, \\\\x20 and quoted for GRUB', () => {
  const old = 'RHEL 9.4 BaseOS x86_64';
  const edit = { oldLabel: old, newLabel: safeVolumeId(old), ksPath: '/ks.cfg', timeoutSeconds: 5 };
  assert.is(edit.newLabel, 'RHEL_9.4_BaseOS_x86_64');
  const iso = editIsolinux(
    `label linux\n  append initrd=initrd.img inst.stage2=hd:LABEL=${udevEscape(old)} quiet`,
    edit,
  );
  assert.is(
    iso.text.split('\n')[2],
    '  append initrd=initrd.img inst.stage2=hd:LABEL=RHEL_9.4_BaseOS_x86_64 quiet inst.ks=hd:LABEL=RHEL_9.4_BaseOS_x86_64:/ks.cfg',
  );
  const grub = editGrub(
    `search --no-floppy --set=root -l '${old}'\nmenuentry 'Install' {\n\tlinux /vmlinuz inst.stage2=hd:LABEL=RHEL\\\\x209.4\\\\x20BaseOS\\\\x20x86_64\n}`,
    edit,
  );
  assert.ok(grub.text.includes("search --no-floppy --set=root -l 'RHEL_9.4_BaseOS_x86_64'"));
  assert.ok(
    grub.text.includes(
      '\tlinux /vmlinuz inst.stage2=hd:LABEL=RHEL_9.4_BaseOS_x86_64 inst.ks=hd:LABEL=RHEL_9.4_BaseOS_x86_64:/ks.cfg',
    ),
  );
  assert.not.match(grub.text, /x20/);
});

test('boot-menu :: safe volume ids', () => {
  assert.is(safeVolumeId('Fedora-S-dvd-x86_64-41'), 'Fedora-S-dvd-x86_64-41');
  assert.is(safeVolumeId('  RHEL 10 (beta) '), 'RHEL_10_beta');
  assert.is(safeVolumeId('   '), 'FYR_RELEASE');
  assert.is(safeVolumeId('x'.repeat(40)).length, 32);
  assert.is(udevEscape('a b/c'), 'a\\x20b\\x2fc');
});

test('boot-menu :: a menu without installer entries reports none', () => {
  assert.is(editGrub(`menuentry 'Local' {\n\tchainloader +1\n}`, SAME).installEntries, 0);
});

test.run();
