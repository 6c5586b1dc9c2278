// An upgrade stick's registry tree merged into the tree the bastion's registry serves, with the
// real registry (read-only, as on the bastion) serving it and pulls of both releases going on
// throughout: none fails, the new release is pullable after (the real skopeo), a tag both
// trees hold is moved atomically; a kill (in the callback, and a real SIGKILL) resumes without
// copying a file twice; a damaged blob on the stick stops the merge before any link names it;
// a conflicting blob or a wrong merged tree hash is refused with nothing changed; after a power
// cut the blobs it wrote that no barrier covered are checked again and copied again if damaged;
// the check's hashes spare a read-back, never a wrong blob.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MERGE_TEMP, MergeError, mergeTree } from '../../../src/agent/upgrade/merge.js';
import { blobDigest, listTree, treeHash, verifyTree, type HashedFile } from '../../../src/registry/tree.js';
import { writeLayout } from '../../doubles/oci.mjs';
import { pushRelease, skopeo, startRegistry } from '../../helpers/registry.js';
import { makeTmpdir, removeTmpdir } from '../../helpers/tmpdir.js';

const OLD = 'openshift/release-images:4.18.9-x86_64';
const NEW = 'openshift/release-images:4.18.12-x86_64';
const OLD_COMPONENT = 'openshift/release:4.18.9-x86_64-etcd';
const NEW_COMPONENT = 'openshift/release:4.18.12-x86_64-hyperkube';
// A tag both trees hold with other content, as a catalog's :v4.18 is.
const CATALOG = 'redhat/redhat-operator-index:v4.18';
const ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json';

let dir = '';
// The old release's tree (the bastion's copy) and the new release's (the stick's): the new one
// carries one image of the old release too (shared blobs and links) and :v4.18 moved.
let oldTree = '';
let newTree = '';
let oldHashed: HashedFile[] = [];
let newHashed: HashedFile[] = [];
// The union: the old tree's files, the new tree's over them (what a delta's mergedSha256 is).
let union = { files: 0, sha256: '' };
const BIG = 'openshift/release:4.18.12-x86_64-big';

test.before(async () => {
  dir = await makeTmpdir();
  oldTree = join(dir, 'old');
  newTree = join(dir, 'new');
  const a = await startRegistry(oldTree, { dir });
  const b = await startRegistry(newTree, { dir });
  try {
    await pushRelease(a.host, join(dir, 'oci-old'), '4.18.9', 'x86_64', 256 << 10);
    await pushRelease(b.host, join(dir, 'oci-new'), '4.18.12', 'x86_64', 256 << 10);
    // One layer of 9 MiB: a blob copied in several chunks.
    writeLayout(join(dir, 'oci-big'), [{ ref: BIG.split(':')[1]!, layers: [9 << 20] }]);
    const copy = async (layout: string, ref: string, host: string, to: string) => {
      const r = await skopeo([
        'copy',
        '--quiet',
        '--preserve-digests',
        '--dest-tls-verify=false',
        `oci:${layout}:${ref}`,
        `docker://${host}/${to}`,
      ]);
      if (r.exitCode !== 0) throw new Error(r.all);
    };
    await copy(join(dir, 'oci-old'), 'release-4.18.9-x86_64', a.host, CATALOG);
    await copy(join(dir, 'oci-new'), 'release-4.18.12-x86_64', b.host, CATALOG);
    await copy(join(dir, 'oci-old'), '4.18.9-x86_64-etcd', b.host, OLD_COMPONENT);
    await copy(join(dir, 'oci-big'), BIG.split(':')[1]!, b.host, BIG);
  } finally {
    await a.stop();
    await b.stop();
  }
  oldHashed = await hashed(oldTree);
  newHashed = await hashed(newTree);
  const m = new Map<string, HashedFile>();
  for (const f of [...oldHashed, ...newHashed]) m.set(f.path, f);
  union = treeHash([...m.values()].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0)));
});

test.after(async () => {
  await removeTmpdir(dir);
});

// A fresh bastion copy of the old release, its install-time journal (as tree-copy.ts writes it).
function bastion(name: string): { to: string; installJournal: string } {
  const to = join(dir, name);
  cpSync(oldTree, to, { recursive: true });
  const installJournal = join(dir, `${name}.copied`);
  writeFileSync(installJournal, oldHashed.map((f) => `${f.path}\0${f.size}\0${f.sha256}\n`).join(''));
  return { to, installJournal };
}

