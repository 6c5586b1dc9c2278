// fyr content --from and --delta-from end to end on the connected side's stand-ins: the
// oc-mirror double resolves the channels on its synthetic update graph (test/doubles/graph.mjs)
// and pushes each release on the path with the real skopeo into the real registry; fyr reads the
// hops back from the tree, verifies each hop's signature with the real gpg, keeps each one's
// ConfigMap and records the path; a delta against the 4.18.9 content (and against its release
// ISO, read without mounting) keeps only the new files and records the merged tree's hash; fyr
// release carries both into release.json and fyr inspect shows them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { readBase } from '../../src/content/delta.js';
import { loadContent } from '../../src/release/content.js';
import { mergeListings } from '../../src/release/content-upgrade.js';
import { treeHash } from '../../src/registry/tree.js';
import { connectedSide, contentArgs, type Connected } from '../helpers/connected.js';
import { spawnCli } from '../helpers/cli.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';
import { ISO_FIXTURE_DIR } from '../tools/iso-fixtures.js';

let dir = '';
let c: Connected;
const digests: Record<string, string> = {};

test.before(async () => {
  dir = await makeTmpdir();
  c = await connectedSide(join(dir, 'side'));
  digests['4.18.9'] = c.digest;
  for (const v of ['4.18.12', '4.19.3']) digests[v] = await c.signRelease(v);
});
test.after(async () => {
  await c.close();
  await removeTmpdir(dir);
});

// fyr content for `version`; `more` after the connected side's options.
const content = (out: string, version: string, more: string[] = []) => {
  const argv = contentArgs(c, out, ['--retry-delay', '0', '--mirror-runs', '1', ...more]);
  argv[argv.indexOf('--openshift') + 1] = version;
  return spawnCli(argv, c.env);
};
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const release = (from: string, out: string) =>
  spawnCli(
    ['release', '--base', join(ISO_FIXTURE_DIR, 'el9.iso'), '--content', from, '-o', out, '--no-checksum'],
    c.env,
  );

