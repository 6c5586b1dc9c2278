// The staged site: its files read back and checked again, and a sealed site's opened secrets
// resealed to the bastion with the real systemd-creds (the test's own host key), so neither
// the code nor the stick is needed by the operation; no secret in clear on the disk.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openSecrets } from '../../../src/agent/apply/check.js';
import { siteFromFiles } from '../../../src/agent/apply/source.js';
import { readStaged, stagedDir, stageSite } from '../../../src/agent/apply/stage.js';
import { exec, type Exec } from '../../../src/agent/exec.js';
import { makeTmpdir, removeTmpdir } from '../../helpers/tmpdir.js';
import { CODE, release, siteArea } from './fixture.js';

const test = suite<{ dir: string; exec: Exec }>('apply :: stage', { dir: '', exec });
test.before.each(async (c) => {
  c.dir = await makeTmpdir();
  const secret = join(c.dir, 'credential.secret');
  c.exec = (file, args, options = {}) =>
    exec(file, args, { ...options, env: { ...options.env, SYSTEMD_CREDENTIAL_SECRET: secret } });
});
test.after.each(async (c) => removeTmpdir(c.dir));

async function* walk(dir: string): AsyncGenerator<string> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) yield* walk(join(dir, e.name));
    else yield join(dir, e.name);
  }
}

test('a sealed site: staged, read back with its secrets, none of them in clear', async (c) => {
  const next = siteFromFiles(await siteArea(c.dir, 'ipmi-nat', { sealed: true }), 'new', release());
  const secrets = await openSecrets(next, async () => CODE);
  const dir = stagedDir(join(c.dir, 'state'), next.renderHash);
  assert.is(dir, join(c.dir, 'state', 'apply', next.renderHash.slice(0, 16)));
  await stageSite(c.exec, dir, next, secrets);
  const back = await readStaged(c.exec, dir);
  assert.equal(back.secrets, secrets);
  assert.is(back.next.renderHash, next.renderHash);
  assert.equal(back.next.release, release());
  for await (const file of walk(dir)) assert.not.match(await readFile(file, 'latin1'), 'example-ipmi-pw', file);
});

test('a staged file changed afterwards is refused when read back', async (c) => {
  const next = siteFromFiles(await siteArea(c.dir, 'ipmi-nat'), 'new', release());
  const dir = stagedDir(join(c.dir, 'state'), next.renderHash);
  await stageSite(c.exec, dir, next, { bmc: {} });
  await writeFile(join(dir, 'area/bundle/etc/named.conf'), '# not the rendered one\n');
  try {
    await readStaged(c.exec, dir);
    assert.unreachable('a changed staged file was read');
  } catch (err) {
    assert.match((err as Error).message, 'bundle/etc/named.conf: differs from manifest.json (sha256)');
  }
  try {
    await readStaged(c.exec, join(c.dir, 'nothing'));
    assert.unreachable();
  } catch (err) {
    assert.is(
      (err as Error).message,
      `${join(c.dir, 'nothing')}: no staged site here; run fyr-agent apply --yes again`,
    );
  }
});

test.run();
