// Site and secrets files that are not what they seem: a device, a FIFO, a directory, a secrets
// file outside the site's directory or full of someone else's lines, a document nested without
// end. Each is one clear message naming the file, and no line of a file fyr should not show.
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../helpers/cli.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

// A site directory: the valid base site and its secrets, the site's `secrets:` line replaced.
async function siteDir(secretsLine?: string): Promise<string> {
  const dir = await makeTmpdir();
  const site = await readFile('test/fixtures/sites/valid/base.yaml', 'utf8');
  await mkdir(join(dir, 'site'));
  await writeFile(
    join(dir, 'site/site.yaml'),
    secretsLine === undefined ? site : site.replace(/^secrets: .*$/m, secretsLine),
  );
  await copyFile('test/fixtures/sites/valid/secrets.yaml', join(dir, 'site/secrets.yaml'));
  return dir;
}

// Lines of a file the user never meant fyr to read, shaped to be echoed back.
const FOREIGN = 'root pw: $6$verysecrethash\nmy private line: hunter2\nanother line: of text\n';

test('site :: input file :: a device is refused at once, not read', async () => {
  const r = await runCli(['validate', '/dev/zero']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /\/dev\/zero: is a device, not a regular file \[SITE_UNREADABLE\]/);
});

test('site :: input file :: a FIFO without a writer is refused, not waited on', async () => {
  const dir = await makeTmpdir();
  try {
    execFileSync('mkfifo', [join(dir, 'site.yaml')]);
    const r = await runCli(['validate', join(dir, 'site.yaml')]);
    assert.is(r.code, 1);
    assert.match(r.stderr, /is a FIFO \(named pipe\), not a regular file \[SITE_UNREADABLE\]/);
  } finally {
    await removeTmpdir(dir);
  }
});

test('site :: input file :: a directory is refused', async () => {
  const dir = await makeTmpdir();
  try {
    const r = await runCli(['validate', dir]);
    assert.is(r.code, 1);
    assert.match(r.stderr, /is a directory, not a regular file \[SITE_UNREADABLE\]/);
  } finally {
    await removeTmpdir(dir);
  }
});

test('site :: secrets :: a secrets file that is a device is refused', async () => {
  const dir = await siteDir();
  try {
    const r = await runCli(['validate', join(dir, 'site/site.yaml'), '--secrets', '/dev/zero']);
    assert.is(r.code, 3);
    assert.match(r.stdout + r.stderr, /is a device, not a regular file .*\[SECRETS_UNREADABLE\]/);
  } finally {
    await removeTmpdir(dir);
  }
});

test('site :: secrets :: secrets: may not leave the site directory, by .. or by a link', async () => {
  for (const [line, makeLink] of [
    ['secrets: ../foreign.yaml', false],
    ['secrets: ./linked.yaml', true],
  ] as const) {
    const dir = await siteDir(line);
    try {
      await writeFile(join(dir, 'foreign.yaml'), FOREIGN);
      if (makeLink) await symlink('../foreign.yaml', join(dir, 'site/linked.yaml'));
      const r = await runCli(['validate', join(dir, 'site/site.yaml')]);
      const out = r.stdout + r.stderr;
      assert.is(r.code, 3, line);
      assert.match(out, /site\.yaml:\d+:\d+: secrets: the secrets file is outside .*\[SECRETS_OUTSIDE\]/);
      for (const word of ['hunter2', 'private line', 'verysecret', 'root pw']) assert.not.match(out, word, line);
    } finally {
      await removeTmpdir(dir);
    }
  }
});

test('site :: secrets :: --secrets names a file anywhere', async () => {
  const dir = await siteDir('secrets: ../elsewhere.yaml');
  try {
    await copyFile('test/fixtures/sites/valid/secrets.yaml', join(dir, 'elsewhere.yaml'));
    const r = await runCli(['validate', join(dir, 'site/site.yaml'), '--secrets', join(dir, 'elsewhere.yaml')]);
    assert.is(r.code, 0, r.stdout + r.stderr);
  } finally {
    await removeTmpdir(dir);
  }
});

test('site :: secrets :: a file of foreign lines is reported by position, never by its text', async () => {
  for (const text of [FOREIGN, 'just: [one, "unclosed\n', 'a: b\n  c: d\nkey with space: {x: 1}\n']) {
    const dir = await siteDir();
    try {
      await writeFile(join(dir, 'site/secrets.yaml'), text);
      const r = await runCli(['validate', join(dir, 'site/site.yaml')]);
      const out = r.stdout + r.stderr;
      assert.is(r.code, 3);
      assert.match(out, /secrets\.yaml:\d+:\d+: /);
      for (const word of ['hunter2', 'private line', 'verysecret', 'root pw', 'unclosed', 'key with space'])
        assert.not.match(out, word);
    } finally {
      await removeTmpdir(dir);
    }
  }
});

test('site :: yaml :: nesting deeper than 64 levels is one clear problem, quickly', async () => {
  const dir = await makeTmpdir();
  try {
    const docs = {
      'flow.yaml': `a: ${'['.repeat(300_000)}${']'.repeat(300_000)}\n`,
      'dashes.yaml': `a:\n  ${'- '.repeat(300_000)}x\n`,
      'indent.yaml': `${Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} 1\n`,
    };
    for (const [name, text] of Object.entries(docs)) {
      await writeFile(join(dir, name), text);
      const started = Date.now();
      const r = await runCli(['validate', join(dir, name), '--no-secrets']);
      assert.is(r.code, 3, name);
      assert.match(r.stdout + r.stderr, /:\d+:\d+: nested more than 64 levels deep .*\[YAML_DEPTH\]/, name);
      assert.ok(Date.now() - started < 3000, `${name} took ${Date.now() - started} ms`);
    }
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
