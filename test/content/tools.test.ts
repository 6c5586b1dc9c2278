// The command lines fyr content builds, as literal arrays, and its small pure pieces: the
// ImageSetConfiguration, oc-mirror's exit bits, the signature URL and ConfigMap, the stream.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageSetConfig, mirroredReleaseTag, mirrorFailure, readMirrorSets } from '../../src/content/mirror.js';
import { manifestType, preserveDigestsFor } from '../../src/content/registry-image.js';
import { signatureConfigMap, signatureUrl } from '../../src/content/signature.js';
import { readStream } from '../../src/content/stream.js';
import {
  gpg,
  installerVersion,
  oc,
  ocMirror,
  openshiftInstall,
  registry,
  releaseTag,
  skopeo,
} from '../../src/content/tools.js';
import { FyrError } from '../../src/errors.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const D = `sha256:${'ab'.repeat(32)}`;
const REL = `quay.io/openshift-release-dev/ocp-release@${D}`;

test('content tools :: oc, openshift-install, oc-mirror, skopeo, gpg and the registry, as literal arrays', () => {
  assert.is(releaseTag('4.18.9', 'x86_64'), 'quay.io/openshift-release-dev/ocp-release:4.18.9-x86_64');
  assert.equal(oc.releaseInfo('/ps.json', 'quay.io/openshift-release-dev/ocp-release:4.18.9-x86_64'), [
    'adm',
    'release',
    'info',
    '--registry-config',
    '/ps.json',
    '-o',
    'json',
    'quay.io/openshift-release-dev/ocp-release:4.18.9-x86_64',
  ]);
  assert.equal(oc.extract('/ps.json', 'openshift-install', '/out/bin', REL), [
    'adm',
    'release',
    'extract',
    '--registry-config',
    '/ps.json',
    '--command=openshift-install',
    '--command-os=linux',
    '--to=/out/bin',
    REL,
  ]);
  assert.equal(oc.version(), ['version', '--client']);
  assert.equal(openshiftInstall.version(), ['version']);
  assert.equal(openshiftInstall.printStream(), ['coreos', 'print-stream-json']);
  assert.equal(
    ocMirror.mirror({
      config: '/c/isc.yaml',
      workspace: '/c/ws',
      registry: '127.0.0.1:5000',
      authfile: '/ps.json',
      cacheDir: '/c',
      ignoreReleaseSignature: false,
    }),
    [
      '--v2',
      '-c',
      '/c/isc.yaml',
      '--workspace',
      'file:///c/ws',
      'docker://127.0.0.1:5000',
      '--authfile',
      '/ps.json',
      '--cache-dir',
      '/c',
      '--dest-tls-verify=false',
      '--parallel-images',
      '4',
      '--parallel-layers',
      '4',
      '--retry-times',
      '5',
    ],
  );
  assert.equal(
    ocMirror
      .mirror({
        config: '/c/isc.yaml',
        workspace: '/c/ws',
        registry: '127.0.0.1:5000',
        authfile: '/ps.json',
        cacheDir: '/c',
        ignoreReleaseSignature: true,
      })
      .slice(-3),
    ['--retry-times', '5', '--ignore-release-signature'],
  );
  assert.equal(skopeo.inspectRaw('docker://docker.io/library/registry:2', '/ps.json'), [
    'inspect',
    '--raw',
    '--authfile',
    '/ps.json',
    'docker://docker.io/library/registry:2',
  ]);
  assert.equal(
    skopeo.save({
      source: 'docker://docker.io/library/registry:2',
      archive: '/o/r.tar',
      name: 'docker.io/library/registry:2',
      authfile: '/ps.json',
      preserveDigests: false,
    }),
    [
      'copy',
      '--quiet',
      '--all',
      '--authfile',
      '/ps.json',
      'docker://docker.io/library/registry:2',
      'oci-archive:/o/r.tar:docker.io/library/registry:2',
    ],
  );
  assert.equal(
    skopeo.save({
      source: 'docker://docker.io/library/registry:2',
      archive: '/o/r.tar',
      name: 'docker.io/library/registry:2',
      authfile: '/ps.json',
      preserveDigests: true,
    }),
    [
      'copy',
      '--quiet',
      '--all',
      '--preserve-digests',
      '--authfile',
      '/ps.json',
      'docker://docker.io/library/registry:2',
      'oci-archive:/o/r.tar:docker.io/library/registry:2',
    ],
  );
  assert.equal(gpg.import('/h', '/k.asc'), ['--batch', '--quiet', '--homedir', '/h', '--import', '/k.asc']);
  assert.equal(gpg.verify('/h', '/s', '/p'), [
    '--batch',
    '--homedir',
    '/h',
    '--status-fd',
    '1',
    '--output',
    '/p',
    '--decrypt',
    '/s',
  ]);
  assert.equal(gpg.exportArmored('/h'), ['--batch', '--homedir', '/h', '--armor', '--export']);
  assert.equal(registry.serve('/c.yml'), ['serve', '/c.yml']);
});

