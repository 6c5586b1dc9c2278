// The layout's rules, checked on the import statements themselves: dependencies point one way,
// there is no import cycle, each outside library has one importer, and the folders that meet
// only through lower ones do not import each other.
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sources } from './helpers/sources.js';

const FILES = sources('src');
// Every specifier a module names: static imports, re-exports and dynamic import().
const specifiers = (file: string) =>
  [
    ...readFileSync(file, 'utf8').matchAll(
      /^(?:import|export) [^;]*? from '([^']+)';|^import '([^']+)';|import\('([^']+)'\)/gm,
    ),
  ].map((m) => (m[1] ?? m[2] ?? m[3])!);
// The src/ files a module imports, as paths like src/iso9660/read.ts.
const localImports = (file: string) =>
  specifiers(file)
    .filter((s) => s.startsWith('.'))
    .map((s) => normalize(join(dirname(file), s)).replace(/\.js$/, '.ts'));
const folder = (file: string) => file.split('/')[1]!.replace(/\.ts$/, '');
const GRAPH = new Map(FILES.map((f) => [f, localImports(f)]));

// Which folders each folder may import (besides itself). errors.ts is the root of all.
const MAY_IMPORT: Record<string, string[]> = {
  util: ['errors'],
  iso9660: ['util'],
  formats: ['iso9660', 'util'],
  checksum: ['iso9660', 'util', 'errors'],
  site: ['util', 'errors'],
  render: ['site', 'formats', 'util', 'errors'],
  composer: ['util', 'errors'],
  registry: ['util', 'errors'],
  release: ['formats', 'iso9660', 'registry', 'site', 'checksum', 'util', 'errors'],
  content: ['release', 'registry', 'formats', 'iso9660', 'site', 'util', 'errors'],
  'site-iso': ['formats', 'iso9660', 'registry', 'checksum', 'util', 'errors'],
  pack: ['site-iso', 'formats', 'iso9660', 'checksum', 'util', 'errors'],
  device: ['iso9660', 'util', 'errors'],
  seal: [],
  agent: ['formats', 'iso9660', 'registry', 'seal', 'util', 'site'],
  cli: ['*'],
};

test('architecture :: every folder of src/ has its rule', () => {
  for (const file of FILES.filter((f) => f.split('/').length > 2))
    assert.ok(folder(file) in MAY_IMPORT, `${file}: src/${folder(file)}/ has no rule in this test`);
});

test('architecture :: folders import only the folders below them', () => {
  for (const [file, targets] of GRAPH) {
    const from = folder(file);
    const allowed = MAY_IMPORT[from] ?? [];
    if (allowed.includes('*')) continue;
    for (const target of targets) {
      const to = folder(target);
      if (to !== from)
        assert.ok(
          allowed.includes(to),
          `${file} imports ${target}: src/${from}/ may import only ${allowed.join(', ')}`,
        );
    }
  }
});

// Byte formats are pure: they read through a ReadAt and never open a file themselves.
test('architecture :: iso9660/ touches no file system and no process', () => {
  for (const file of FILES.filter((f) => folder(f) === 'iso9660')) {
    for (const spec of specifiers(file))
      assert.not.match(spec, /^node:(fs|child_process|worker_threads)/, `${file} imports ${spec}`);
  }
});

test('architecture :: nothing outside src/cli imports src/cli', () => {
  for (const [file, targets] of GRAPH)
    if (folder(file) !== 'cli')
      for (const t of targets) assert.not.ok(t.startsWith('src/cli/'), `${file} imports ${t}`);
});

test('architecture :: commands do not import each other (shared options live in cli/options.ts)', () => {
  for (const [file, targets] of GRAPH) {
    if (!file.startsWith('src/cli/commands/')) continue;
    for (const t of targets) assert.not.ok(t.startsWith('src/cli/commands/'), `${file} imports ${t}`);
  }
});

