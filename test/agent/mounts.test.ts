import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isMountPoint, mountPoints } from '../../src/agent/mounts.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const MOUNTINFO = [
  '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '69 22 254:0 /var/lib/fyr/registry/serve /var/lib/fyr/registry/serve rw,relatime shared:5 - ext4 /dev/vda rw',
  '70 69 11:0 /fyr/payload/registry /var/lib/fyr/registry/serve/stick ro,relatime shared:6 - iso9660 /dev/sr0 ro',
  '71 22 11:0 / /run/media/tech/RHEL\\0409\\134x ro - iso9660 /dev/sr0 ro',
  '',
].join('\n');

test('mounts :: mount points read from mountinfo, octal escapes decoded', () => {
  assert.equal(
    [...mountPoints(MOUNTINFO)],
    ['/', '/var/lib/fyr/registry/serve', '/var/lib/fyr/registry/serve/stick', '/run/media/tech/RHEL 9\\x'],
  );
});

test('mounts :: isMountPoint compares resolved paths', async () => {
  const dir = await makeTmpdir();
  try {
    const file = join(dir, 'mountinfo');
    await writeFile(file, MOUNTINFO);
    assert.ok(await isMountPoint('/var/lib/fyr/registry/serve/stick/', file));
    assert.ok(await isMountPoint('/var/lib/fyr/registry/disk/../serve', file));
    assert.not.ok(await isMountPoint('/var/lib/fyr/registry', file));
    // This process's own namespace: / always is one.
    assert.ok(await isMountPoint('/'));
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