test('content tools :: the ImageSetConfiguration pins the release, no channels, no graph', () => {
  assert.is(
    imageSetConfig(REL, ['docker.io/library/example:1']),
    [
      'kind: ImageSetConfiguration',
      'apiVersion: mirror.openshift.io/v2alpha1',
      'mirror:',
      '  platform:',
      `    release: "${REL}"`,
      '    graph: false',
      '  additionalImages:',
      '    - name: "docker.io/library/example:1"',
      '',
    ].join('\n'),
  );
});

test("content tools :: oc-mirror's exit bits in words", () => {
  assert.is(mirrorFailure(1), 'oc-mirror failed');
  assert.is(mirrorFailure(2), 'some release images could not be mirrored');
  assert.is(mirrorFailure(10), 'some release images and additional images could not be mirrored');
  assert.is(mirrorFailure(4 | 16), 'some operator images and helm charts could not be mirrored');
});

test('content tools :: the signature URL and ConfigMap', () => {
  assert.is(
    signatureUrl('https://mirror.openshift.com/pub/openshift-v4/signatures/openshift/release/', D),
    `https://mirror.openshift.com/pub/openshift-v4/signatures/openshift/release/sha256=${'ab'.repeat(32)}/signature-1`,
  );
  assert.match(
    signatureConfigMap(D, Buffer.from('sig')),
    `metadata:\n  name: sha256-${'ab'.repeat(32)}\n  namespace: openshift-config-managed\n  labels:\n    release.openshift.io/verification-signatures: ""\nbinaryData:\n  sha256-${'ab'.repeat(32)}-1: c2ln\n`,
  );
});

test("content tools :: the installer's version is the last word of its first line, which starts with the path it ran by", () => {
  // The real output (openshift/installer cmd/openshift-install/version.go), run from DIR/bin.
  const said = [
    '/tmp/content/.fyr-tmp/bin/openshift-install 4.18.9',
    'built from commit 0123456789abcdef0123456789abcdef01234567',
    `release image ${REL}`,
    'release architecture amd64',
    '',
  ].join('\n');
  assert.is(installerVersion(said), '4.18.9');
  assert.is(installerVersion('openshift-install 4.19.0-rc.2\n'), '4.19.0-rc.2');
  assert.is(installerVersion(''), 'unknown');
});

test("content tools :: oc-mirror's release tag: the signed identity's tag, or the bare digest when it skipped the check", () => {
  assert.is(mirroredReleaseTag('quay.io/openshift-release-dev/ocp-release:4.18.9-x86_64'), '4.18.9-x86_64');
  assert.is(mirroredReleaseTag(REL), 'ab'.repeat(32));
  assert.is(
    mirroredReleaseTag('registry.ci.example:5000/ocp/release:4.19.0-0.nightly-2025-01-01-000000'),
    '4.19.0-0.nightly-2025-01-01-000000',
  );
});

