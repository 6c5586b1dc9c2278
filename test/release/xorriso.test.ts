// xorriso command lines as literal arrays, and the parsing of its reports.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  bootArgs,
  commandArgv,
  detectLayout,
  inspectArgs,
  parseInspect,
  parseProgress,
  releaseArgs,
} from '../../src/release/xorriso.js';

test('xorriso :: inspect command', () => {
  assert.equal(inspectArgs('/b.iso'), [
    '-pkt_output',
    'on',
    '-abort_on',
    'FAILURE',
    '-indev',
    '/b.iso',
    '-report_el_torito',
    'cmd',
    '-find',
    '/',
    '-type',
    'f',
  ]);
});

test('xorriso :: release command: grows the image, replay, edits, maps, ESP, embed areas last, fixed dates', () => {
  const args = releaseArgs({
    image: '/out/.release.iso.tmp',
    volumeId: 'RHEL-10-0-BaseOS-x86_64',
    boot: ['-boot_image', 'grub', 'bin_path=/images/eltorito.img'],
    updates: [['/s/grub.cfg', '/boot/grub2/grub.cfg']],
    maps: [
      ['/s/ks.cfg', '/ks.cfg'],
      ['/s/site.tar', '/fyr/site.tar'],
    ],
    last: ['/ks.cfg', '/fyr/site.tar', '/release.json'],
    esp: '/s/efiboot.img',
    epoch: 1700000000,
  });
  assert.equal(args, [
    '-pkt_output',
    'on',
    '-report_about',
    'UPDATE',
    '-abort_on',
    'FAILURE',
    '-pacifier',
    'interval=0.1',
    '-stdio_sync',
    'off',
    '-dev',
    'stdio:/out/.release.iso.tmp',
    '-boot_image',
    'grub',
    'bin_path=/images/eltorito.img',
    '-volid',
    'RHEL-10-0-BaseOS-x86_64',
    '-compliance',
    'iso_9660_level=3:no_emul_toc',
    '-update',
    '/s/grub.cfg',
    '/boot/grub2/grub.cfg',
    '-map',
    '/s/ks.cfg',
    '/ks.cfg',
    '-map',
    '/s/site.tar',
    '/fyr/site.tar',
    '-append_partition',
    '2',
    '0xef',
    '/s/efiboot.img',
    '-find',
    '/ks.cfg',
    '-exec',
    'sort_weight',
    '-1',
    '--',
    '-find',
    '/fyr/site.tar',
    '-exec',
    'sort_weight',
    '-2',
    '--',
    '-find',
    '/release.json',
    '-exec',
    'sort_weight',
    '-3',
    '--',
    '-alter_date_r',
    'b',
    '=1700000000',
    '/',
    '--',
  ]);
  assert.not.ok(
    releaseArgs({ image: 'o', volumeId: 'V', boot: 'replay', updates: [], maps: [], last: [], epoch: 0 }).includes(
      '-append_partition',
    ),
  );
});

const EL9 = `I:1: Volume id    : 'RHEL-9-4-0-BaseOS-x86_64'
R:1: -volid 'RHEL-9-4-0-BaseOS-x86_64'
R:1: -boot_image isolinux system_area=--interval:imported_iso:0s-15s:zero_mbrpt,zero_gpt:'b.iso'
R:1: -boot_image any cat_path='/isolinux/boot.cat'
R:1: -boot_image isolinux bin_path='/isolinux/isolinux.bin'
R:1: -boot_image any next
R:1: -boot_image any efi_path='/images/efiboot.img'
R:1: -boot_image isolinux partition_entry=gpt_basdat
R:1: '/images/efiboot.img'
R:1: '/isolinux/isolinux.cfg'
R:1: '/it'\\''s here'`;

const EL10 = `I:1: Volume id    : 'RHEL-10-0-BaseOS-x86_64'
R:1: -boot_image grub grub2_mbr=--interval:imported_iso:0s-15s:zero_mbrpt,zero_gpt:'b.iso'
R:1: -boot_image any partition_table=on
R:1: -boot_image any partition_offset=16
R:1: -append_partition 2 28732ac11ff8d211ba4b00a0c93ec93b --interval:imported_iso:29184d-37375d::'b.iso'
R:1: -boot_image any appended_part_as=gpt
R:1: -boot_image any iso_mbr_part_type=a2a0d0ebe5b9334487c068b6b72699c7
R:1: -boot_image any cat_hidden=on
R:1: -boot_image grub bin_path='/images/eltorito.img'
R:1: -boot_image any next
R:1: -boot_image any efi_path='--interval:appended_partition_2_start_7296s_size_8192d:all::'
R:1: '/boot/grub2/grub.cfg'`;

test('xorriso :: parses the volume id, boot commands and files; detects the RHEL 9 layout', () => {
  const report = parseInspect(EL9);
  assert.is(report.volumeId, 'RHEL-9-4-0-BaseOS-x86_64');
  assert.equal(report.files, ['/images/efiboot.img', '/isolinux/isolinux.cfg', "/it's here"]);
  assert.equal(detectLayout(report), {
    kind: 'el9',
    biosImage: '/isolinux/isolinux.bin',
    efiImage: '/images/efiboot.img',
  });
});

test('xorriso :: detects the RHEL 10 layout and where its ESP is', () => {
  assert.equal(detectLayout(parseInspect(EL10)), {
    kind: 'el10',
    biosImage: '/images/eltorito.img',
    esp: { offset: 29184 * 512, length: 8192 * 512 },
  });
});

test('xorriso :: RHEL 10 boot equipment as explicit commands: in order, MBR partitions, the ESP named by number', () => {
  assert.equal(bootArgs(parseInspect(EL10)), [
    '-boot_image',
    'grub',
    'grub2_mbr=--interval:imported_iso:0s-15s:zero_mbrpt,zero_gpt:b.iso',
    '-boot_image',
    'any',
    'cat_hidden=on',
    '-boot_image',
    'grub',
    'bin_path=/images/eltorito.img',
    '-boot_image',
    'any',
    'next',
    '-boot_image',
    'any',
    'efi_path=--interval:appended_partition_2:all::',
  ]);
  assert.equal(commandArgv("-boot_image any cat_path='/it'\\''s dir/boot.cat'"), [
    '-boot_image',
    'any',
    "cat_path=/it's dir/boot.cat",
  ]);
});

test('xorriso :: an unknown layout names what was found', () => {
  assert.equal(detectLayout(parseInspect("I:1: Volume id    : 'X'\nR:1: '/a'")), {
    found: 'BIOS boot image: none, EFI boot image: none',
  });
  const noEfi = EL9.replace("R:1: -boot_image any efi_path='/images/efiboot.img'\n", '');
  assert.equal(detectLayout(parseInspect(noEfi)), {
    found: 'BIOS boot image: /isolinux/isolinux.bin (isolinux), EFI boot image: none',
  });
});

test('xorriso :: progress lines', () => {
  assert.equal(parseProgress('I:1: xorriso : UPDATE : Writing:     11672s    5.6%   fifo  99%  buf  50%   72.3xD'), {
    sectors: 11672,
    percent: 5.6,
  });
  assert.is(parseProgress('I:1: xorriso : UPDATE :      18 nodes read in 1 seconds'), undefined);
});

test.run();
