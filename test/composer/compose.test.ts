// fyr compose against the Weldr emulator (a test double, test/helpers/weldr-emulator.ts) on a
// real unix socket: a full compose, cache reuse, a failed compose's log tail, composer not
// there, a type not offered, old and new handling of unsupported customizations, a download
// cut off halfway, and Ctrl-C cancelling (or, detached, not cancelling) the compose.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { composeImage } from '../../src/composer/compose.js';
import { makeTransport } from '../../src/composer/transport.js';
import { WeldrClient } from '../../src/composer/weldr.js';
import { isFyrError } from '../../src/errors.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';
import { runCli } from '../helpers/cli.js';
import { makeContent } from '../helpers/content.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../helpers/weldr-emulator.js';

const SITE = 'examples/edge/site.yaml';

async function withComposer(
  options: EmulatorOptions,
  fn: (dir: string, emu: Emulator, env: Record<string, string>) => Promise<void>,
): Promise<void> {
  const dir = await makeTmpdir();
  const emu = await startEmulator(join(dir, 'api.socket'), options);
  try {
    await fn(dir, emu, {
      FYR_COMPOSER: `unix:${emu.socket}`,
      XDG_CACHE_HOME: join(dir, 'cache'),
      FYR_COMPOSE_POLL_MS: '10',
    });
  } finally {
    await emu.close();
    await removeTmpdir(dir);
  }
}

