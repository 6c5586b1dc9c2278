// A synthetic Red Hat operator catalog (registry.redhat.io/redhat/redhat-operator-index:v4.Y) in
// operator-framework's File-Based Catalog format, for the oc-mirror TEST DOUBLE and the tests of
// fyr's operators. Everything is deterministic: the same minor gives the same documents, and
// every bundle and related image named in them is a small synthetic image whose manifest digest
// is the one the catalog names, so the double pushes it with the real skopeo as it is.
//
// The format, as operator-framework/operator-registry defines it:
// - alpha/declcfg/declcfg.go: the schemas olm.package {schema, name, defaultChannel}, olm.channel
//   {schema, name, package, entries: [{name, replaces?, skips?, skipRange?}]} and olm.bundle
//   {schema, name, package, image, properties, relatedImages: [{name, image}]};
// - alpha/property/property.go: properties olm.package {packageName, version} and
//   olm.package.required {packageName, versionRange};
// - alpha/action/render.go (getRelatedImages): opm appends the bundle image itself to
//   relatedImages, with an empty name, after the CSV's spec.relatedImages;
// - alpha/declcfg/write.go (WriteJSON, writeToEncoder, WriteFS): one <package>/catalog.json per
//   package, its documents one after another as JSON indented by four spaces, each followed by a
//   newline: the olm.package, its channels by name, its bundles by name.
// The filter is oc-mirror v2's (openshift/oc-mirror internal/pkg/operator/catalog_handler.go
// filterCatalog, which runs github.com/sherine-k/catalog-filter
// pkg/filter/mirror-config/v1alpha1/mirror-filter.go); see filterPackages below.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';

export const CATALOG_REPO = 'registry.redhat.io/redhat/redhat-operator-index';
// The label that names the catalog's configs directory (operator-registry's
// operators.operatorframework.io.index.configs.v1, read by oc-mirror's ExtractOCIConfigLayers).
export const CONFIGS_LABEL = 'operators.operatorframework.io.index.configs.v1';

const sha = (b) => createHash('sha256').update(b).digest('hex');

function parseMinor(minor) {
  const m = /^4\.(\d{1,2})$/.exec(String(minor));
  if (!m) throw new Error(`catalog: ${minor} is not an OpenShift 4 minor such as 4.18`);
  return Number(m[1]);
}

