// Command lines of the programs fyr content drives on the connected side, as pure argv
// builders (tested against literal arrays). The pull secret always goes by file, never argv.

export const RELEASE_REPO = 'quay.io/openshift-release-dev/ocp-release';
export const releaseTag = (version: string, arch: string) => `${RELEASE_REPO}:${version}-${arch}`;

export const oc = {
  releaseInfo: (auth: string, pullspec: string) => [
    'adm',
    'release',
    'info',
    '--registry-config',
    auth,
    '-o',
    'json',
    pullspec,
  ],
  extract: (auth: string, command: 'oc' | 'openshift-install', to: string, release: string) => [
    'adm',
    'release',
    'extract',
    '--registry-config',
    auth,
    `--command=${command}`,
    '--command-os=linux',
    `--to=${to}`,
    release,
  ],
  version: () => ['version', '--client'],
};

export const openshiftInstall = {
  version: () => ['version'],
  printStream: () => ['coreos', 'print-stream-json'],
};

// The installer's version from `openshift-install version`, whose first line is os.Args[0] and
// the version (openshift/installer cmd/openshift-install/version.go): run from an extracted
// path it is "/…/bin/openshift-install 4.18.9", so the version is the line's last word.
export const installerVersion = (stdout: string): string =>
  stdout.split('\n')[0]!.trim().split(/\s+/).at(-1) || 'unknown';

// Mirror-to-mirror into fyr's loopback registry (the appliance's flags: no TLS on loopback,
// the run's own retries on top of fyr's retries of whole runs). oc-mirror checks the release
// signature itself; --ignore-release-signature (a hidden flag) only where fyr skipped its own.
export const ocMirror = {
  mirror: (o: {
    config: string;
    workspace: string;
    registry: string;
    authfile: string;
    cacheDir: string;
    ignoreReleaseSignature: boolean;
  }) => [
    '--v2',
    '-c',
    o.config,
    '--workspace',
    `file://${o.workspace}`,
    `docker://${o.registry}`,
    '--authfile',
    o.authfile,
    '--cache-dir',
    o.cacheDir,
    '--dest-tls-verify=false',
    '--parallel-images',
    '4',
    '--parallel-layers',
    '4',
    '--retry-times',
    '5',
    ...(o.ignoreReleaseSignature ? ['--ignore-release-signature'] : []),
  ],
  version: () => ['version'],
};

export const skopeo = {
  // The top manifest of an image as its registry serves it (its mediaType says what it is).
  inspectRaw: (source: string, authfile: string) => ['inspect', '--raw', '--authfile', authfile, source],
  // The registry's image for the bastion, as an archive podman load takes; digests preserved
  // unless the source is a Docker manifest list, which an oci-archive cannot hold as it is.
  save: (o: { source: string; archive: string; name: string; authfile: string; preserveDigests: boolean }) => [
    'copy',
    '--quiet',
    '--all',
    ...(o.preserveDigests ? ['--preserve-digests'] : []),
    '--authfile',
    o.authfile,
    o.source,
    `oci-archive:${o.archive}:${o.name}`,
  ],
  version: () => ['--version'],
};

export const gpg = {
  import: (home: string, key: string) => ['--batch', '--quiet', '--homedir', home, '--import', key],
  // --status-fd 1: machine-readable VALIDSIG lines on stdout; the signed payload to `out`.
  verify: (home: string, signature: string, out: string) => [
    '--batch',
    '--homedir',
    home,
    '--status-fd',
    '1',
    '--output',
    out,
    '--decrypt',
    signature,
  ],
  // The imported key, armored: the only form oc-mirror reads (openpgp.ReadArmoredKeyRing).
  exportArmored: (home: string) => ['--batch', '--homedir', home, '--armor', '--export'],
  version: () => ['--version'],
};

export const registry = {
  serve: (config: string) => ['serve', config],
  version: () => ['--version'],
};