test('compose :: a full compose over the socket: hashed blueprint name, exact content types, the image downloaded whole', () =>
  withComposer({ image: Buffer.alloc(5 << 20, 7) }, async (dir, emu, env) => {
    const out = join(dir, 'base.iso');
    const r = await runCli(['compose', SITE, '-o', out, '--json'], env);
    assert.is(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.match(json.blueprint, /^fyr-bastion-rhel9-[0-9a-f]{12}$/);
    assert.is(json.reused, false);
    assert.is(json.bytes, 5 << 20);
    assert.ok(readFileSync(out).equals(Buffer.alloc(5 << 20, 7)));
    const push = emu.requests.find((q) => q.path === '/api/v1/blueprints/new')!;
    assert.is(push.contentType, 'text/x-toml');
    assert.is(emu.requests.find((q) => q.path === '/api/v1/compose')!.contentType, 'application/json');
    assert.match(emu.blueprints.get(json.blueprint)!, new RegExp(`^name = "${json.blueprint}"$`, 'm'));
    assert.equal(readdirSync(dir).sort(), ['api.socket', 'base.iso', 'cache']);
  }));

test('compose :: a finished compose of the same blueprint is reused; --no-cache builds anew', () =>
  withComposer({}, async (dir, emu, env) => {
    assert.is((await runCli(['compose', SITE, '-o', join(dir, 'a.iso'), '-q'], env)).code, 0);
    const second = await runCli(['compose', SITE, '-o', join(dir, 'b.iso'), '--json'], env);
    assert.is(JSON.parse(second.stdout).reused, true);
    assert.is(emu.composes.size, 1);
    const fresh = await runCli(['compose', SITE, '-o', join(dir, 'c.iso'), '--json', '--no-cache'], env);
    assert.is(JSON.parse(fresh.stdout).reused, false);
    assert.is(emu.composes.size, 2);
    const exists = await runCli(['compose', SITE, '-o', join(dir, 'c.iso')], env);
    assert.match(exists.stderr, /exists; pass --force to replace it \[OUTPUT_EXISTS\]/);
    // A directory that does not exist is named before any compose starts, not on a temporary name after it.
    const missing = await runCli(['compose', SITE, '-o', join(dir, 'nowhere', 'd.iso'), '--no-cache'], env);
    assert.match(missing.stderr, /the directory .*nowhere does not exist \[WRITE_FAILED\]/);
    assert.is(emu.composes.size, 2);
  }));

test('compose :: a failed compose shows the end of its osbuild log, and is not cached', () =>
  withComposer({ outcome: 'fail' }, async (dir, emu, env) => {
    const r = await runCli(['compose', SITE, '-o', join(dir, 'base.iso')], env);
    assert.is(r.code, 1);
    assert.match(
      r.stderr,
      /compose [0-9a-f-]{36} failed on composer's side; the end of its osbuild log: \[COMPOSE_FAILED\]/,
    );
    assert.match(r.stderr, /RuntimeError: rpm failed/);
    assert.match(r.stderr, /osbuild manifest: [0-9a-f-]{36}\.json \(\d+ bytes\)/);
    assert.not.ok(existsSync(join(dir, 'base.iso')));
    const index = JSON.parse(readFileSync(join(dir, 'cache', 'fyr', 'composes.json'), 'utf8'));
    assert.equal(index.composes, {});
    assert.is(emu.composes.size, 1);
  }));

test("compose :: the client reads a finished compose's metadata and names an unknown blueprint", () =>
  withComposer({ pollsToFinish: 1 }, async (_dir, emu) => {
    const client = new WeldrClient(makeTransport(emu.socket));
    await client.pushBlueprint('name = "fyr-test"\nversion = "0.0.1"\n');
    const { id } = await client.startCompose('fyr-test', 'image-installer');
    assert.is((await client.composeStatus(id))?.queue_status, 'FINISHED');
    assert.equal([...(await client.archive(id, 'metadata')).keys()], [`${id}.json`]);
    const unknown = await client.startCompose('nope', 'image-installer').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(
      isFyrError(unknown) &&
        unknown.code === 'COMPOSER_ERROR' &&
        /UnknownBlueprint: Unknown blueprint name: nope/.test(unknown.message),
      String(unknown),
    );
  }));

test('compose :: composer not running, and a type it does not offer', () =>
  withComposer({ types: ['qcow2', 'edge-installer'] }, async (dir, _emu, env) => {
    const missing = await runCli(
      ['compose', SITE, '-o', join(dir, 'x.iso'), '--composer', `unix:${join(dir, 'nothing.socket')}`],
      env,
    );
    assert.is(missing.code, 1);
    assert.match(
      missing.stderr,
      new RegExp(
        `cannot reach osbuild-composer at unix:${join(dir, 'nothing.socket')}: ENOENT \\[COMPOSER_UNREACHABLE\\]`,
      ),
    );
    assert.match(missing.stderr, /systemctl enable --now osbuild-composer\.socket/);
    const type = await runCli(['compose', SITE, '-o', join(dir, 'x.iso')], env);
    assert.match(type.stderr, /does not offer image type image-installer \[COMPOSER_ERROR\]/);
    assert.match(type.stderr, /It offers: qcow2, edge-installer\./);
  }));

test('compose :: unsupported customizations: an older composer rejects the blueprint, a newer one warns', async () => {
  await withComposer({ unsupported: ['directories'], unsupportedBehaviour: 'reject' }, async (dir, _emu, env) => {
    const r = await runCli(['compose', SITE, '-o', join(dir, 'x.iso')], env);
    assert.is(r.code, 1);
    assert.match(
      r.stderr,
      /pushing the blueprint: composer refused \(HTTP 400\): BlueprintsError: customizations\.directories is not supported/,
    );
  });
  await withComposer({ unsupported: ['directories'], unsupportedBehaviour: 'warn' }, async (dir, _emu, env) => {
    const r = await runCli(['compose', SITE, '-o', join(dir, 'x.iso')], env);
    assert.is(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /composer warning: blueprint customization directories is not supported for image type image-installer and is ignored/,
    );
  });
});

test('compose :: a download cut off halfway is an error and leaves no file', () =>
  withComposer({ dropDownloadAt: 1 << 20, image: Buffer.alloc(4 << 20, 1) }, async (dir, _emu, env) => {
    const r = await runCli(['compose', SITE, '-o', join(dir, 'base.iso')], env);
    assert.is(r.code, 1);
    assert.match(r.stderr, /downloading the image of [0-9a-f-]{36} from unix:.* failed: .*\[COMPOSER_ERROR\]/);
    assert.equal(readdirSync(dir).sort(), ['api.socket', 'cache']);
  }));

test("compose :: a blueprint that breaks composer's rules is refused before anything is pushed", () =>
  withComposer({}, async (dir, emu) => {
    const client = new WeldrClient(makeTransport(`unix:${emu.socket}`));
    const err = await composeImage({
      client,
      blueprint: {
        name: 'fyr-bastion-rhel9',
        content:
          'name = "fyr-bastion-rhel9"\nversion = "0.1"\n[[customizations.filesystem]]\nmountpoint = "/var"\nminsize = 1\n',
        sha256: 'cd'.repeat(32),
      },
      type: 'image-installer',
      output: join(dir, 'base.iso'),
      cacheDir: join(dir, 'cache'),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isFyrError(err), String(err));
    assert.is(err.code, 'RENDER_TEMPLATE');
    assert.equal(
      err.detailLines.map((l) => l.split(':')[0]),
      ['version', 'customizations.filesystem'],
    );
    assert.is(emu.composes.size, 0);
  }));

for (const detach of [false, true]) {
  test(`compose :: Ctrl-C while waiting ${detach ? 'leaves the compose running (--detach)' : 'cancels the compose on composer'}`, () =>
    withComposer({ outcome: 'hang' }, async (dir, emu) => {
      const stop = new AbortController();
      const client = new WeldrClient(makeTransport(`unix:${emu.socket}`));
      const err = await composeImage({
        client,
        blueprint: {
          name: 'fyr-bastion-rhel9',
          content: 'name = "fyr-bastion-rhel9"\nversion = "0.1.0"\n',
          sha256: 'ab'.repeat(32),
        },
        type: 'image-installer',
        output: join(dir, 'base.iso'),
        cacheDir: join(dir, 'cache'),
        detach,
        pollMs: 10,
        signal: stop.signal,
        onProgress: (e) => e.phase === 'state' && e.state === 'RUNNING' && stop.abort(),
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isFyrError(err), String(err));
      assert.is(err.code, 'INTERRUPTED');
      const compose = [...emu.composes.values()][0]!;
      assert.is(compose.cancelled, !detach);
      assert.is(compose.state, detach ? 'RUNNING' : 'FAILED');
    }));
}

test('compose :: fyr release --compose builds the base with composer, then the release from it', async () => {
  const base = readFileSync(join(ISO_FIXTURE_DIR, 'el9.iso'));
  await withComposer({ image: base }, async (dir, emu, env) => {
    await makeContent(join(dir, 'content'));
    const out = join(dir, 'release.iso');
    const r = await runCli(['release', '--compose', SITE, '--content', join(dir, 'content'), '-o', out, '--json'], env);
    assert.is(r.code, 0, r.stderr);
    assert.is(JSON.parse(r.stdout).release.base.volumeId, 'RHEL-9-4-0-BaseOS-x86_64');
    assert.ok(readFileSync(join(dir, 'cache', 'fyr', 'images', 'composed-base.iso')).equals(base));
    assert.is(emu.composes.size, 1);
    const both = await runCli(['release', '--compose', SITE, '--base', 'x.iso', '--content', 'c', '-o', 'o.iso'], env);
    assert.match(both.stderr, /--base and --compose exclude each other/);
  });
});

test.run();