test("content tools :: oc-mirror's IDMS of several documents, in either order, merged into one sorted set", async () => {
  const dir = await makeTmpdir();
  try {
    const doc = (name: string, entries: Array<[string, string]>) =>
      [
        '---',
        'apiVersion: config.openshift.io/v1',
        'kind: ImageDigestMirrorSet',
        'metadata:',
        '  annotations:',
        '    createdBy: oc-mirror v2',
        `  name: ${name}`,
        'spec:',
        '  imageDigestMirrors:',
        ...entries.flatMap(([m, src]) => ['  - mirrors:', `    - ${m}`, `    source: ${src}`]),
        '',
      ].join('\n');
    const release = doc('idms-release-0', [
      ['127.0.0.1:5000/openshift/release-images', 'quay.io/openshift-release-dev/ocp-release'],
      ['127.0.0.1:5000/openshift/release', 'quay.io/openshift-release-dev/ocp-v4.0-art-dev'],
    ]);
    const generic = doc('idms-generic-0', [
      ['127.0.0.1:5000/library', 'docker.io/library'],
      ['127.0.0.1:5000/openshift/release', 'quay.io/openshift-release-dev/ocp-v4.0-art-dev'],
    ]);
    writeFileSync(join(dir, 'a.yaml'), release + generic);
    writeFileSync(join(dir, 'b.yaml'), generic + release);
    const a = await readMirrorSets(join(dir, 'a.yaml'), 'ImageDigestMirrorSet', '127.0.0.1:5000');
    const b = await readMirrorSets(join(dir, 'b.yaml'), 'ImageDigestMirrorSet', '127.0.0.1:5000');
    assert.equal(a.sources, [
      { source: 'docker.io/library', mirrors: ['library'] },
      { source: 'quay.io/openshift-release-dev/ocp-release', mirrors: ['openshift/release-images'] },
      { source: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev', mirrors: ['openshift/release'] },
    ]);
    assert.equal(b, a);
    assert.match(a.text, '  - mirrors:\n    - "@@FYR:registry@@/library"\n    source: "docker.io/library"\n');
    assert.not.match(a.text, '127.0.0.1');
    // Another kind in the file is not taken for an IDMS.
    writeFileSync(join(dir, 'c.yaml'), release.replace('ImageDigestMirrorSet', 'ImageTagMirrorSet') + generic);
    await readMirrorSets(join(dir, 'c.yaml'), 'ImageDigestMirrorSet', '127.0.0.1:5000').then(
      () => assert.unreachable('an ITMS document read as an IDMS'),
      (err: FyrError) => assert.is(err.code, 'MIRROR_FAILED'),
    );
  } finally {
    await removeTmpdir(dir);
  }
});

test('content tools :: the registry image: an OCI index or manifest keeps its digests, a Docker list is converted, others refused', () => {
  const index = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}';
  assert.is(manifestType(index), 'application/vnd.oci.image.index.v1+json');
  assert.is(manifestType('{"schemaVersion":2,"manifests":[]}'), 'application/vnd.oci.image.index.v1+json');
  assert.is(manifestType('{"schemaVersion":2,"config":{}}'), 'application/vnd.oci.image.manifest.v1+json');
  const list = '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json"}';
  assert.is(manifestType(list), 'application/vnd.docker.distribution.manifest.list.v2+json');
  assert.is(preserveDigestsFor('x', 'application/vnd.oci.image.index.v1+json'), true);
  assert.is(preserveDigestsFor('x', 'application/vnd.docker.distribution.manifest.v2+json'), true);
  assert.is(preserveDigestsFor('x', manifestType(list)), false);
  try {
    preserveDigestsFor('docker://old/registry:1', manifestType('{"schemaVersion":1,"name":"old"}'));
    assert.unreachable('a schema 1 image was accepted');
  } catch (err) {
    assert.instance(err, FyrError);
    assert.is((err as FyrError).code, 'REGISTRY_IMAGE_UNSUPPORTED');
    assert.match((err as FyrError).message, 'docker://old/registry:1 is not an image fyr can save');
  }
});

test('content tools :: the stream gives the PXE artifacts of the architecture, or a clear error', () => {
  const a = (n: string) => ({ location: `https://x/${n}`, sha256: n.padEnd(64, '0').replace(/[^0-9a-f]/g, '0') });
  const stream = JSON.stringify({
    architectures: {
      x86_64: {
        artifacts: {
          metal: { release: '418.94.1', formats: { pxe: { kernel: a('k'), initramfs: a('i'), rootfs: a('r') } } },
        },
      },
    },
  });
  const got = readStream(stream, 'x86_64');
  assert.is(got.release, '418.94.1');
  assert.equal(
    got.artifacts.map((x) => [x.role, x.url]),
    [
      ['rhcos-kernel', 'https://x/k'],
      ['rhcos-initramfs', 'https://x/i'],
      ['rhcos-rootfs', 'https://x/r'],
    ],
  );
  const err = (() => {
    try {
      readStream(stream, 'aarch64');
    } catch (e) {
      return e;
    }
  })();
  assert.instance(err, FyrError);
  assert.is((err as FyrError).message, "the installer's RHCOS stream has no aarch64 metal PXE artifacts");
});

test.run();