async function hashed(root: string): Promise<HashedFile[]> {
  return (await listTree(root)).map((f) => ({
    ...f,
    sha256: createHash('sha256')
      .update(readFileSync(join(root, f.path)))
      .digest('hex'),
  }));
}

// One pull as a node makes it: the manifest by tag, then the config and every layer, each
// checked against its digest. The manifest's digest, or the reason it failed.
async function pull(host: string, ref: string): Promise<{ ok: true; digest: string } | { ok: false; why: string }> {
  const [repo, tag] = ref.split(':') as [string, string];
  try {
    const m = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, { headers: { accept: ACCEPT } });
    if (m.status !== 200) return { ok: false, why: `manifest ${m.status}` };
    const body = Buffer.from(await m.arrayBuffer());
    const doc = JSON.parse(body.toString('utf8')) as { config: { digest: string }; layers: Array<{ digest: string }> };
    for (const d of [doc.config.digest, ...doc.layers.map((l) => l.digest)]) {
      const b = await fetch(`http://${host}/v2/${repo}/blobs/${d}`);
      if (b.status !== 200) return { ok: false, why: `blob ${d} ${b.status}` };
      const sum = `sha256:${createHash('sha256')
        .update(Buffer.from(await b.arrayBuffer()))
        .digest('hex')}`;
      if (sum !== d) return { ok: false, why: `blob ${d} read as ${sum}` };
    }
    return { ok: true, digest: `sha256:${createHash('sha256').update(body).digest('hex')}` };
  } catch (err) {
    return { ok: false, why: (err as Error).message };
  }
}

const digestOf = async (tree: string, ref: string): Promise<string> => {
  const [repo, tag] = ref.split(':') as [string, string];
  return readFileSync(
    join(tree, 'docker/registry/v2/repositories', repo, '_manifests/tags', tag, 'current/link'),
    'utf8',
  );
};

