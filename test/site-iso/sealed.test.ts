// Sealed site ISOs: no secret of any example is anywhere in the ISO, the render directory or
// what the commands print (raw or in base64), yet the sealed file opens with the unlock code
// and holds every one of them; customize reseals (new secrets, new code) and refuses a sealed
// ISO without a code; inspect says how it is sealed; bad unlock code files are clear errors.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { parseAgentSecrets } from '../../src/formats/agent-secrets.js';
import { unpackSite } from '../../src/formats/site-bundle.js';
import { unseal, WrongCodeError } from '../../src/seal/age.js';
import { runCli, UNLOCK, UNLOCK_CODE_FILE } from '../helpers/cli.js';
import { withTestRelease } from '../helpers/release.js';
import { readIsoFile } from '../helpers/iso.js';
import { EXAMPLES, exampleSite, variantSite } from '../helpers/render.js';

const ENV = { SOURCE_DATE_EPOCH: '1700000000' };
const CODE = readFileSync(UNLOCK_CODE_FILE, 'utf8').trim();
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

const withRelease = (fn: (dir: string, release: string) => Promise<void>) => withTestRelease('el9', fn);

// A value as base64 would carry it inside a longer text, at each of the three alignments.
function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value);
  return [0, 1, 2].map((k) => {
    const encoded = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    return encoded.slice(Math.ceil((k * 8) / 6), Math.floor(((k + bytes.length) * 8) / 6));
  });
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

async function sealedSecrets(iso: string, code: string) {
  const site = (await unpackSite(readIsoFile(iso, '/fyr/site.tar')))!;
  const sealed = site.files.find((f) => f.path === 'bundle/etc/fyr/secrets.age');
  assert.ok(sealed, 'the site area carries etc/fyr/secrets.age');
  return parseAgentSecrets(JSON.parse(await unseal(sealed.content, code)))!;
}

for (const example of EXAMPLES) {
  test(`sealed :: ${example}: no secret value in the ISO, the render directory or the output; the code opens them`, () =>
    withRelease(async (dir, release) => {
      const values = Object.values(parse(readFileSync(join('examples', example, 'secrets.yaml'), 'utf8'))).map(String);
      assert.ok(values.length >= 1);
      const iso = join(dir, 'site.iso');
      const built = await runCli(
        ['build', exampleSite(example), '--release', release, '-o', iso, '--json', ...UNLOCK],
        ENV,
      );
      assert.is(built.code, 0, built.stderr);
      const out = join(dir, 'render');
      const rendered = await runCli(['render', exampleSite(example), '-o', out, ...UNLOCK]);
      assert.is(rendered.code, 0, rendered.stderr);
      const inspected = await runCli(['inspect', iso, '--json']);
      const haystacks: Array<[string, Buffer]> = [
        [iso, readFileSync(iso)],
        ...files(out).map((f): [string, Buffer] => [f, readFileSync(f)]),
        ['build output', Buffer.from(built.stdout + built.stderr)],
        ['render output', Buffer.from(rendered.stdout + rendered.stderr)],
        ['inspect output', Buffer.from(inspected.stdout + inspected.stderr)],
      ];
      for (const value of [...values, CODE])
        for (const needle of [value, ...base64Forms(value)])
          for (const [where, bytes] of haystacks)
            assert.not.ok(bytes.includes(needle), `a secret (${value.length} characters) is in ${where}`);
      // Sealed, not dropped: every value is inside, for the agent.
      const secrets = await sealedSecrets(iso, CODE);
      const opened = [
        ...Object.values(secrets.bmc),
        ...(secrets.accounts ?? []).map((a) => a.hash),
        ...(secrets.luksRecovery ? [secrets.luksRecovery] : []),
      ];
      for (const value of values.filter((v) => !/^example-luks/.test(v)))
        assert.ok(opened.includes(value), 'a secret is missing from the sealed file');
      assert.equal(JSON.parse(inspected.stdout).site.sealed, { kdf: 'scrypt', logN: 15 });
    }));
}

