// Two things about secrets at the command line: a secrets file others can read is a warning
// (an error with --strict), as ssh treats a private key; and fyr render is a preview that
// needs no unlock code, leaving the sealed secrets out and saying so.
import { chmodSync, copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../helpers/cli.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

async function withEdge(fn: (site: string, secrets: string, dir: string) => Promise<void>) {
  const dir = await makeTmpdir();
  try {
    const site = join(dir, 'site.yaml');
    const secrets = join(dir, 'secrets.yaml');
    copyFileSync('examples/edge/site.yaml', site);
    copyFileSync('examples/edge/secrets.yaml', secrets);
    chmodSync(secrets, 0o600);
    await fn(site, secrets, dir);
  } finally {
    await removeTmpdir(dir);
  }
}

test('secrets :: a secrets file others can read is a warning, an error with --strict', () =>
  withEdge(async (site, secrets) => {
    const quiet = await runCli(['validate', site, '--quiet']);
    assert.is(quiet.code, 0, quiet.stderr);
    assert.not.match(quiet.stderr, 'SECRETS_SHARED');
    chmodSync(secrets, 0o644);
    const warned = await runCli(['validate', site, '--quiet']);
    assert.is(warned.code, 0, warned.stderr);
    assert.match(
      warned.stderr,
      /warning: secrets: the secrets file .*secrets\.yaml is readable by every user \(mode 644\) \(expected a file only its owner reads: chmod 600 .*\) \[SECRETS_SHARED\]/,
    );
    chmodSync(secrets, 0o640);
    assert.match((await runCli(['validate', site, '--quiet'])).stderr, /readable by its group \(mode 640\)/);
    const strict = await runCli(['validate', site, '--strict', '--json']);
    assert.is(strict.code, 3);
    const doc = JSON.parse(strict.stdout) as { errors: Array<{ code: string }> };
    assert.equal(
      doc.errors.map((e) => e.code),
      ['SECRETS_SHARED'],
    );
  }));

test('render :: without an unlock code a render is a preview: sealed form, secrets left out, said so', () =>
  withEdge(async (site, secrets, dir) => {
    const out = join(dir, 'out');
    const r = await runCli(['render', site, '-o', out]);
    assert.is(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /a preview without --unlock-code-file: .*sealed secrets \(bundle\/etc\/fyr\/secrets\.age\) are left out/,
    );
    assert.not.ok(existsSync(join(out, 'bundle/etc/fyr/secrets.age')));
    const hash = /root-password-hash: "([^"]+)"/.exec(readFileSync(secrets, 'utf8'))?.[1] ?? '';
    assert.ok(hash.length > 10);
    assert.not.match(readFileSync(join(out, 'ks.cfg'), 'utf8'), hash, 'no secret value in the kickstart');
    const json = await runCli(['render', site, '-o', join(dir, 'out2'), '--json']);
    assert.is(json.code, 0, json.stderr);
    assert.is(JSON.parse(json.stdout).secretsLeftOut, true);
  }));

test.run();
