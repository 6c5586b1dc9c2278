// The site tar: deterministic (sorted, fixed owner and date), readable by GNU tar, and an
// all-zero area reads as "no site".
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { packSite, renderHashOf, unpackSite } from '../../src/formats/site-bundle.js';
import { packTar, unpackTar } from '../../src/util/tar.js';

const FILES = [
  { path: 'bundle/etc/named.conf', mode: 0o640, content: Buffer.from('options {};\n') },
  {
    path: 'bundle/etc/NetworkManager/system-connections/fyr-wan.nmconnection',
    mode: 0o600,
    content: Buffer.from('[connection]\n'),
  },
  { path: 'manifest.json', mode: 0o644, content: Buffer.from('{"files":[]}\n') },
];

test('site-tar :: same files in any order give the same bytes; GNU tar lists and extracts them with their modes', async () => {
  const a = await packTar(FILES, 1700000000);
  const b = await packTar([...FILES].reverse(), 1700000000);
  assert.ok(a.equals(b));
  assert.not.ok(a.equals(await packTar(FILES, 1700000001)));
  const dir = mkdtempSync(join(tmpdir(), 'fyr-tar-'));
  try {
    // Padded with zeros as in the site area: tar stops at the end-of-archive blocks.
    const padded = Buffer.concat([a, Buffer.alloc(64 * 1024)]);
    writeFileSync(join(dir, 'site.tar'), padded);
    const listed = await execa('tar', ['-tvf', join(dir, 'site.tar')]);
    assert.match(
      listed.stdout,
      /-rw------- root\/root\s+13 2023-11-14 22:13 bundle\/etc\/NetworkManager\/system-connections\/fyr-wan\.nmconnection/,
    );
    await execa('tar', ['-xf', join(dir, 'site.tar'), '-C', dir]);
    assert.is(readFileSync(join(dir, 'bundle/etc/named.conf'), 'utf8'), 'options {};\n');
    assert.is(statSync(join(dir, 'bundle/etc/named.conf')).mode & 0o777, 0o640);
    assert.equal(
      (await unpackTar(padded)).map((f) => f.path),
      FILES.map((f) => f.path).sort(),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('site-tar :: an all-zero area is no site; a packed site carries its build record and render hash', async () => {
  assert.is(await unpackSite(Buffer.alloc(8192)), undefined);
  const { tar, meta } = await packSite(
    { kickstart: '# ks\n', files: FILES },
    {
      fyr: '0.1.0',
      release: 'r',
      built: '2023-11-14T22:13:20.000Z',
      os: 'rhel9',
      source: 'liveimg',
      sealed: false,
      cluster: 'edge.example.com',
      nodes: [],
    },
    1700000000,
  );
  assert.is(meta.renderHash, renderHashOf('{"files":[]}\n'));
  const site = await unpackSite(Buffer.concat([tar, Buffer.alloc(4096)]));
  assert.equal(site?.meta, meta);
  assert.is(site?.files.length, FILES.length + 1);
});

test.run();