test('sealed :: customize reseals: refused without a code, a new secrets file, a new code shown once', () =>
  withRelease(async (dir, release) => {
    const iso = join(dir, 'site.iso');
    assert.is(
      (await runCli(['build', exampleSite('edge'), '--release', release, '-o', iso, '-q', ...UNLOCK], ENV)).code,
      0,
    );
    const before = sha256(iso);
    const refused = await runCli(['customize', iso, '--site', exampleSite('edge')], ENV, { tty: true });
    assert.is(refused.code, 2);
    assert.match(refused.stderr, 'the ISO is sealed: give --unlock-code-file FILE');
    assert.match(refused.stderr, '[UNLOCK_CODE_REQUIRED]');
    assert.is(sha256(iso), before, 'nothing written');
    // A new secrets file, sealed to the same code.
    const changed = await variantSite('edge', dir, {
      secrets: (t) => t.replace('bmc-cp-0: example-bmc-password-0', 'bmc-cp-0: rotated-bmc-password-0'),
    });
    assert.is((await runCli(['customize', iso, '--site', changed, '-q', ...UNLOCK], ENV)).code, 0);
    assert.is((await sealedSecrets(iso, CODE)).bmc['cp-0'], 'rotated-bmc-password-0');
    // A new code: made and shown on the terminal, and only then.
    const noTty = await runCli(['customize', iso, '--site', changed, '--new-unlock-code'], ENV);
    assert.is(noTty.code, 2);
    assert.match(noTty.stderr, 'shown only on a terminal');
    const rotated = await runCli(['customize', iso, '--site', changed, '--new-unlock-code', '--json'], ENV, {
      tty: true,
    });
    assert.is(rotated.code, 0, rotated.stderr);
    const code = /^ {4}(\d{5}(?:-\d{5}){7})$/m.exec(rotated.stderr)?.[1];
    assert.ok(code, rotated.stderr);
    assert.not.match(rotated.stdout, code, 'never in --json');
    assert.is((await sealedSecrets(iso, code)).bmc['cp-0'], 'rotated-bmc-password-0');
    await sealedSecrets(iso, CODE).then(
      () => assert.unreachable('the old code still opens it'),
      (err) => assert.instance(err, WrongCodeError),
    );
    const text = await runCli(['inspect', iso]);
    assert.match(text.stdout, 'secrets     sealed with age to an unlock code (KDF scrypt, work factor 2^15)');
  }));

test('sealed :: bad unlock code files, no code and no terminal, --no-seal: clear errors, nothing written', () =>
  withRelease(async (dir, release) => {
    const out = join(dir, 'site.iso');
    const build = (...extra: string[]) =>
      runCli(['build', exampleSite('edge'), '--release', release, '-o', out, ...extra], ENV);
    const cases: Array<[string, string, RegExp]> = [
      ['empty', '\n', /--unlock-code-file .*empty: it is empty \[UNLOCK_CODE_INVALID\]/],
      ['short', '12345-67890\n', /short: it holds at most 33 bits \(10 characters\); an unlock code needs 128/],
      ['unreadable', '', /missing: cannot read it \(no such file\) \[UNLOCK_CODE_INVALID\]/],
    ];
    for (const [name, content, message] of cases) {
      const file = join(dir, name === 'unreadable' ? 'missing' : name);
      if (name !== 'unreadable') writeFileSync(file, content);
      const r = await build('--unlock-code-file', file);
      assert.is(r.code, 3, `${name}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.not.ok(existsSync(out), `${name}: nothing written`);
    }
    const noCode = await build();
    assert.is(noCode.code, 2);
    assert.match(noCode.stderr, /--unlock-code-file FILE .* or --no-seal for a lab \[UNLOCK_CODE_REQUIRED\]/);
    assert.not.ok(existsSync(out));
    assert.is((await build('--no-seal', ...UNLOCK)).code, 2);
    // --no-seal works, says so loudly, and inspect shows it.
    const clear = await build('--no-seal', '-q');
    assert.is(clear.code, 0, clear.stderr);
    assert.match(
      clear.stderr,
      'warning: --no-seal: the BMC passwords, password hashes and any LUKS passphrase are in clear',
    );
    assert.match((await runCli(['inspect', out])).stdout, 'secrets     IN CLEAR (built with --no-seal)');
    assert.ok(statSync(out).size > 0);
  }));

test.run();
