// fyr content: the content directory of a release, made from an OpenShift version on a
// connected machine (oc, oc-mirror, skopeo, gpg and the registry installed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildContent } from '../../content/content.js';
import { ARCHES, type Arch } from '../../content/release-info.js';
import { SIGNATURE_BASE } from '../../content/signature.js';
import { operatorRequests } from '../../content/operators.js';
import { FyrError } from '../../errors.js';
import type { OperatorCatalog } from '../../formats/operator-catalog.js';
import { describePath, type RegistryDelta, type UpgradePath } from '../../formats/upgrade-path.js';
import type { CommandSpec } from '../command.js';
import { cacheDir, choice, requiredOption } from '../options.js';
import { follow, makeProgress } from '../progress.js';
import { toJson } from '../report.js';
import { makeStyle } from '../style.js';

const VERSION = /^[0-9]+\.[0-9]+\.[0-9]+(-(ec|rc)\.[0-9]+)?$/;

export const contentCommand: CommandSpec = {
  name: 'content',
  summary: 'Make release content from an OpenShift version',
  usage: 'fyr content --openshift VERSION --pull-secret FILE -o DIR [options]',
  description: [
    "Resolves quay.io/openshift-release-dev/ocp-release:VERSION-ARCH with oc and pins its digest, checks its signature with gpg against Red Hat's release key, extracts oc and openshift-install from it (and checks the installer names the pinned digest), downloads the RHCOS PXE kernel, initramfs and rootfs the installer's stream names into a content-addressed cache (sha256 checked while streaming, downloads resumed and retried), mirrors the release with oc-mirror v2 into a registry fyr runs on loopback whose storage tree lands in DIR, saves the registry's image for the bastion, and writes DIR/fyr-content.json (fyr-content/2) for fyr release.",
    "The pull secret goes to every program by file, never on a command line. DIR is built under a temporary name and renamed when complete: a failure or Ctrl-C leaves nothing at DIR, while the cache keeps every verified download and oc-mirror's cache, so a second run for the same version downloads nothing.",
    "--operator NAME[:CHANNEL] (repeatable) and --operators FILE add operator packages: oc-mirror mirrors the catalog of the release's minor (registry.redhat.io/redhat/redhat-operator-index:v4.y) filtered to them and their dependencies into the same registry tree, each package at the head of its channel (the one named, else the catalog's default). FILE is YAML with an `operators` list of {name, channel} as in the site file; a site file adds the packages its storage type needs too (lvms: lvms-operator; odf: local-storage-operator, odf-operator), so --operators site.yaml mirrors what that site needs. oc-mirror's CatalogSource and ClusterCatalog are kept under DIR/mirror/ with the registry placeholder, and fyr-content.json lists each package's channel, CSV and version (fyr build refuses a site that needs one the release does not carry).",
    "--from VERSION makes an upgrade: the release is reached from VERSION (the one the site runs) along the shortest path of the update graph, each step a channel (stable-4.y, or eus-4.y with --channel eus) with minVersion and maxVersion in the ImageSetConfiguration. OpenShift updates one minor at a time and oc-mirror adds no minor itself: a step across two minors is refused, naming the minor to add with --via VERSION (repeatable, in order). fyr reads the hops back from the mirrored tree, verifies each hop's signature as it does the release's, keeps each as a signature ConfigMap under DIR/mirror/signatures/, checks each release from 4.21 has its sigstore signature tag, and records the path in fyr-content.json (`upgrade`).",
    '--delta-from OLD (an older content directory, or its release ISO, read without mounting) leaves out of the registry tree every file OLD already carries (the same path and sha256), so the stick holds only what is new; fyr-content.json records the base and the tree hash of OLD with the new files, which the bastion must hold after the merge.',
    'Needs oc, oc-mirror, skopeo, gpg and the CNCF distribution registry (Debian: docker-registry) on PATH; each missing one is named with how to install it.',
  ],
  options: {
    openshift: { type: 'string', value: 'VERSION', help: 'OpenShift version, such as 4.18.9 (required)' },
    'pull-secret': { type: 'string', value: 'FILE', help: 'Pull secret from console.redhat.com (required)' },
    out: { type: 'string', short: 'o', value: 'DIR', help: 'Content directory to write (required)' },
    arch: { type: 'string', value: 'ARCH', help: `Architecture: ${ARCHES.join(', ')} (default x86_64)` },
    cache: {
      type: 'string',
      value: 'DIR',
      help: 'Download and mirror cache (default: $XDG_CACHE_HOME/fyr/content or ~/.cache/fyr/content)',
    },
    'additional-images': {
      type: 'string',
      value: 'FILE',
      help: "Images the site's workloads need, one pull spec a line (# comments), mirrored with the release",
    },
    operator: {
      type: 'string',
      value: 'NAME[:CHANNEL]',
      multiple: true,
      help: "An operator package to mirror with its dependencies, at its channel's head (default: the catalog's default channel); repeatable",
    },
    operators: {
      type: 'string',
      value: 'FILE',
      multiple: true,
      help: 'YAML with `operators: [{name, channel}]`, or a site file (its storage packages too): the packages to mirror',
    },
    'signature-key': {
      type: 'string',
      value: 'FILE',
      help: 'The key releases are signed with (default /etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release)',
    },
    'signature-url': {
      type: 'string',
      value: 'URL',
      help: `Where release signatures are fetched (default ${SIGNATURE_BASE})`,
    },
    'insecure-skip-signature': {
      type: 'boolean',
      help: 'Do not check the release signature (nightlies, candidates); recorded in the content and the release',
    },
    'registry-image': {
      type: 'string',
      value: 'REF',
      help: 'The registry image for the bastion, as skopeo names it (default docker://docker.io/library/registry:2)',
    },
    'mirror-runs': { type: 'string', value: 'N', help: 'oc-mirror runs before giving up (default 5)' },
    'retry-delay': {
      type: 'string',
      value: 'SECONDS',
      help: 'Wait between oc-mirror runs, and the first download backoff, doubling (default 5)',
    },
    from: {
      type: 'string',
      value: 'VERSION',
      help: 'Make an upgrade from VERSION (the one the site runs): every release on the path is mirrored and recorded',
    },
    via: {
      type: 'string',
      value: 'VERSION',
      multiple: true,
      help: 'With --from: a release the path must go through (the intermediate minor a step needs); repeatable, in order',
    },
    channel: { type: 'string', value: 'stable|eus', help: 'With --from: the channels of the path (default stable)' },
    'delta-from': {
      type: 'string',
      value: 'OLD',
      help: 'Leave out every registry file the older content directory or release ISO OLD carries (a delta stick)',
    },
    force: { type: 'boolean', help: 'Replace DIR if it exists' },
    quiet: { type: 'boolean', short: 'q', help: 'No progress and no summary' },
  },
  positionals: { min: 0, max: 0 },
  examples: [
    'fyr content --openshift 4.18.9 --pull-secret ~/pull-secret.json -o content/',
    'fyr content --openshift 4.18.9 --pull-secret ps.json -o content/ --additional-images images.txt --json',
    'fyr content --openshift 4.19.0-rc.2 --pull-secret ps.json -o content/ --insecure-skip-signature',
    'fyr content --openshift 4.18.9 --pull-secret ps.json -o content/ --operator lvms-operator --operator kubevirt-hyperconverged:stable',
    'fyr content --openshift 4.18.9 --pull-secret ps.json -o content/ --operators edge/site.yaml',
    'fyr content --openshift 4.19.3 --from 4.18.9 --pull-secret ps.json -o upgrade/ --delta-from content-4.18.9/',
    'fyr content --openshift 4.19.3 --from 4.17.25 --via 4.18.12 --pull-secret ps.json -o upgrade/',
  ],
  async run(args, io) {
    const need = (name: string) =>
      requiredOption(args, name, `missing --${name === 'out' ? 'out (-o)' : name}`, [`Usage: ${this.usage}`]);
    const version = need('openshift');
    if (!VERSION.test(version))
      throw new FyrError('USAGE', `--openshift ${version}: expected a version such as 4.18.9 (or 4.19.0-rc.2)`);
    const pullSecret = need('pull-secret');
    const out = need('out');
    const arch = choice<Arch>('arch', args.options.arch, ARCHES, 'x86_64');
    const str = (name: string) => (typeof args.options[name] === 'string' ? (args.options[name] as string) : undefined);
    const additional = str('additional-images');
    let images: string[] = [];
    if (additional !== undefined) {
      let text: string;
      try {
        text = readFileSync(additional, 'utf8');
      } catch (err) {
        throw new FyrError(
          'USAGE',
          `--additional-images ${additional}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
      images = text
        .split('\n')
        .map((l) => l.replace(/#.*$/, '').trim())
        .filter(Boolean);
      const bad = images.find((i) => !/^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+([:@][A-Za-z0-9._:-]+)?$/.test(i));
      if (bad)
        throw new FyrError(
          'USAGE',
          `--additional-images ${additional}: "${bad}" is not a pull spec (host/path:tag or @sha256:...)`,
        );
    }
    const list = (name: string) => {
      const v = args.options[name];
      return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
    };
    const operators = await operatorRequests({ operator: list('operator'), files: list('operators') });
    const skip = args.options['insecure-skip-signature'] === true;
    const runs = str('mirror-runs') === undefined ? 5 : Number(str('mirror-runs'));
    if (!Number.isInteger(runs) || runs < 1 || runs > 100)
      throw new FyrError('USAGE', `--mirror-runs ${str('mirror-runs')}: expected a whole number from 1 to 100`);
    const delay = str('retry-delay') === undefined ? 5 : Number(str('retry-delay'));
    if (!Number.isFinite(delay) || delay < 0 || delay > 3600)
      throw new FyrError('USAGE', `--retry-delay ${str('retry-delay')}: expected seconds from 0 to 3600`);
    const from = str('from');
    const via = list('via');
    if (from === undefined && (via.length > 0 || str('channel') !== undefined))
      throw new FyrError('USAGE', `--${via.length > 0 ? 'via' : 'channel'} needs --from VERSION`);
    for (const v of [...(from === undefined ? [] : [from]), ...via])
      if (!VERSION.test(v)) throw new FyrError('USAGE', `${v}: expected a version such as 4.18.9 (or 4.19.0-rc.2)`);
    const channel = choice<'stable' | 'eus'>('channel', args.options.channel, ['stable', 'eus'], 'stable');
    const progress = makeProgress(io, { quiet: args.options.quiet === true || args.json });
    const s = makeStyle(io.color.stderr);
    const onProgress = follow(progress, (phase) =>
      phase === 'mirror' ? 'oc-mirror: release images' : 'downloading RHCOS',
    );
    const started = Date.now();
    let result;
    try {
      result = await buildContent({
        version,
        arch,
        pullSecret,
        out,
        cache: str('cache') ?? join(cacheDir(args, io), 'content'),
        additionalImages: images,
        operators,
        signatureKey: str('signature-key'),
        signatureUrl: str('signature-url') ?? SIGNATURE_BASE,
        insecureSkipSignature: skip,
        registryImage: str('registry-image') ?? 'docker://docker.io/library/registry:2',
        force: args.options.force === true,
        from,
        via,
        channel,
        deltaFrom: str('delta-from'),
        mirrorAttempts: runs,
        retryDelayMs: delay * 1000,
        downloadBackoffMs: delay * 200,
        signal: io.signal,
        onProgress: (e) => {
          // A skipped signature is said even with --quiet and --json: on stderr, loudly.
          if (e.phase === 'warning') io.stderr(`${s.yellow('WARNING')}: ${e.message}\n`);
          else onProgress(e);
        },
      });
    } finally {
      progress.done();
    }
    const seconds = (Date.now() - started) / 1000;
    if (args.json) {
      io.stdout(
        toJson({
          ok: true,
          out: result.out,
          seconds,
          downloaded: result.downloaded,
          reused: result.reused,
          content: result.manifest,
        }),
      );
      return 0;
    }
    if (args.options.quiet === true) return 0;
    const m = result.manifest as {
      release: { image: string; rhcos: string; signature: string };
      registry: { files: number; bytes: number; delta?: RegistryDelta };
      operators?: OperatorCatalog;
      upgrade?: UpgradePath;
    };
    const cat = m.operators;
    const o = makeStyle(io.color.stdout);
    io.stdout(
      `${o.green('✓')} ${out}: OpenShift ${version} (${arch}) in ${seconds.toFixed(1)} s\n` +
        `  release     ${m.release.image} (signature ${m.release.signature})\n` +
        `  rhcos       ${m.release.rhcos}: ${result.downloaded} downloaded, ${result.reused} from the cache\n` +
        `  registry    ${m.registry.files} files, ${(m.registry.bytes / 1024 ** 2).toFixed(1)} MiB${m.registry.delta ? ` new on ${m.registry.delta.base.name} (${m.registry.delta.mergedFiles} files after the merge)` : ''}\n` +
        (m.upgrade ? `  upgrade     ${describePath(m.upgrade)}\n` : '') +
        (cat
          ? `  operators   ${cat.source} as ${cat.mirror}\n` +
            cat.packages
              .map((p) => `              ${p.name} ${p.channel} ${p.version}${p.requested ? '' : ' (dependency)'}\n`)
              .join('')
          : '') +
        `  next        fyr release --base BASE.iso --content ${out} -o release.iso\n`,
    );
    return 0;
  },
};
