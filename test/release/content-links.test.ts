// A content directory tampered with links: a payload file or a directory on its path linked to
// a file outside, the registry tree linked to a directory outside, "." as the tree, the
// manifest itself a link or full of someone else's lines. Each is refused at its manifest line,
// and nothing about the outside file (its size, its sum, its lines) is in any message.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidInputError, isFyrError, type Problem } from '../../src/errors.js';
import { loadContent } from '../../src/release/content.js';
import { expectedHashes, listTree, treeHash } from '../../src/registry/tree.js';
import { makeContent } from '../helpers/content.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const SECRET = 'root:$6$outsidehash:19000:0:99999:7:::\n';
const SECRET_SUM = createHash('sha256').update(SECRET).digest('hex');

// Loads the content and returns what it was refused for: the problems and every text shown.
async function refusal(dir: string): Promise<{ problems: readonly Problem[]; text: string }> {
  try {
    await loadContent(dir);
  } catch (err) {
    assert.ok(isFyrError(err), String(err));
    const problems = err instanceof InvalidInputError ? err.problems : [];
    return { problems, text: JSON.stringify({ message: err.message, details: err.detailLines, problems }) };
  }
  assert.unreachable('the content was accepted');
  throw new Error('unreachable');
}

// The manifest with one file's entry rewritten, as an attacker fills it in.
function editManifest(dir: string, edit: (m: Record<string, any>) => void): void {
  const path = join(dir, 'fyr-content.json');
  const m = JSON.parse(readFileSync(path, 'utf8'));
  edit(m);
  writeFileSync(path, JSON.stringify(m, null, 2));
}

const noOutsideFacts = (text: string) => {
  assert.not.match(text, SECRET_SUM);
  assert.not.match(text, `${Buffer.byteLength(SECRET)} bytes`);
  assert.not.match(text, 'outsidehash');
};

async function withContent(fn: (dir: string, outside: string) => Promise<void>) {
  const root = await makeTmpdir();
  try {
    const dir = join(root, 'content');
    const outside = join(root, 'outside');
    mkdirSync(dir);
    mkdirSync(outside);
    writeFileSync(join(outside, 'shadow'), SECRET);
    await makeContent(dir);
    await fn(dir, outside);
  } finally {
    await removeTmpdir(root);
  }
}

test('content :: links :: a payload file linked outside is refused even with its true size and sum', () =>
  withContent(async (dir, outside) => {
    rmSync(join(dir, 'bin/oc'));
    symlinkSync(join(outside, 'shadow'), join(dir, 'bin/oc'));
    editManifest(dir, (m) => {
      const f = m.files.find((x: { path: string }) => x.path === 'bin/oc');
      f.size = Buffer.byteLength(SECRET);
      f.sha256 = SECRET_SUM;
    });
    const { problems, text } = await refusal(dir);
    assert.equal(
      problems.map((p) => [p.code, p.path]),
      [['CONTENT_LINK', 'files[5].path']],
    );
    assert.match(problems[0]!.message, 'bin/oc is a symbolic link');
    noOutsideFacts(text);
  }));

test('content :: links :: a directory on the path linked outside is refused', () =>
  withContent(async (dir, outside) => {
    rmSync(join(dir, 'bin'), { recursive: true });
    writeFileSync(join(outside, 'oc'), SECRET);
    writeFileSync(join(outside, 'openshift-install'), SECRET);
    symlinkSync(outside, join(dir, 'bin'));
    const { problems, text } = await refusal(dir);
    assert.equal(
      problems.map((p) => [p.code, p.message]),
      [
        ['CONTENT_LINK', 'bin is a symbolic link; copy the file itself in'],
        ['CONTENT_LINK', 'bin is a symbolic link; copy the file itself in'],
      ],
    );
    noOutsideFacts(text);
  }));

test('content :: links :: a registry tree linked to a directory outside is refused', () =>
  withContent(async (dir, outside) => {
    // A small tree outside, and the manifest filled in with its true summary.
    const tree = join(outside, 'tree');
    const blob = Buffer.from(SECRET);
    const digest = createHash('sha256').update(blob).digest('hex');
    mkdirSync(join(tree, `docker/registry/v2/blobs/sha256/${digest.slice(0, 2)}/${digest}`), { recursive: true });
    writeFileSync(join(tree, `docker/registry/v2/blobs/sha256/${digest.slice(0, 2)}/${digest}/data`), blob);
    const summary = treeHash((await expectedHashes(tree, await listTree(tree))).hashed);
    symlinkSync(tree, join(dir, 'registry-tree'));
    editManifest(dir, (m) => {
      m.registry = {
        path: 'registry-tree',
        ...summary,
        releaseTag: 'openshift/release-images:4.16.3-x86_64',
        imageDigestSources: [],
      };
    });
    const { problems, text } = await refusal(dir);
    assert.equal(
      problems.map((p) => [p.code, p.path, p.message]),
      [['CONTENT_LINK', 'registry.path', 'registry-tree is a symbolic link; the tree itself must be here']],
    );
    assert.not.match(text, String(summary.bytes) + ' bytes');
  }));

test('content :: links :: the registry tree may not be "." or ".."', async () => {
  for (const path of ['.', '..']) {
    await withContent(async (dir) => {
      editManifest(dir, (m) => {
        m.registry = {
          path,
          files: 1,
          bytes: 1,
          sha256: '0'.repeat(64),
          releaseTag: 'a/b:c',
          imageDigestSources: [],
        };
      });
      const { problems } = await refusal(dir);
      assert.equal(
        problems.map((p) => [p.code, p.path]),
        [['SCHEMA_FORMAT', 'registry.path']],
        path,
      );
    });
  }
});

test('content :: manifest :: a manifest that is a link, or a device behind one, is refused unread', () =>
  withContent(async (dir, outside) => {
    for (const target of [join(outside, 'shadow'), '/dev/zero']) {
      rmSync(join(dir, 'fyr-content.json'));
      symlinkSync(target, join(dir, 'fyr-content.json'));
      const { text } = await refusal(dir);
      assert.match(text, 'fyr-content.json: is a symbolic link, not a regular file');
      noOutsideFacts(text);
    }
  }));

test("content :: manifest :: a manifest of someone else's lines is reported by position, not by its text", () =>
  withContent(async (dir) => {
    for (const body of [SECRET, 'outsidehash: 1\nsecond outsidehash line: 2\n', '{"outsidehash": [1, 2}']) {
      writeFileSync(join(dir, 'fyr-content.json'), body);
      const { problems, text } = await refusal(dir);
      assert.ok(problems.length > 0);
      for (const p of problems) assert.ok(p.line >= 1 && p.col >= 1);
      noOutsideFacts(text);
    }
  }));

test.run();