test('merge :: the registry keeps serving both releases while the new tree is merged in; :v4.18 moves atomically; skopeo pulls both after', async () => {
  const { to, installJournal } = bastion('served');
  const r = await startRegistry(to, { dir, readonly: true });
  const oldCatalog = await digestOf(oldTree, CATALOG);
  const newCatalog = await digestOf(newTree, CATALOG);
  let stop = false;
  let during = 0;
  const failed: string[] = [];
  const seen = new Set<string>();
  const newPullable = new Map<string, boolean>();
  const loop = (async () => {
    while (!stop) {
      for (const ref of [OLD, OLD_COMPONENT, CATALOG, NEW, NEW_COMPONENT]) {
        const p = await pull(r.host, ref);
        if (ref === NEW || ref === NEW_COMPONENT) {
          // The new release appears at some point of the merge (its tag last), whole, and never
          // goes away again.
          if (p.ok) newPullable.set(ref, true);
          else if (newPullable.get(ref) || p.why !== 'manifest 404') failed.push(`${ref}: ${p.why}`);
        } else if (!p.ok) failed.push(`${ref}: ${p.why}`);
        else if (ref === CATALOG) {
          seen.add(p.digest);
          if (p.digest !== oldCatalog && p.digest !== newCatalog) failed.push(`${CATALOG} served as ${p.digest}`);
        }
        during++;
      }
    }
  })();
  try {
    const expected = union;
    const journal = join(dir, 'served.merged');
    // Slowed down (as a stick is slow): pulls go on between every two files.
    const result = await mergeTree(newTree, to, journal, expected, () => new Promise((x) => setTimeout(x, 25)), {
      known: [installJournal],
    });
    // A few more rounds after it: the pulls go on through the end of the merge.
    for (const until = during + 15; during < until;) await new Promise((x) => setTimeout(x, 10));
    stop = true;
    await loop;
    assert.equal(failed, [], failed.join('\n'));
    assert.ok(during >= 50, `only ${during} pulls during the merge`);
    assert.equal(result.replaced, 1);
    assert.ok(result.skipped > 0 && result.copied > 0);
    // Both catalogs were served during the merge: it moved while pulls went on.
    assert.ok(seen.has(oldCatalog) && seen.has(newCatalog), [...seen].join(' '));
    const merged = await verifyTree(to);
    assert.equal(merged.problems, []);
    assert.is(merged.summary.sha256, expected.sha256);
    for (const ref of [OLD, OLD_COMPONENT, NEW, NEW_COMPONENT, CATALOG])
      assert.ok((await pull(r.host, ref)).ok, `${ref} after the merge`);
    // The real client pulls both releases whole.
    for (const ref of [OLD, NEW]) {
      const out = join(dir, 'pulled', ref.replace(/[/:]/g, '_'));
      mkdirSync(out, { recursive: true });
      const c = await skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${r.host}/${ref}`, `dir:${out}`]);
      assert.is(c.exitCode, 0, c.all);
    }
    assert.is(
      (await pull(r.host, CATALOG)).ok && ((await pull(r.host, CATALOG)) as { digest: string }).digest,
      newCatalog,
    );
    // Every file the old release had is still there with its bytes.
    const now = new Map((await hashed(to)).map((f) => [f.path, f.sha256]));
    for (const f of oldHashed)
      if (!f.path.includes(`/${CATALOG.replace(':', '/_manifests/tags/')}/current`))
        assert.is(now.get(f.path), f.sha256, f.path);
  } finally {
    stop = true;
    await loop;
    await r.stop();
  }
});

test('merge :: killed halfway (in the callback, then by SIGKILL), the merge resumes from its journal, copies each file once, leaves no temporary file', async () => {
  const { to, installJournal } = bastion('killed');
  const journal = join(dir, 'killed.merged');
  const expected = union;
  const stopped = new Error('killed');
  const first = await mergeTree(newTree, to, journal, expected, (done) => {
    if (done === 6) throw stopped;
  }).catch((e: unknown) => e);
  assert.is(first, stopped);
  const afterFirst = readFileSync(journal, 'utf8').split('\n').filter(Boolean).length;
  // A blob half-written when the process died, and a temporary file of a path the stick lacks.
  const files = await listTree(newTree);
  const notYet = files.filter((f) => blobDigest(f.path) && !existsSync(join(to, f.path))).at(-1)!;
  mkdirSync(join(to, notYet.path, '..'), { recursive: true });
  writeFileSync(join(to, `${notYet.path}${MERGE_TEMP}`), 'half a blob');
  // A real kill -9 of a second run, a few files further on.
  const child = execa(
    'node',
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { mergeTree } from './src/agent/upgrade/merge.ts';
       await mergeTree(${JSON.stringify(newTree)}, ${JSON.stringify(to)}, ${JSON.stringify(journal)}, ${JSON.stringify(expected)},
         (done) => { if (done >= 6) { process.stdout.write('.'); return new Promise((x) => setTimeout(x, 200)); } });`,
    ],
    { reject: false, all: true },
  );
  let dots = 0;
  child.stdout?.on('data', (d: Buffer) => {
    dots += d.length;
    if (dots >= 3) child.kill('SIGKILL');
  });
  const killed = await child;
  assert.is(killed.signal, 'SIGKILL', killed.all);
  const lines = () => readFileSync(journal, 'utf8').split('\n').filter(Boolean);
  const writes = () =>
    lines()
      .map((l) => l.split('\0'))
      .filter(([, , , action]) => action === 'copied' || action === 'replaced')
      .map(([path]) => path!);
  const beforeKill = writes().length;
  assert.ok(beforeKill >= 1 && lines().length > afterFirst, `${afterFirst} then ${lines().length} journal lines`);
  const second = await mergeTree(newTree, to, journal, expected, undefined, { known: [installJournal] });
  // Nothing copied twice: each path is journalled as written once, by one of the three runs.
  const written = writes();
  assert.is(new Set(written).size, written.length, 'a file was copied twice');
  assert.is(second.copied + second.replaced, written.length - beforeKill);
  // Every file the old tree lacked (or held otherwise) was written by exactly one run.
  const old = new Map(oldHashed.map((f) => [f.path, f.sha256]));
  const needed = newHashed.filter((f) => old.get(f.path) !== f.sha256).map((f) => f.path);
  assert.equal([...written].sort(), needed.sort());
  const merged = await verifyTree(to);
  assert.equal(merged.problems, []);
  assert.is(merged.summary.sha256, expected.sha256);
  assert.not.ok((await listTree(to)).some((f) => f.path.endsWith(MERGE_TEMP)));
});