// The packages of the synthetic index for 4.<y>: name, registry.redhat.io namespace, bundle
// repository, related images [name, path], default channel, channels (versions, oldest first:
// each replaces the one before) and the packages it requires (olm.package.required).
function packageSpecs(minor) {
  const y = parseMinor(minor);
  const m = `4.${y}`;
  const p = `4.${y - 1}`;
  const range = `>=${m}.0-0 <4.${y + 1}.0-0`;
  const odf = (name, bundle, images, requires = []) => ({
    name,
    ns: 'odf4',
    bundle,
    images,
    defaultChannel: `stable-${m}`,
    channels: { [`stable-${m}`]: [`${m}.3-rhodf`] },
    requires,
    range,
  });
  return [
    {
      name: 'lvms-operator',
      ns: 'lvms4',
      bundle: 'lvms-operator-bundle',
      images: [
        ['lvms-operator', 'lvms4/lvms-rhel9-operator'],
        ['topolvm', 'lvms4/topolvm-rhel9'],
      ],
      defaultChannel: `stable-${m}`,
      channels: { [`stable-${p}`]: [`${p}.7`, `${p}.8`], [`stable-${m}`]: [`${m}.2`, `${m}.3`] },
      requires: [],
    },
    {
      name: 'local-storage-operator',
      ns: 'openshift4',
      bundle: 'ose-local-storage-operator-bundle',
      images: [
        ['local-storage-operator', 'openshift4/ose-local-storage-rhel9-operator'],
        ['local-storage-diskmaker', 'openshift4/ose-local-storage-diskmaker-rhel9'],
      ],
      defaultChannel: 'stable',
      channels: { stable: [`${m}.0-202501230001`, `${m}.0-202502260503`] },
      requires: [],
    },
    {
      ...odf('odf-operator', 'odf-operator-bundle', [
        ['odf-operator', 'odf4/odf-rhel9-operator'],
        ['odf-console', 'odf4/odf-console-rhel9'],
      ]),
      channels: { [`stable-${p}`]: [`${p}.6-rhodf`], [`stable-${m}`]: [`${m}.2-rhodf`, `${m}.3-rhodf`] },
      requires: ['odf-dependencies'],
    },
    // Since 4.17 odf-operator requires odf-dependencies, which requires the rest.
    odf(
      'odf-dependencies',
      'odf-dependencies-operator-bundle',
      [],
      [
        'ocs-operator',
        'mcg-operator',
        'odf-csi-addons-operator',
        'ocs-client-operator',
        'odf-prometheus-operator',
        'recipe',
        'odf-external-snapshotter-operator',
      ],
    ),
    odf('ocs-operator', 'ocs-operator-bundle', [['ocs-operator', 'odf4/ocs-rhel9-operator']], ['rook-ceph-operator']),
    odf('mcg-operator', 'mcg-operator-bundle', [
      ['mcg-operator', 'odf4/mcg-rhel9-operator'],
      ['mcg-core', 'odf4/mcg-core-rhel9'],
    ]),
    odf('odf-csi-addons-operator', 'odf-csi-addons-operator-bundle', [
      ['csi-addons-operator', 'odf4/odf-csi-addons-rhel9-operator'],
      ['csi-addons-sidecar', 'odf4/odf-csi-addons-sidecar-rhel9'],
    ]),
    odf(
      'ocs-client-operator',
      'ocs-client-operator-bundle',
      [['ocs-client-operator', 'odf4/ocs-client-rhel9-operator']],
      ['cephcsi-operator'],
    ),
    odf('odf-prometheus-operator', 'odf-prometheus-operator-bundle', [
      ['prometheus-operator', 'odf4/odf-prometheus-rhel9-operator'],
    ]),
    odf('recipe', 'odr-recipe-operator-bundle', []),
    odf('rook-ceph-operator', 'rook-ceph-operator-bundle', [
      ['rook-ceph-operator', 'odf4/rook-ceph-rhel9-operator'],
      ['ceph', 'rhceph/rhceph-8-rhel9'],
    ]),
    odf('cephcsi-operator', 'cephcsi-operator-bundle', [
      ['cephcsi-operator', 'odf4/cephcsi-rhel9-operator'],
      ['cephcsi', 'odf4/cephcsi-rhel9'],
    ]),
    odf('odf-external-snapshotter-operator', 'odf-external-snapshotter-operator-bundle', [
      ['external-snapshotter', 'odf4/odf-external-snapshotter-rhel9-operator'],
    ]),
    // Unrelated to storage: filtering leaves them out.
    {
      name: 'web-terminal',
      ns: 'web-terminal',
      bundle: 'web-terminal-operator-bundle',
      images: [
        ['web-terminal-operator', 'web-terminal/web-terminal-rhel9-operator'],
        ['web-terminal-tooling', 'web-terminal/web-terminal-tooling-rhel9'],
      ],
      defaultChannel: 'fast',
      channels: { fast: ['1.11.1', '1.12.0'] },
      requires: ['devworkspace-operator'],
      range: '>=0.32.0',
    },
    {
      name: 'devworkspace-operator',
      ns: 'devworkspace',
      bundle: 'devworkspace-operator-bundle',
      images: [['devworkspace-operator', 'devworkspace/devworkspace-rhel9-operator']],
      defaultChannel: 'fast',
      channels: { fast: ['0.32.1', '0.33.0'] },
      requires: [],
    },
  ];
}

// ---- synthetic images, in memory ------------------------------------------------------------