test('content upgrade :: 4.18.9 → 4.18.12 → 4.19.3: hops recorded, each signature verified and kept; a delta on 4.18.9 holds only what is new', async () => {
  const old = join(dir, 'old');
  const base = await content(old, '4.18.9');
  assert.is(base.code, 0, base.stderr);

  const full = join(dir, 'full');
  const requestsBefore = c.requests.length;
  const r = await content(full, '4.19.3', ['--from', '4.18.9']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, '  upgrade     4.18.9 → 4.18.12 → 4.19.3 (2 hops)\n');
  const m = json(join(full, 'fyr-content.json'));
  assert.is(m.release.openshift, '4.19.3');
  assert.equal(m.upgrade, {
    from: '4.18.9',
    hops: ['4.18.12', '4.19.3'].map((v) => ({
      version: v,
      image: `quay.io/openshift-release-dev/ocp-release@${digests[v]}`,
      signature: 'verified',
      signatureFile: `mirror/signatures/${v}.yaml`,
      releaseTag: `openshift/release-images:${v}-x86_64`,
    })),
  });
  // Each hop's ConfigMap: the signature the store served for its digest.
  for (const v of ['4.18.12', '4.19.3']) {
    const cm = parse(readFileSync(join(full, `mirror/signatures/${v}.yaml`), 'utf8'));
    const hex = digests[v]!.slice('sha256:'.length);
    assert.is(cm.metadata.namespace, 'openshift-config-managed');
    assert.is(cm.metadata.labels['release.openshift.io/verification-signatures'], '');
    assert.ok(
      Buffer.from(cm.binaryData[`sha256-${hex}-1`], 'base64').equals(readFileSync(join(c.dir, `signature-${v}`))),
      v,
    );
    assert.ok(
      m.files.some(
        (f: { path: string; role: string }) =>
          f.path === `mirror/signatures/${v}.yaml` && f.role === 'upgrade-signature',
      ),
    );
    // fyr asked the store for each hop's signature itself (oc-mirror too, through OCP_SIGNATURE_URL).
    assert.ok(
      c.requests.slice(requestsBefore).some((q) => q.path.includes(hex) && q.status === 200),
      v,
    );
  }
  const loaded = await loadContent(full);
  assert.is(loaded.upgrade?.hops.length, 2);

  // The delta on the 4.18.9 content: only files the old tree lacks (path and sha256).
  const delta = join(dir, 'delta');
  const d = await content(delta, '4.19.3', ['--from', '4.18.9', '--delta-from', old]);
  assert.is(d.code, 0, d.stderr);
  const dm = json(join(delta, 'fyr-content.json'));
  const oldTree = (await loadContent(old)).tree!;
  const fullTree = (await loadContent(full)).tree!;
  const deltaTree = (await loadContent(delta)).tree!;
  const had = new Map(oldTree.entries.map((f) => [f.path, f.sha256]));
  assert.ok(deltaTree.entries.length > 0 && deltaTree.entries.length < fullTree.entries.length);
  for (const f of deltaTree.entries) assert.not.ok(had.get(f.path) === f.sha256, `${f.path} is in the base`);
  // Nothing new left out: full = delta + what the base has.
  const inDelta = new Set(deltaTree.entries.map((f) => f.path));
  for (const f of fullTree.entries) assert.ok(inDelta.has(f.path) || had.get(f.path) === f.sha256, f.path);
  const merged = treeHash(mergeListings(oldTree.entries, fullTree.entries));
  assert.equal(dm.registry.delta, {
    base: { name: 'ocp-4.18.9-x86_64', openshift: '4.18.9', treeSha256: oldTree.sha256, files: oldTree.files },
    mergedSha256: merged.sha256,
    mergedFiles: merged.files,
  });
  assert.equal(dm.upgrade, m.upgrade);
  assert.is(dm.registry.sha256, treeHash(deltaTree.entries).sha256);

  // fyr release of the old content: its ISO, read without mounting, is the same base.
  const oldIso = join(dir, 'old.iso');
  assert.is((await release(old, oldIso)).code, 0);
  const fromIso = await readBase(oldIso);
  assert.equal(fromIso.base, dm.registry.delta.base);
  assert.equal(fromIso.files, oldTree.entries);

  // fyr release of the delta: release.json carries the path and the delta; inspect shows both.
  const iso = join(dir, 'delta.iso');
  const made = await release(delta, iso);
  assert.is(made.code, 0, made.stderr);
  const inspected = await spawnCli(['inspect', iso, '--json']);
  assert.is(inspected.code, 0, inspected.stderr);
  const info = JSON.parse(inspected.stdout).release;
  assert.equal(info.upgrade, m.upgrade);
  assert.equal(info.registry.delta, dm.registry.delta);
  assert.is(info.registry.files, deltaTree.files);
  assert.ok(info.payload.some((p: { path: string }) => p.path.endsWith('/mirror/signatures/4.18.12.yaml')));
  assert.ok(info.payload.some((p: { role: string }) => p.role === 'registry-base'));
  const text = (await spawnCli(['inspect', iso])).stdout;
  assert.match(text, '  upgrade     4.18.9 → 4.18.12 → 4.19.3 (2 hops)\n');
  assert.match(text, `  delta       on ocp-4.18.9-x86_64 (${deltaTree.files} files, `);
  assert.ok(existsSync(join(delta, 'mirror/registry-base.tsv')));
});

test('content upgrade :: refusals before anything is fetched: a skipped minor (named), a downgrade, the same version, a bad OLD', async () => {
  const out = join(dir, 'refused');
  const skipped = await content(out, '4.19.3', ['--from', '4.17.25']);
  assert.is(skipped.code, 2);
  assert.match(
    skipped.stderr,
    '4.17 → 4.19 needs a 4.18 release: add --via 4.18.z (a 4.18 release 4.17.25 updates to) [UPGRADE_PATH_INVALID]',
  );
  const down = await content(out, '4.18.9', ['--from', '4.19.3']);
  assert.match(down.stderr, '--from 4.19.3 is newer than --openshift 4.18.9: OpenShift does not downgrade');
  const same = await content(out, '4.18.9', ['--from', '4.18.9']);
  assert.match(same.stderr, 'nothing to upgrade [UPGRADE_PATH_INVALID]');
  const notContent = await content(out, '4.19.3', ['--from', '4.18.9', '--delta-from', c.dir]);
  assert.is(notContent.code, 1);
  assert.match(
    notContent.stderr,
    `--delta-from ${c.dir}: not a fyr content directory (no fyr-content.json) [DELTA_BASE_INVALID]`,
  );
  const notIso = await content(out, '4.19.3', ['--from', '4.18.9', '--delta-from', c.pullSecret]);
  assert.match(notIso.stderr, 'not a fyr release ISO');
  const arch = await content(out, '4.19.3', [
    '--from',
    '4.18.9',
    '--delta-from',
    join(dir, 'old'),
    '--arch',
    'aarch64',
  ]);
  assert.match(arch.stderr, 'ocp-4.18.9-x86_64 is a release for x86_64, not aarch64 [DELTA_BASE_INVALID]');
  assert.not.ok(existsSync(out));
});

test.run();