test('merge :: a blob on the stick whose bytes are not its name stops the merge before any link of the new release is written', async () => {
  const { to } = bastion('corrupt');
  const stick = join(dir, 'corrupt-stick');
  cpSync(newTree, stick, { recursive: true });
  const before = new Map((await hashed(to)).map((f) => [f.path, f.sha256]));
  const blobs = (await listTree(stick)).filter((f) => blobDigest(f.path) && !before.has(f.path));
  const bad = blobs[Math.floor(blobs.length / 2)]!;
  writeFileSync(join(stick, bad.path), Buffer.alloc(bad.size, 7));
  const err = await mergeTree(stick, to, join(dir, 'corrupt.merged'), undefined).catch((e: unknown) => e);
  assert.instance(err, MergeError);
  assert.match((err as Error).message, `${bad.path} on the stick has sha256`);
  const after = await hashed(to);
  assert.not.ok(existsSync(join(to, bad.path)));
  for (const f of after) {
    // Only blobs were added, and the old files are as they were.
    if (before.has(f.path)) assert.is(f.sha256, before.get(f.path), f.path);
    else assert.ok(blobDigest(f.path) || f.path.endsWith(MERGE_TEMP), `${f.path} written after a damaged blob`);
  }
  assert.ok(
    after.some((f) => !before.has(f.path)),
    'the blobs before the damaged one were copied',
  );
});

test('merge :: a blob or a link the bastion holds with other bytes, and a merged tree hash not the stick’s, are refused with nothing changed', async () => {
  const { to } = bastion('conflict');
  const before = await hashed(to);
  // Directories too: the early copies' blob directories are removed with their files.
  const dirsOf = () => readdirSync(to, { recursive: true, withFileTypes: true }).filter((d) => d.isDirectory()).length;
  const dirsBefore = dirsOf();
  const expected = union;
  const stick = join(dir, 'conflict-stick');
  cpSync(newTree, stick, { recursive: true });
  // A blob of the old release, on the stick at another size.
  const shared = (await listTree(stick)).find((f) => blobDigest(f.path) && before.some((b) => b.path === f.path))!;
  writeFileSync(join(stick, shared.path), Buffer.concat([readFileSync(join(stick, shared.path)), Buffer.from('x')]));
  let err = await mergeTree(stick, to, join(dir, 'c1'), expected).catch((e: unknown) => e);
  assert.instance(err, MergeError);
  assert.match((err as Error).message, shared.path);
  assert.match((err as Error).message, 'nothing was changed');
  // A _layers link of the old release naming another blob.
  const link = (await listTree(newTree)).find(
    (f) => f.path.includes('/_layers/') && before.some((b) => b.path === f.path),
  )!;
  rmSync(stick, { recursive: true });
  cpSync(newTree, stick, { recursive: true });
  const other = before.find((b) => blobDigest(b.path) && !link.path.includes(blobDigest(b.path)!))!;
  writeFileSync(join(stick, link.path), `sha256:${blobDigest(other.path)}`);
  err = await mergeTree(stick, to, join(dir, 'c2'), undefined).catch((e: unknown) => e);
  assert.instance(err, MergeError);
  assert.match((err as Error).message, link.path);
  // The stick's tree is right, its merged tree hash is not (a delta built on another base).
  err = await mergeTree(newTree, to, join(dir, 'c3'), { ...expected, sha256: '0'.repeat(64) }).catch((e: unknown) => e);
  assert.instance(err, MergeError);
  assert.match((err as Error).message, `the stick says ${expected.files}, ${'0'.repeat(64)}`);
  err = await mergeTree(newTree, to, join(dir, 'c4'), { ...expected, files: expected.files + 1 }).catch(
    (e: unknown) => e,
  );
  assert.instance(err, MergeError);
  assert.equal(await hashed(to), before);
  assert.is(dirsOf(), dirsBefore, 'a directory left behind');
});

