// The registry tree listed by the real find(1) gives what listTree gives: the same files, sizes
// and modes in the same order, _uploads left out, the same refusals; and listTree stands in
// when find is not installed.
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findArgs, findTree, parseFindListing } from '../../src/registry/tree-find.js';
import { listTree, TreeError } from '../../src/registry/tree.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const V2 = 'docker/registry/v2';

function put(root: string, path: string, text: string, mode = 0o644): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
  chmodSync(join(root, path), mode);
}

// A tree with what a listing must get right: depth, odd names, modes, an empty file, uploads.
function oddTree(root: string): void {
  const hex = 'ab'.padEnd(64, '3');
  put(root, `${V2}/blobs/sha256/ab/${hex}/data`, 'layer bytes');
  put(root, `${V2}/repositories/openshift/release/_manifests/tags/4.18.9/current/link`, `sha256:${hex}`);
  put(root, `${V2}/repositories/a b/_layers/sha256/${hex}/link`, `sha256:${hex}`, 0o600);
  put(root, `${V2}/repositories/ünïcode/x\ny`, 'newline in a name', 0o755);
  put(root, `${V2}/repositories/setuid`, 's', 0o4755);
  put(root, `${V2}/empty`, '');
  put(root, `${V2}/repositories/openshift/release/_uploads/0001/data`, 'half an upload');
  put(root, `${V2}/_uploads`, 'a file called _uploads');
}

test('tree-find :: the argv: no links followed, uploads pruned, NUL-ended records into a file', () => {
  assert.equal(findArgs('/stick/registry', '/tmp/fyr-find-x/listing'), [
    '-P',
    '/stick/registry',
    '-mindepth',
    '1',
    '(',
    '-name',
    '_uploads',
    '-prune',
    ')',
    '-o',
    '-fprintf',
    '/tmp/fyr-find-x/listing',
    '%y %m %s %P\\0',
  ]);
  // A relative root could read as an option or an expression.
  assert.throws(() => findArgs('registry', '/tmp/x'), /not absolute/);
});

test("tree-find :: find's records: a mode with S_IFREG, spaces kept in a path, directories skipped", () => {
  const out = Buffer.from([`d 755 4096 ${V2}`, `f 4755 3 ${V2}/a b c`, `f 644 0 ${V2}/e`, ''].join('\0'), 'utf8');
  assert.equal(parseFindListing('/r', out, true), [
    { path: `${V2}/a b c`, size: 3, mode: 0o104755 },
    { path: `${V2}/e`, size: 0, mode: 0o100644 },
  ]);
  assert.equal(parseFindListing('/r', out, false), [
    { path: `${V2}/a b c`, size: 3 },
    { path: `${V2}/e`, size: 0 },
  ]);
  assert.throws(() => parseFindListing('/r', Buffer.from(`f 644 3 ${V2}/a`), true), /middle of a record/);
});

test('tree-find :: the same listing as listTree, modes included, on a tree with odd names', async () => {
  const dir = await makeTmpdir();
  try {
    oddTree(dir);
    const listed = await listTree(dir, true);
    assert.equal(await findTree(dir, true), listed);
    assert.equal(await findTree(dir, false), await listTree(dir, false));
    // What the test rests on: the uploads are there to be left out, and the odd names are in.
    assert.not.ok(listed.some((f) => f.path.includes('_uploads')));
    assert.ok(listed.some((f) => f.path.endsWith('x\ny')));
    assert.is(listed.find((f) => f.path.endsWith('setuid'))?.mode, 0o104755);
    assert.ok((await execa('find', [dir, '-name', '_uploads'])).stdout.includes('_uploads'));
  } finally {
    await removeTmpdir(dir);
  }
});

test('tree-find :: links and special files are refused as listTree refuses them', async () => {
  const dir = await makeTmpdir();
  try {
    oddTree(dir);
    symlinkSync('/etc/passwd', join(dir, V2, 'repositories', 'passwd'));
    await execa('mkfifo', [join(dir, V2, 'fifo')]);
    const refusal = async (list: () => Promise<unknown>) => {
      const err = await list().then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.instance(err, TreeError);
      return { message: (err as TreeError).message, problems: (err as TreeError).problems };
    };
    const expected = await refusal(() => listTree(dir, true));
    assert.equal(expected.problems, [
      `${V2}/fifo: not a regular file or directory`,
      `${V2}/repositories/passwd: not a regular file or directory`,
    ]);
    assert.equal(await refusal(() => findTree(dir, true)), expected);
  } finally {
    await removeTmpdir(dir);
  }
});

test('tree-find :: a directory that is no registry tree is refused by both', async () => {
  const dir = await makeTmpdir();
  try {
    put(dir, 'elsewhere/file', 'x');
    const message = (e: unknown) => (e as Error).message;
    const expected = await listTree(dir).catch(message);
    assert.match(String(expected), /is not a registry storage tree/);
    assert.is(await findTree(dir, false).catch(message), expected);
  } finally {
    await removeTmpdir(dir);
  }
});

test('tree-find :: without find on PATH, the tree is listed in process all the same', async () => {
  const dir = await makeTmpdir();
  const path = process.env.PATH;
  try {
    oddTree(dir);
    const listed = await listTree(dir, true);
    process.env.PATH = join(dir, 'no-such-bin');
    assert.equal(await findTree(dir, true), listed);
  } finally {
    process.env.PATH = path;
    await removeTmpdir(dir);
  }
});

test('tree-find :: a find that fails (no -fprintf, as BusyBox) leaves the listing to listTree', async () => {
  const dir = await makeTmpdir();
  const path = process.env.PATH;
  try {
    const tree = join(dir, 'tree');
    oddTree(tree);
    const listed = await listTree(tree, true);
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'find'), '#!/bin/sh\necho "find: unrecognized: -fprintf" >&2\nexit 1\n', { mode: 0o755 });
    process.env.PATH = `${bin}:${path}`;
    assert.is((await execa('find', ['.'], { reject: false })).exitCode, 1);
    assert.equal(await findTree(tree, true), listed);
  } finally {
    process.env.PATH = path;
    await removeTmpdir(dir);
  }
});

test.run();
