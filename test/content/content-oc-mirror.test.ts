// fyr content against an oc-mirror double that does what the real oc-mirror v2 does where fyr
// and it meet (test/doubles/bin/oc-mirror): it checks the release signature itself, tags the
// release by what it checked, writes its IDMS/ITMS as several documents in no fixed order and
// refuses OC_MIRROR_CACHE beside --cache-dir; and an openshift-install double whose version
// line starts with the path it ran by. Plus a registry image that is a Docker manifest list.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runMirror, startRegistry } from '../../src/content/mirror.js';
import { verifySignature } from '../../src/content/signature.js';
import { FyrError } from '../../src/errors.js';
import { loadContent } from '../../src/release/content.js';
import { connectedSide, contentArgs, DOUBLES_BIN, type Connected } from '../helpers/connected.js';
import { spawnCli } from '../helpers/cli.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

async function withSide(fn: (c: Connected, dir: string) => Promise<void>): Promise<void> {
  const dir = await makeTmpdir();
  const c = await connectedSide(join(dir, 'side'));
  try {
    await fn(c, dir);
  } finally {
    await c.close();
    await removeTmpdir(dir);
  }
}

const fyr = (c: Connected, out: string, more: string[] = [], env: Record<string, string> = {}) =>
  spawnCli(contentArgs(c, out, more), { ...c.env, ...env });

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const ocMirrorCalls = (c: Connected) =>
  readFileSync(join(c.env.FYR_DOUBLES_DIR!, 'calls.log'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('["oc-mirror","--v2"'))
    .map((l) => JSON.parse(l) as string[]);
const tagLink = (out: string, tag: string) =>
  join(out, `registry/docker/registry/v2/repositories/openshift/release-images/_manifests/tags/${tag}/current/link`);

test('content :: oc-mirror checks the signature fyr verified (a key not Red Hat’s), OC_MIRROR_CACHE set; the installer version is a version', () =>
  withSide(async (c, dir) => {
    const out = join(dir, 'content');
    const r = await fyr(c, out, ['--json'], { OC_MIRROR_CACHE: join(dir, 'elsewhere') });
    assert.is(r.code, 0, r.stderr);
    const manifest = json(join(out, 'fyr-content.json'));
    // `openshift-install version` said "/…/bin/openshift-install 4.18.9" first.
    assert.is(manifest.tools['openshift-install'], '4.18.9');
    // oc-mirror found the signature where it looks first, and checked it with fyr's key.
    const hex = c.digest.slice('sha256:'.length);
    const kept = join(c.cache, 'oc-mirror/4.18.9-x86_64/working-dir/signatures', `4.18.9-x86_64-sha256-${hex}`);
    assert.ok(readFileSync(kept).equals(readFileSync(join(c.dir, 'signature-1'))));
    assert.match(
      readFileSync(join(c.cache, 'oc-mirror/4.18.9-x86_64/release-key.asc'), 'utf8'),
      'BEGIN PGP PUBLIC KEY',
    );
    assert.not.ok(ocMirrorCalls(c)[0]!.includes('--ignore-release-signature'));
    assert.is(manifest.registry.releaseTag, 'openshift/release-images:4.18.9-x86_64');
    assert.is(readFileSync(tagLink(out, '4.18.9-x86_64'), 'utf8'), c.digest);
    // The store was asked once, by fyr: oc-mirror did not fetch it again.
    assert.is(c.requests.filter((q) => q.path.includes('/signatures/')).length, 1);
  }));

test('content :: --insecure-skip-signature: oc-mirror skips its check too and tags the release by its bare digest, which fyr accepts', () =>
  withSide(async (c, dir) => {
    const out = join(dir, 'content');
    const r = await fyr(c, out, ['--signature-url', `${c.signatureUrl}/nowhere`, '--insecure-skip-signature']);
    assert.is(r.code, 0, r.stderr);
    assert.ok(ocMirrorCalls(c)[0]!.includes('--ignore-release-signature'));
    const hex = c.digest.slice('sha256:'.length);
    const manifest = json(join(out, 'fyr-content.json'));
    assert.is(manifest.registry.releaseTag, `openshift/release-images:${hex}`);
    assert.is(readFileSync(tagLink(out, hex), 'utf8'), c.digest);
    assert.not.ok(existsSync(tagLink(out, '4.18.9-x86_64')));
    const loaded = await loadContent(out);
    assert.is(loaded.release.signature, 'skipped');
    assert.is(loaded.tree?.releaseTag, `openshift/release-images:${hex}`);
  }));

// A Docker manifest list (what docker.io/library/registry:2 is) in a loopback registry.
async function dockerList(c: Connected, dir: string) {
  const registry = await startRegistry(join(dir, 'list-registry'), join(dir, 'list-registry.yml'));
  const at = `docker://${registry.host}/library/registry`;
  await execa('skopeo', [
    'copy',
    '--quiet',
    '--format',
    'v2s2',
    '--dest-tls-verify=false',
    c.registryImage,
    `${at}:amd64`,
  ]);
  const raw = (await execa('skopeo', ['inspect', '--raw', '--tls-verify=false', `${at}:amd64`])).stdout;
  const list = {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
    manifests: [
      {
        mediaType: JSON.parse(raw).mediaType,
        size: Buffer.byteLength(raw),
        digest: `sha256:${createHash('sha256').update(raw).digest('hex')}`,
        platform: { architecture: 'amd64', os: 'linux' },
      },
    ],
  };
  const put = await fetch(`http://${registry.host}/v2/library/registry/manifests/2`, {
    method: 'PUT',
    headers: { 'content-type': list.mediaType },
    body: JSON.stringify(list),
  });
  assert.is(put.status, 201);
  // skopeo reaches it over plain HTTP through a registries.conf drop-in (skopeo 1.9 reads no
  // CONTAINERS_REGISTRIES_CONF), for this loopback port only, removed at the end.
  const conf = `/etc/containers/registries.conf.d/zz-fyr-test-${registry.host.split(':')[1]}.conf`;
  writeFileSync(conf, `[[registry]]\nlocation = "${registry.host}"\ninsecure = true\n`);
  const stop = async () => {
    rmSync(conf, { force: true });
    await registry.stop();
  };
  return { image: `${at}:2`, env: {}, stop };
}

test('content :: images by digest and by tag: every IDMS/ITMS document read, merged, the same in either order; a Docker list registry image', () =>
  withSide(async (c, dir) => {
    const list = join(c.dir, 'images.txt');
    const byDigest = `docker.io/library/example@sha256:${'12'.repeat(32)}`;
    writeFileSync(list, `${byDigest}\nquay.io/example/tagged:1\n`);
    const registry = await dockerList(c, dir);
    try {
      const out = join(dir, 'content');
      const args = ['--additional-images', list, '--registry-image', registry.image];
      const r = await fyr(c, out, args, registry.env);
      assert.is(r.code, 0, r.stderr);
      assert.match(r.stderr, `${registry.image} is a Docker manifest list: saved converted to an OCI index`);
      const first = {
        manifest: json(join(out, 'fyr-content.json')),
        idms: readFileSync(join(out, 'mirror/idms-oc-mirror.yaml'), 'utf8'),
        itms: readFileSync(join(out, 'mirror/itms-oc-mirror.yaml'), 'utf8'),
      };
      assert.equal(first.manifest.registry.imageDigestSources, [
        { source: 'docker.io/library', mirrors: ['library'] },
        { source: 'quay.io/openshift-release-dev/ocp-release', mirrors: ['openshift/release-images'] },
        { source: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev', mirrors: ['openshift/release'] },
      ]);
      assert.match(first.itms, '- "@@FYR:registry@@/example"\n    source: "quay.io/example"\n');
      assert.ok(
        existsSync(
          join(
            out,
            `registry/docker/registry/v2/repositories/library/example/_manifests/tags/sha256-${'12'.repeat(32)}`,
          ),
        ),
      );
      // The archive podman loads is an OCI index now.
      const index = (await execa('tar', ['-xOf', join(out, 'images/registry.oci.tar'), 'index.json'])).stdout;
      assert.is(JSON.parse(index).manifests[0].mediaType, 'application/vnd.oci.image.index.v1+json');
      // oc-mirror's documents the other way round: fyr writes the same bytes.
      const again = await fyr(c, out, [...args, '--force'], { ...registry.env, FYR_DOUBLE_MAP_ORDER: 'reverse' });
      assert.is(again.code, 0, again.stderr);
      assert.is(readFileSync(join(out, 'mirror/idms-oc-mirror.yaml'), 'utf8'), first.idms);
      assert.is(readFileSync(join(out, 'mirror/itms-oc-mirror.yaml'), 'utf8'), first.itms);
      const sources = (m: { files: Array<{ role: string }> }) => m.files.filter((f) => f.role.endsWith('-sources'));
      assert.equal(sources(json(join(out, 'fyr-content.json'))), sources(first.manifest));
      assert.is(sources(first.manifest).length, 2);
    } finally {
      await registry.stop();
    }
  }));

// A release signature made with a key of `algorithm`, served on loopback; verifySignature's answer.
async function verifyWith(dir: string, algorithm: string) {
  const home = join(dir, `gpg-${algorithm}`);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const gpg = (args: string[], input?: string) => execa('gpg', ['--batch', '--homedir', home, ...args], { input });
  await gpg(['--passphrase', '', '--quick-gen-key', `${algorithm} <k@fyr.test>`, algorithm, 'sign', 'never']);
  const key = join(dir, `${algorithm}.asc`);
  writeFileSync(key, (await gpg(['--armor', '--export'])).stdout);
  const digest = `sha256:${'cd'.repeat(32)}`;
  const payload = {
    critical: {
      identity: { 'docker-reference': 'quay.io/openshift-release-dev/ocp-release:4.18.9-x86_64' },
      image: { 'docker-manifest-digest': digest },
      type: 'atomic container signature',
    },
  };
  const sig = join(dir, `${algorithm}.sig`);
  await gpg(['--output', sig, '--sign'], JSON.stringify(payload));
  const server = createServer((_req, res) => res.end(readFileSync(sig)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    return await verifySignature({ digest, key, base }).catch((err: unknown) => err);
  } finally {
    server.close();
  }
}

test("content :: a signature made with an EdDSA key, which oc-mirror's openpgp cannot read, is refused before the downloads", async () => {
  const dir = await makeTmpdir();
  try {
    const ecdsa = await verifyWith(dir, 'nistp256');
    assert.not.instance(ecdsa, Error);
    assert.is((ecdsa as { identity: string }).identity, 'quay.io/openshift-release-dev/ocp-release:4.18.9-x86_64');
    assert.match((ecdsa as { armoredKey: string }).armoredKey, /^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
    const eddsa = await verifyWith(dir, 'ed25519');
    assert.instance(eddsa, FyrError);
    assert.is((eddsa as FyrError).code, 'SIGNATURE_INVALID');
    assert.match((eddsa as FyrError).message, 'is made with a key oc-mirror cannot read');
    assert.match((eddsa as FyrError).detailLines.join('\n'), 'gpg public-key algorithm 22 (EdDSA)');
  } finally {
    await removeTmpdir(dir);
  }
});

test('content :: an oc-mirror that predates --ignore-release-signature is one clear error, not five runs', async () => {
  const dir = await makeTmpdir();
  const saved = { ...process.env };
  Object.assign(process.env, {
    PATH: `${DOUBLES_BIN}:${process.env.PATH}`,
    FYR_DOUBLES_DIR: dir,
    FYR_DOUBLE_OC_MIRROR_VERSION: '4.17',
  });
  try {
    const err = await runMirror({
      config: join(dir, 'isc.yaml'),
      workspace: join(dir, 'ws'),
      cacheDir: dir,
      authfile: join(dir, 'ps.json'),
      registry: '127.0.0.1:1',
      releaseKey: undefined,
      attempts: 5,
      retryDelayMs: 10_000,
    }).catch((e: unknown) => e);
    assert.instance(err, FyrError);
    assert.is((err as FyrError).code, 'MIRROR_FAILED');
    assert.is((err as FyrError).message, 'this oc-mirror is too old for fyr: unknown flag: --ignore-release-signature');
    assert.is(readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n').length, 1);
  } finally {
    process.env = saved;
    await removeTmpdir(dir);
  }
});

test.run();