test('merge :: a delta stick (only what the base lacks) merges to its mergedSha256; merged again, nothing is copied', async () => {
  const { to, installJournal } = bastion('delta');
  const base = new Map(oldHashed.map((f) => [f.path, f.sha256]));
  const delta = join(dir, 'delta-stick');
  for (const f of newHashed) {
    if (base.get(f.path) === f.sha256) continue;
    mkdirSync(join(delta, f.path, '..'), { recursive: true });
    cpSync(join(newTree, f.path), join(delta, f.path));
  }
  const expected = union;
  const journal = join(dir, 'delta.merged');
  const r = await mergeTree(delta, to, journal, expected, undefined, { known: [installJournal] });
  assert.equal([r.skipped, r.replaced], [0, 1]);
  assert.is((await verifyTree(to)).summary.sha256, expected.sha256);
  const again = await mergeTree(delta, to, join(dir, 'delta2.merged'), expected, undefined, {
    known: [installJournal, journal],
  });
  assert.equal([again.copied, again.replaced, again.bytes], [0, 0, 0]);
});

test('merge :: after a power cut before its first barrier, the blobs it wrote and the cut damaged are copied again; a blob of the old release never is', async () => {
  const { to, installJournal } = bastion('powercut');
  const journal = join(dir, 'powercut.merged');
  await mergeTree(newTree, to, journal, union, undefined, { known: [installJournal] });
  const lines = readFileSync(journal, 'utf8').split('\n');
  assert.is(lines.filter((l) => l === '#synced').length, 4, 'a mark after each of the four steps');
  // The cut: the journal's lines reached the disk, its marks and two blobs' data did not
  // (one left empty, one of the right size but zeros).
  writeFileSync(journal, lines.filter((l) => l !== '#synced').join('\n'));
  const ours = lines
    .map((l) => l.split('\0'))
    .filter(([p, , , action]) => action === 'copied' && blobDigest(p!))
    .map(([p, size]) => ({ path: p!, size: Number(size) }))
    .filter((f) => f.size > 1024);
  const [emptied, zeroed] = [ours[0]!, ours[1]!];
  writeFileSync(join(to, emptied.path), '');
  writeFileSync(join(to, zeroed.path), Buffer.alloc(zeroed.size));
  const again = await mergeTree(newTree, to, journal, union, undefined, { known: [installJournal] });
  assert.is(again.copied, 2, 'the two damaged blobs, and nothing else, copied again');
  assert.is(again.bytes, emptied.size + zeroed.size);
  const merged = await verifyTree(to);
  assert.equal(merged.problems, []);
  assert.is(merged.summary.sha256, union.sha256);
  // A blob of the old release (no line of this merge names it) damaged the same way is refused.
  const theirs = oldHashed.find(
    (f) => blobDigest(f.path) && newHashed.some((n) => n.path === f.path) && f.size > 1024,
  )!;
  writeFileSync(join(to, theirs.path), Buffer.alloc(theirs.size));
  const err = await mergeTree(newTree, to, join(dir, 'powercut2.merged'), union).catch((e: unknown) => e);
  assert.instance(err, MergeError);
  assert.match((err as Error).message, `${theirs.path} on the bastion has sha256`);
  assert.match((err as Error).message, 'a blob is never overwritten');
});

test('merge :: the check’s hashes of the stick spare the read-back of what they match; a hash that does not match its name spares nothing', async () => {
  const { to, installJournal } = bastion('verified');
  const stick = join(dir, 'verified-stick');
  cpSync(newTree, stick, { recursive: true });
  const checked = await verifyTree(stick);
  const verified = new Map(checked.hashed.map((f) => [f.path, f.sha256]));
  const r = await mergeTree(stick, to, join(dir, 'verified.merged'), union, undefined, {
    known: [installJournal],
    verified,
  });
  assert.ok(r.copied > 0);
  assert.is((await verifyTree(to)).summary.sha256, union.sha256);
  // The stick changed after the check: the check's hash is its old bytes', not the blob's name.
  const { to: to2 } = bastion('verified2');
  const big = (await listTree(stick)).find((f) => blobDigest(f.path) && f.size > 1 << 20)!;
  const bytes = readFileSync(join(stick, big.path));
  bytes[100] = bytes[100]! ^ 1;
  writeFileSync(join(stick, big.path), bytes);
  const sum = createHash('sha256').update(bytes).digest('hex');
  const err = await mergeTree(stick, to2, join(dir, 'verified2.merged'), union, undefined, {
    known: [installJournal],
    verified: new Map([...verified, [big.path, sum]]),
  }).catch((e: unknown) => e);
  assert.instance(err, MergeError);
  assert.match((err as Error).message, `${big.path} on the stick has sha256 ${sum}`);
});

test.run();