function tarHeader(name, size, type) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(type === '5' ? '0000755\0' : '0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write('ustar\0' + '00', 257, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

// A plain tar of `files` ([path, Buffer], in order), with their parent directories first.
function tar(files) {
  const parts = [];
  const dirs = new Set();
  for (const [path, data] of files) {
    const segs = path.split('/');
    for (let i = 1; i < segs.length; i++) {
      const d = `${segs.slice(0, i).join('/')}/`;
      if (!dirs.has(d)) {
        dirs.add(d);
        parts.push(tarHeader(d, 0, '5'));
      }
    }
    if (Buffer.byteLength(path) > 100) throw new Error(`catalog: tar path too long: ${path}`);
    parts.push(tarHeader(path, data.length, '0'), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

// An OCI image (image-spec v1.1) of one uncompressed layer: { digest, blobs: [[hex, bytes]] }.
function buildImage(files, config) {
  const layer = tar(files);
  const layerHex = sha(layer);
  const configBytes = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config,
      rootfs: { type: 'layers', diff_ids: [`sha256:${layerHex}`] },
    }),
  );
  const configHex = sha(configBytes);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: `sha256:${configHex}`,
        size: configBytes.length,
      },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${layerHex}`, size: layer.length },
      ],
    }),
  );
  const hex = sha(manifest);
  return {
    digest: `sha256:${hex}`,
    manifestSize: manifest.length,
    blobs: [
      [layerHex, layer],
      [configHex, configBytes],
      [hex, manifest],
    ],
  };
}

// Writes `image` into the OCI layout at `dir`, named in index.json by its digest's hex (other
// images already there are kept): skopeo copies it as oci:<dir>:<hex>.
function putImage(dir, image) {
  const blobs = join(dir, 'blobs/sha256');
  mkdirSync(blobs, { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  for (const [hex, bytes] of image.blobs) writeFileSync(join(blobs, hex), bytes);
  const indexFile = join(dir, 'index.json');
  const index = existsSync(indexFile)
    ? JSON.parse(readFileSync(indexFile, 'utf8'))
    : { schemaVersion: 2, manifests: [] };
  const name = image.digest.slice('sha256:'.length);
  index.manifests = index.manifests.filter((d) => d.annotations?.['org.opencontainers.image.ref.name'] !== name);
  index.manifests.push({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: image.digest,
    size: image.manifestSize,
    annotations: { 'org.opencontainers.image.ref.name': name },
  });
  writeFileSync(indexFile, JSON.stringify(index));
  return image.digest;
}

// The synthetic image of one operator or bundle image: a file naming it and its version.
function relatedImage(path, version, bundle) {
  const files = [[`usr/share/fyr-synthetic/${path.replace(/\//g, '_')}`, Buffer.from(`${path} ${version}\n`)]];
  const labels = { name: path, version };
  if (bundle) {
    files.unshift([
      'metadata/annotations.yaml',
      Buffer.from(
        `annotations:\n  operators.operatorframework.io.bundle.package.v1: ${bundle.package}\n  operators.operatorframework.io.bundle.channels.v1: ${bundle.channels}\n`,
      ),
    ]);
    labels['operators.operatorframework.io.bundle.package.v1'] = bundle.package;
    labels['operators.operatorframework.io.bundle.channels.v1'] = bundle.channels;
  }
  return buildImage(files, { Labels: labels });
}

// Every image the catalogs built so far name, by digest.
const imagesByDigest = new Map();
const catalogs = new Map();

// ---- the catalog ----------------------------------------------------------------------------

// The whole synthetic index for an OpenShift minor ('4.18'): FBC documents in opm's order.
export function catalogFor(minor) {
  const key = `4.${parseMinor(minor)}`;
  if (!catalogs.has(key)) catalogs.set(key, buildCatalog(key));
  return structuredClone(catalogs.get(key));
}

function buildCatalog(minor) {
  const docs = [];
  const specs = packageSpecs(minor).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const s of specs) {
    docs.push({ schema: 'olm.package', name: s.name, defaultChannel: s.defaultChannel });
    const versions = new Map();
    for (const ch of Object.keys(s.channels).sort()) {
      const list = s.channels[ch];
      docs.push({
        schema: 'olm.channel',
        name: ch,
        package: s.name,
        entries: list.map((v, i) =>
          i === 0 ? { name: `${s.name}.v${v}` } : { name: `${s.name}.v${v}`, replaces: `${s.name}.v${list[i - 1]}` },
        ),
      });
      for (const v of list) versions.set(v, [...(versions.get(v) ?? []), ch]);
    }
    for (const [version, channels] of [...versions].sort((a, b) =>
      `${s.name}.v${a[0]}` < `${s.name}.v${b[0]}` ? -1 : 1,
    )) {
      const ref = (path, image) => {
        imagesByDigest.set(image.digest, image);
        return `registry.redhat.io/${path}@${image.digest}`;
      };
      const bundleImage = ref(
        `${s.ns}/${s.bundle}`,
        relatedImage(`${s.ns}/${s.bundle}`, version, { package: s.name, channels: channels.join(',') }),
      );
      docs.push({
        schema: 'olm.bundle',
        name: `${s.name}.v${version}`,
        package: s.name,
        image: bundleImage,
        properties: [
          { type: 'olm.package', value: { packageName: s.name, version } },
          ...s.requires.map((r) => ({
            type: 'olm.package.required',
            value: { packageName: r, versionRange: s.range },
          })),
        ],
        relatedImages: [
          ...s.images.map(([name, path]) => ({ name, image: ref(path, relatedImage(path, version)) })),
          { name: '', image: bundleImage },
        ],
      });
    }
  }
  return docs;
}

// The packages named and, transitively, those their bundles require (olm.package.required), in
// the order found. oc-mirror v2 does NOT add these itself (see filterPackages): an
// ImageSetConfiguration lists every one, as Red Hat's ODF docs list ODF's.
export function withDependencies(minor, names) {
  const docs = catalogFor(minor);
  const out = [...names];
  for (let i = 0; i < out.length; i++)
    for (const b of docs.filter((d) => d.schema === 'olm.bundle' && d.package === out[i]))
      for (const p of b.properties)
        if (p.type === 'olm.package.required' && !out.includes(p.value.packageName)) out.push(p.value.packageName);
  return out;
}

// OLM's channel head: the entry no other entry replaces or skips.
function channelHead(ch) {
  const replaced = new Set(ch.entries.flatMap((e) => [e.replaces, ...(e.skips ?? [])].filter(Boolean)));
  const heads = ch.entries.filter((e) => !replaced.has(e.name));
  if (heads.length !== 1)
    throw new Error(
      heads.length
        ? `multiple channel heads found in graph: ${heads.map((h) => h.name).join(', ')}`
        : 'no channel head found in graph',
    );
  return heads[0];
}

// oc-mirror v2's filter for one catalog entry of an ImageSetConfiguration, without version
// ranges: `packages` as mirror.operators[].packages ([{name, channels?: [{name}],
// defaultChannel?}]), `full` as its full. As catalog-filter's mirrorFilter.FilterCatalog:
// - a package not in the catalog is left out without a word (filterByPackageAndChannels);
// - a package with channels keeps those, without, all its channels; no packages keeps all;
// - each kept channel keeps its head only (filterChannelHead), or every entry with full;
// - the package's defaultChannel becomes the one configured, which must be kept ("specified
//   default channel override %q does not exist in the filtered output"); without one, the
//   catalog's must be kept ("the default channel %q was filtered out, a new default channel
//   must be configured for this package"), wrapped as oc-mirror wraps it ("failed to filter
//   catalog: invalid default channel configuration for package %q: ...");
// - dependencies (olm.package.required) are NOT followed: nothing in oc-mirror v2 reads them
//   (skipDependencies in type_config.go is v1's), so a package a kept bundle requires is
//   missing unless listed;
// - no bundle left is oc-mirror's "no related images found" (getRelatedImagesFromCatalog).
// Returns the kept documents in opm's order (WriteFS).
export function filterPackages(minor, packages = [], full = false) {
  const docs = catalogFor(minor);
  const configs = new Map(packages.map((p) => [p.name, p]));
  const kept = (name) => configs.size === 0 || configs.has(name);
  const out = [];
  for (const pkg of docs.filter((d) => d.schema === 'olm.package' && kept(d.name))) {
    const config = configs.get(pkg.name);
    const wanted = config?.channels?.length ? new Set(config.channels.map((c) => c.name)) : undefined;
    const channels = docs.filter(
      (d) => d.schema === 'olm.channel' && d.package === pkg.name && (!wanted || wanted.has(d.name)),
    );
    const names = new Set(channels.map((c) => c.name));
    if (config) {
      const bad = (why) => {
        throw new Error(
          `failed to filter catalog: invalid default channel configuration for package "${pkg.name}": ${why}`,
        );
      };
      if (config.defaultChannel) {
        if (!names.has(config.defaultChannel))
          bad(`specified default channel override "${config.defaultChannel}" does not exist in the filtered output`);
        pkg.defaultChannel = config.defaultChannel;
      } else if (!names.has(pkg.defaultChannel))
        bad(
          `the default channel "${pkg.defaultChannel}" was filtered out, a new default channel must be configured for this package`,
        );
    }
    const bundles = new Set();
    for (const ch of channels) {
      if (!full) ch.entries = [channelHead(ch)];
      for (const e of ch.entries) bundles.add(e.name);
    }
    out.push(
      pkg,
      ...channels,
      ...docs.filter((d) => d.schema === 'olm.bundle' && d.package === pkg.name && bundles.has(d.name)),
    );
  }
  if (!out.some((d) => d.schema === 'olm.bundle')) throw new Error('no related images found');
  return out;
}

// The documents oc-mirror v2 keeps for packages named with at most a channel each, as fyr
// writes them: {name, channel?, defaultChannel?} is {name, channels: [{name: channel}],
// defaultChannel: defaultChannel ?? channel}. See filterPackages: a package without a channel
// keeps the head of every channel, and required packages are not added (withDependencies).
export function filterCatalog(minor, wanted) {
  return filterPackages(
    minor,
    wanted.map((w) =>
      w.channel
        ? { name: w.name, channels: [{ name: w.channel }], defaultChannel: w.defaultChannel ?? w.channel }
        : { name: w.name, ...(w.defaultChannel ? { defaultChannel: w.defaultChannel } : {}) },
    ),
  );
}

// The catalog image of `docs`: one layer holding configs/<package>/catalog.json, each as opm's
// WriteJSON writes it; the configs label and opm's serve command as oc-mirror's rebuilt catalog
// has them (internal/pkg/imagebuilder/catalog_builder.go; it keeps the source image's layers
// under a whiteout of configs/, which this synthetic one has no need of).
function catalogImage(docs) {
  const byPackage = new Map();
  for (const d of docs) {
    const pkg = d.schema === 'olm.package' ? d.name : d.package;
    byPackage.set(pkg, [...(byPackage.get(pkg) ?? []), d]);
  }
  const files = [...byPackage.keys()].sort().map((pkg) => [
    `configs/${pkg}/catalog.json`,
    Buffer.from(
      byPackage
        .get(pkg)
        .map((d) => `${JSON.stringify(d, null, 4)}\n`)
        .join(''),
    ),
  ]);
  return buildImage(files, {
    Labels: { [CONFIGS_LABEL]: '/configs' },
    Entrypoint: ['/bin/opm'],
    Cmd: ['serve', '/configs', '--cache-dir=/tmp/cache'],
  });
}

export function catalogImageDigest(docs) {
  return catalogImage(docs).digest;
}

export function writeCatalogImage(layoutDir, docs) {
  return putImage(layoutDir, catalogImage(docs));
}

// The synthetic image a catalog names (bundle image or related image, by digest).
export function writeRelatedImage(layoutDir, ref) {
  const digest = /@(sha256:[0-9a-f]{64})$/.exec(ref)?.[1];
  if (digest && !imagesByDigest.has(digest)) for (let y = 10; y <= 30; y++) catalogFor(`4.${y}`);
  const image = digest && imagesByDigest.get(digest);
  if (!image) throw new Error(`catalog: ${ref} is not an image the synthetic catalog names`);
  return putImage(layoutDir, image);
}

// ---- reading a registry's storage tree -------------------------------------------------------

const V2 = 'docker/registry/v2';

function treeBlob(treeRoot, digest, what) {
  const hex = digest.slice('sha256:'.length);
  const file = join(treeRoot, V2, 'blobs/sha256', hex.slice(0, 2), hex, 'data');
  if (!existsSync(file)) throw new Error(`${what} ${digest}: blob unknown (no ${file})`);
  return readFileSync(file);
}

// The manifest digest `reference` (tag or sha256:...) names in `repo`, or undefined.
function manifestDigest(treeRoot, repo, reference) {
  const manifests = join(treeRoot, V2, 'repositories', repo, '_manifests');
  const digest = reference.startsWith('sha256:')
    ? reference
    : existsSync(join(manifests, 'tags', reference, 'current/link'))
      ? readFileSync(join(manifests, 'tags', reference, 'current/link'), 'utf8').trim()
      : undefined;
  if (!digest || !existsSync(join(manifests, 'revisions/sha256', digest.slice('sha256:'.length), 'link')))
    return undefined;
  return digest;
}

export function imageInTree(treeRoot, repo, digest) {
  const found = manifestDigest(treeRoot, repo, digest);
  if (!found) return false;
  const hex = found.slice('sha256:'.length);
  return existsSync(join(treeRoot, V2, 'blobs/sha256', hex.slice(0, 2), hex, 'data'));
}

// The manifest (an image's, or the linux/amd64 one of an index) and its config.
function readImage(treeRoot, repo, reference) {
  const digest = manifestDigest(treeRoot, repo, reference);
  if (!digest) throw new Error(`${repo}:${reference}: manifest unknown in ${treeRoot}`);
  let manifest = JSON.parse(treeBlob(treeRoot, digest, 'manifest').toString());
  if (manifest.manifests) {
    const pick =
      manifest.manifests.find((m) => m.platform?.os === 'linux' && m.platform?.architecture === 'amd64') ??
      manifest.manifests[0];
    if (!pick || !manifestDigest(treeRoot, repo, pick.digest))
      throw new Error(`${repo}@${pick?.digest}: manifest unknown in ${treeRoot}`);
    manifest = JSON.parse(treeBlob(treeRoot, pick.digest, 'manifest').toString());
  }
  const layerLinked = (d) =>
    existsSync(join(treeRoot, V2, 'repositories', repo, '_layers/sha256', d.slice('sha256:'.length), 'link'));
  for (const d of [manifest.config.digest, ...manifest.layers.map((l) => l.digest)])
    if (!layerLinked(d)) throw new Error(`${repo}: blob ${d} unknown to the repository (no _layers link)`);
  const config = JSON.parse(treeBlob(treeRoot, manifest.config.digest, 'config').toString());
  return { manifest, config };
}

// An image's config (labels under config.Labels) as the tree holds it; throws when it does not.
export function imageConfig(treeRoot, repo, reference) {
  return readImage(treeRoot, repo, reference).config;
}

// The regular files of a tar, whiteouts applied to `files` (a Map) as OCI layers are.
function untar(buf, files) {
  let longName;
  let paxPath;
  for (let off = 0; off + 512 <= buf.length;) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a, n) =>
      h
        .subarray(a, a + n)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(str(124, 12).trim() || '0', 8);
    const type = str(156, 1) || '0';
    const prefix = h.subarray(257, 263).toString('latin1').startsWith('ustar') ? str(345, 155) : '';
    let name = longName ?? paxPath ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
    const data = buf.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    if (type === 'x') {
      paxPath = /\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1];
      continue;
    }
    longName = paxPath = undefined;
    name = name.replace(/^\.?\//, '');
    const slash = name.lastIndexOf('/');
    const base = name.slice(slash + 1);
    const parent = slash >= 0 ? name.slice(0, slash + 1) : '';
    if (base === '.wh..wh..opq') {
      for (const k of [...files.keys()]) if (k.startsWith(parent)) files.delete(k);
    } else if (base.startsWith('.wh.')) {
      const gone = parent + base.slice(4);
      for (const k of [...files.keys()]) if (k === gone || k.startsWith(`${gone}/`)) files.delete(k);
    } else if (type === '0' || type === '7') files.set(name, Buffer.from(data));
  }
  return files;
}

