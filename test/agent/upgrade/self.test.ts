// The stick's agent replaces the bastion's when newer: checked (sha256 and size), the running
// one kept as .previous, put in place whole; not when it is the same, older or not a version;
// a stick agent that differs from release.json installs nothing.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { UpgradeRelease } from '../../../src/agent/upgrade/check.js';
import { installStickAgent } from '../../../src/agent/upgrade/self.js';
import { makeTmpdir, removeTmpdir } from '../../helpers/tmpdir.js';

const NEW = '// fyr-agent 0.9.0\n';
const stick = (version: string, body = NEW) =>
  ({
    agent: {
      path: '/fyr/agent/fyr-agent.mjs',
      version,
      size: Buffer.byteLength(body),
      sha256: createHash('sha256').update(body).digest('hex'),
    },
  }) as unknown as UpgradeRelease;

test('self :: a newer agent is installed (the old one kept); the same, an older or a non-version one is not', async () => {
  const dir = await makeTmpdir();
  try {
    const media = join(dir, 'media');
    await mkdir(join(media, 'fyr/agent'), { recursive: true });
    await writeFile(join(media, 'fyr/agent/fyr-agent.mjs'), NEW);
    const target = join(dir, 'usr/local/lib/fyr/fyr-agent.mjs');
    await mkdir(join(dir, 'usr/local/lib/fyr'), { recursive: true });
    await writeFile(target, '// fyr-agent 0.8.2\n');
    assert.equal(await installStickAgent(media, stick('0.8.2'), target, '0.8.2'), {
      installed: false,
      why: "the stick's agent 0.8.2 is not newer than this one (0.8.2)",
    });
    assert.is((await installStickAgent(media, stick('0.8.1'), target, '0.8.2')).installed, false);
    assert.is((await installStickAgent(media, stick('content'), target, '0.8.2')).installed, false);
    assert.is(await readFile(target, 'utf8'), '// fyr-agent 0.8.2\n', 'untouched');
    // The stick's file is not what release.json says: refused, nothing installed.
    const err = await installStickAgent(media, stick('0.9.0', '// other\n'), target, '0.8.2').then(
      () => undefined,
      (e: Error) => e.message,
    );
    assert.is(err, "/fyr/agent/fyr-agent.mjs: the stick's agent differs from release.json; nothing was installed");
    assert.is(await readFile(target, 'utf8'), '// fyr-agent 0.8.2\n');
    assert.equal(await installStickAgent(media, stick('0.9.0'), target, '0.8.2'), {
      installed: true,
      from: '0.8.2',
      to: '0.9.0',
    });
    assert.is(await readFile(target, 'utf8'), NEW);
    assert.is(await readFile(`${target}.previous`, 'utf8'), '// fyr-agent 0.8.2\n');
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
