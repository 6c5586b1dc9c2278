// Hostile content directories: every way a tampered directory could make fyr release read a
// file outside it (links to files, to directories, to devices, the registry tree elsewhere, the
// manifest itself a link) or print what it should not. Each must be refused, and no message may
// carry the outside file's size, sum or text. The outside targets are FIFOs and a marked file:
// a blocking read of a FIFO would hang the corpus, so "refused without reading" is tested too.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isFyrError, InvalidInputError } from '../../src/errors.js';
import { loadContent } from '../../src/release/content.js';
import { makeContent } from '../helpers/content.js';
import { collect } from './iso-corpus.js';

const MARK = 'outside-marker-7f3a';
const SECRET = `root:$6$${MARK}:19000:0:99999:7:::\n`;
const SECRET_SUM = createHash('sha256').update(SECRET).digest('hex');

export interface ContentCounts {
  cases: number;
  accepted: number;
  leaked: number;
  internalErrors: number;
  failures: string[];
}

type Tamper = (dir: string, outside: string) => void;

const manifest = (dir: string, edit: (m: any) => void) => {
  const path = join(dir, 'fyr-content.json');
  const m = JSON.parse(readFileSync(path, 'utf8'));
  edit(m);
  writeFileSync(path, JSON.stringify(m));
};
const fillIn = (path: string) => (m: any) => {
  const f = m.files.find((x: { path: string }) => x.path === path);
  f.size = Buffer.byteLength(SECRET);
  f.sha256 = SECRET_SUM;
};
const replaceWithLink = (dir: string, path: string, target: string) => {
  rmSync(join(dir, path), { recursive: true, force: true });
  symlinkSync(target, join(dir, path));
};
const registryAt = (path: string) => (m: any) =>
  (m.registry = {
    path,
    files: 1,
    bytes: Buffer.byteLength(SECRET),
    sha256: SECRET_SUM,
    releaseTag: 'a/b:c',
    imageDigestSources: [],
  });

export const TAMPERINGS: Record<string, Tamper> = {
  'payload file -> outside file, manifest filled in': (d, o) => {
    replaceWithLink(d, 'bin/oc', join(o, 'shadow'));
    manifest(d, fillIn('bin/oc'));
  },
  'payload file -> relative ../ link': (d) => {
    replaceWithLink(d, 'bin/oc', '../../outside/shadow');
    manifest(d, fillIn('bin/oc'));
  },
  'payload file -> FIFO outside': (d, o) => replaceWithLink(d, 'bin/oc', join(o, 'fifo')),
  'payload file -> /dev/zero': (d) => replaceWithLink(d, 'bin/oc', '/dev/zero'),
  'payload file -> /etc/shadow': (d) => replaceWithLink(d, 'bin/oc', '/etc/shadow'),
  'payload file is a FIFO': (d) => {
    rmSync(join(d, 'bin/oc'));
    execFileSync('mkfifo', [join(d, 'bin/oc')]);
  },
  'payload file is a directory': (d) => {
    rmSync(join(d, 'bin/oc'));
    mkdirSync(join(d, 'bin/oc'));
  },
  'payload directory -> outside directory': (d, o) => {
    writeFileSync(join(o, 'oc'), SECRET);
    writeFileSync(join(o, 'openshift-install'), SECRET);
    replaceWithLink(d, 'bin', o);
    manifest(d, fillIn('bin/oc'));
  },
  'payload directory -> /etc': (d) => replaceWithLink(d, 'rhcos', '/etc'),
  'registry tree -> outside directory': (d, o) => {
    mkdirSync(join(o, 'tree/docker/registry/v2'), { recursive: true });
    writeFileSync(join(o, 'tree/docker/registry/v2/x'), SECRET);
    symlinkSync(join(o, 'tree'), join(d, 'tree'));
    manifest(d, registryAt('tree'));
  },
  'registry tree -> /': (d) => {
    symlinkSync('/', join(d, 'tree'));
    manifest(d, registryAt('tree'));
  },
  'registry path "."': (d) => manifest(d, registryAt('.')),
  'registry path ".."': (d) => manifest(d, registryAt('..')),
  'registry tree holding a link outside': (d, o) => {
    mkdirSync(join(d, 'tree/docker/registry/v2'), { recursive: true });
    symlinkSync(join(o, 'shadow'), join(d, 'tree/docker/registry/v2/x'));
    manifest(d, registryAt('tree'));
  },
  'registry tree holding a FIFO': (d, o) => {
    mkdirSync(join(d, 'tree/docker/registry/v2'), { recursive: true });
    execFileSync('mkfifo', [join(d, 'tree/docker/registry/v2/link')]);
    void o;
    manifest(d, registryAt('tree'));
  },
  'manifest -> outside file': (d, o) => replaceWithLink(d, 'fyr-content.json', join(o, 'shadow')),
  'manifest -> /dev/zero': (d) => replaceWithLink(d, 'fyr-content.json', '/dev/zero'),
  'manifest -> FIFO': (d, o) => replaceWithLink(d, 'fyr-content.json', join(o, 'fifo')),
  'manifest is a FIFO': (d) => {
    rmSync(join(d, 'fyr-content.json'));
    execFileSync('mkfifo', [join(d, 'fyr-content.json')]);
  },
  'manifest is a directory': (d) => {
    rmSync(join(d, 'fyr-content.json'));
    mkdirSync(join(d, 'fyr-content.json'));
  },
  "manifest of someone else's lines": (d) => writeFileSync(join(d, 'fyr-content.json'), `${SECRET}${MARK}: 1\n`),
  'manifest with a foreign key': (d) => manifest(d, (m) => (m[MARK] = SECRET)),
  'manifest nested 100000 deep': (d) =>
    writeFileSync(join(d, 'fyr-content.json'), `${'['.repeat(100_000)}${']'.repeat(100_000)}`),
  'manifest of 5 MB': (d) => writeFileSync(join(d, 'fyr-content.json'), `{"x": "${'y'.repeat(5 << 20)}"}`),
  'payload path with ..': (d) => manifest(d, (m) => (m.files[5].path = '../outside/shadow')),
  'payload path absolute': (d) => manifest(d, (m) => (m.files[5].path = '/etc/shadow')),
};

export async function contentCorpus(root: string): Promise<ContentCounts> {
  const counts: ContentCounts = { cases: 0, accepted: 0, leaked: 0, internalErrors: 0, failures: [] };
  for (const [name, tamper] of Object.entries(TAMPERINGS)) {
    counts.cases++;
    collect();
    const base = join(root, `content-case-${counts.cases}`);
    const dir = join(base, 'content');
    const outside = join(base, 'outside');
    mkdirSync(dir, { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'shadow'), SECRET);
    execFileSync('mkfifo', [join(outside, 'fifo')]);
    await makeContent(dir);
    tamper(dir, outside);
    try {
      await loadContent(dir);
      counts.accepted++;
      counts.failures.push(`accepted: ${name}`);
    } catch (err) {
      if (!isFyrError(err)) {
        counts.internalErrors++;
        counts.failures.push(`not a fyr error: ${name}: ${String(err)}`);
        continue;
      }
      const text = JSON.stringify({
        m: err.message,
        d: err.detailLines,
        p: err instanceof InvalidInputError ? err.problems : [],
      });
      if (text.includes(MARK) || text.includes(SECRET_SUM) || text.includes(`${Buffer.byteLength(SECRET)} bytes`)) {
        counts.leaked++;
        counts.failures.push(`leaked outside facts: ${name}: ${text.slice(0, 300)}`);
      }
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }
  return counts;
}
