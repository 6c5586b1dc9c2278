// The command lines fyr content builds, as literal arrays, and its small pure pieces: the
// ImageSetConfiguration, oc-mirror's exit bits, the signature URL and ConfigMap, the stream.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { imageSetConfig, mirrorFailure } from '../../src/content/mirror.js';
import { signatureConfigMap, signatureUrl } from '../../src/content/signature.js';
import { readStream } from '../../src/content/stream.js';
import { gpg, oc, ocMirror, openshiftInstall, registry, releaseTag, skopeo } from '../../src/content/tools.js';
import { FyrError } from '../../src/errors.js';

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
    skopeo.save({
      source: 'docker://docker.io/library/registry:2',
      archive: '/o/r.tar',
      name: 'docker.io/library/registry:2',
      authfile: '/ps.json',
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
