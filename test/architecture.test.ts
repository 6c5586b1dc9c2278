// Dependencies point one way, and each outside library has exactly one importer.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AGENT_PATH, SITE_AREA_PATH } from '../src/formats/release-json.js';
import { MEDIA_AGENT, MEDIA_SITE_TAR } from '../src/formats/layout.js';
import { sources } from './helpers/sources.js';

const imports = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^import [^;]*? from '([^']+)';/gm)].map((m) => m[1]!);
const FILES = sources('src');

test('architecture :: nothing outside src/cli imports src/cli', () => {
  for (const file of FILES.filter((f) => !f.startsWith('src/cli/'))) {
    for (const spec of imports(file)) assert.not.match(spec, /(^|\/)cli\//, `${file} imports ${spec}`);
  }
});

// One importer per capability: the agent runs on the bastion as its own bundle, so it has its
// own process runner and its own web server module.
test('architecture :: each outside library has one importer per capability', () => {
  const owners: Record<string, string[]> = {
    yaml: ['src/site/source.ts'],
    ajv: ['src/site/schema-check.ts'],
    'ajv-formats': ['src/site/schema-check.ts'],
    ejs: ['src/render/engine.ts'],
    'smol-toml': ['src/composer/blueprint-toml.ts'],
    execa: ['src/util/tools.ts', 'src/agent/exec.ts'],
    'tar-stream': ['src/util/tar.ts'],
    fastify: ['src/composer/proxy.ts', 'src/agent/status-app.ts'],
    '@fastify/http-proxy': ['src/composer/proxy.ts'],
  };
  for (const file of FILES) {
    for (const spec of imports(file)) {
      const pkg = spec.startsWith('ajv/') ? 'ajv' : spec;
      if (pkg in owners) assert.ok(owners[pkg]!.includes(file), `${pkg} imported by ${file}`);
    }
  }
});

// The agent bundle carries only what the bastion needs: layout names and util helpers from the
// rest of fyr, never the renderer, the ISO builder or the CLI.
test('architecture :: the agent imports only layout, util and site types from outside src/agent', () => {
  for (const file of FILES.filter((f) => f.startsWith('src/agent/'))) {
    for (const spec of imports(file).filter((s) => s.startsWith('.'))) {
      const target = join(dirname(file), spec);
      if (target.startsWith('src/agent/')) continue;
      assert.ok(['src/formats/layout.js', 'src/site/model.js'].includes(target) || target.startsWith('src/util/'), `${file} imports ${spec}`);
    }
  }
});

// The kickstart and the ISO builder name the site area separately (render must not import iso).
test('architecture :: the kickstart unpacks the site area the ISO builder fills', () => {
  assert.is(`/${MEDIA_SITE_TAR}`, SITE_AREA_PATH);
  assert.ok(AGENT_PATH.startsWith(`/${MEDIA_AGENT}/`));
});

test('architecture :: only the entry point touches the process', () => {
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