test('architecture :: the two ISO pipelines meet only in iso9660/ and formats/', () => {
  for (const [file, targets] of GRAPH) {
    if (folder(file) === 'release')
      for (const t of targets) assert.not.ok(t.startsWith('src/site-iso/'), `${file} imports ${t}`);
    if (folder(file) === 'site-iso')
      for (const t of targets) assert.not.ok(t.startsWith('src/release/'), `${file} imports ${t}`);
  }
});

// The agent bundle carries only what the bastion needs: the on-media formats, util, the seal
// (to open the sealed secrets), the registry's config and tree, the site's types and the ISO 9660
// reader (fyr-agent apply reads a site ISO without mounting it), never the renderer, the rest of
// the ISO code or the CLI. The site model includes storage.ts, the pure storage facts model.ts
// names (types, which packages a storage type installs).
test('architecture :: the agent imports only formats, seal, util, registry, the ISO reader and the site model', () => {
  for (const [file, targets] of GRAPH) {
    if (folder(file) !== 'agent') continue;
    for (const t of targets.filter((t) => !t.startsWith('src/agent/')))
      assert.ok(
        t === 'src/site/model.ts' ||
          t === 'src/site/storage.ts' ||
          t === 'src/iso9660/read.ts' ||
          t.startsWith('src/formats/') ||
          t.startsWith('src/seal/') ||
          t.startsWith('src/registry/') ||
          t.startsWith('src/util/'),
        `${file} imports ${t}`,
      );
  }
});

// The first cycle found by a depth-first walk, as a path that ends where it starts.
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const done = new Set<string>();
  const walk = (node: string, path: string[]): string[] | undefined => {
    if (path.includes(node)) return [...path.slice(path.indexOf(node)), node];
    if (done.has(node)) return undefined;
    for (const next of graph.get(node) ?? []) {
      const cycle = walk(next, [...path, node]);
      if (cycle) return cycle;
    }
    done.add(node);
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = walk(node, []);
    if (cycle) return cycle;
  }
  return undefined;
}

test('architecture :: no import cycle anywhere in src/', () => {
  const cycle = findCycle(GRAPH);
  assert.is(cycle, undefined, `import cycle: ${cycle?.join(' -> ')}`);
});

test('architecture :: the cycle check finds the circle this layout once had', () => {
  const circle = new Map([
    ['finish', ['splice']],
    ['splice', ['release-image']],
    ['release-image', ['finish', 'read']],
    ['read', []],
  ]);
  assert.equal(findCycle(circle), ['finish', 'splice', 'release-image', 'finish']);
  assert.is(
    findCycle(
      new Map([
        ['a', ['b']],
        ['b', []],
      ]),
    ),
    undefined,
  );
});

// One importer per outside library: each has one place to fake in tests.
test('architecture :: each outside library has one importer', () => {
  const owners: Record<string, string[]> = {
    yaml: ['src/site/source.ts'],
    ajv: ['src/util/json-schema.ts'],
    'ajv-formats': ['src/util/json-schema.ts'],
    ejs: ['src/render/engine.ts'],
    'smol-toml': ['src/composer/blueprint-toml.ts'],
    execa: ['src/util/exec.ts'],
    'tar-stream': ['src/util/tar.ts'],
    fastify: ['src/composer/proxy.ts', 'src/agent/status/app.ts'],
    '@fastify/http-proxy': ['src/composer/proxy.ts'],
    'age-encryption': ['src/seal/age.ts'],
  };
  for (const file of FILES) {
    for (const spec of specifiers(file)) {
      const pkg = spec.startsWith('ajv/') ? 'ajv' : spec;
      if (pkg in owners) assert.ok(owners[pkg]!.includes(file), `${pkg} imported by ${file}`);
    }
  }
});

test('architecture :: only the entry points touch the process', () => {
  for (const file of FILES.filter((f) => f !== 'src/cli/main.ts' && f !== 'src/agent/main.ts')) {
    assert.not.match(readFileSync(file, 'utf8'), /process\.(exit|exitCode|argv|stdout|stderr)/, file);
  }
});

test('architecture :: modules stay small', () => {
  for (const file of FILES) {
    const lines = readFileSync(file, 'utf8').split('\n').length;
    assert.ok(lines <= 300, `${file} has ${lines} lines`);
  }
});

test.run();