export function readImageFiles(treeRoot, repo, reference) {
  const { manifest } = readImage(treeRoot, repo, reference);
  const files = new Map();
  for (const l of manifest.layers) {
    const blob = treeBlob(treeRoot, l.digest, 'layer');
    untar(blob[0] === 0x1f && blob[1] === 0x8b ? gunzipSync(blob) : blob, files);
  }
  return files;
}

// JSON values one after another (opm's catalog.json).
function parseJsonStream(text, file) {
  const out = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (--depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
    } else if (depth === 0 && !/\s/.test(c)) throw new Error(`${file}: not a stream of JSON objects at ${i}`);
  }
  if (depth !== 0) throw new Error(`${file}: truncated JSON`);
  return out;
}

// The FBC documents of a catalog image in the tree: every catalog.json or catalog.yaml under
// the directory its configs label names (configs/ without one), by path.
export function readCatalog(treeRoot, repo, tag) {
  const { config } = readImage(treeRoot, repo, tag);
  const dir = (config.config?.Labels?.[CONFIGS_LABEL] ?? '/configs').replace(/^\/+|\/+$/g, '');
  const files = readImageFiles(treeRoot, repo, tag);
  const docs = [];
  for (const path of [...files.keys()].sort()) {
    if (!path.startsWith(`${dir}/`)) continue;
    const text = files.get(path).toString('utf8');
    if (path.endsWith('.json')) docs.push(...parseJsonStream(text, path));
    else if (path.endsWith('.yaml') || path.endsWith('.yml'))
      docs.push(
        ...parseAllDocuments(text)
          .map((d) => d.toJS())
          .filter((d) => d),
      );
  }
  return docs;
}

// Every repository of a tree (the paths under repositories/ that hold _manifests).
export function treeRepositories(treeRoot) {
  const base = join(treeRoot, V2, 'repositories');
  const out = [];
  const walk = (rel) => {
    for (const e of readdirSync(join(base, rel), { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      if (e.name === '_manifests') out.push(rel);
      else if (!e.name.startsWith('_')) walk(rel ? `${rel}/${e.name}` : e.name);
    }
  };
  if (existsSync(base)) walk('');
  return out.sort();
}
