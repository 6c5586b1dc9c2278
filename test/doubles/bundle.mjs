// The doubles of bin/ as the tests run them: each bundled into one file with its modules and
// yaml (test/doubles/.bundle/bin/NAME, not in git). A double runs once per command the agent
// gives it, hundreds of times in a day-2 test; loading some 25 modules took longer than the
// command itself (oc: 225 ms a call, bundled about 150 ms). Rebuilt whenever a source is newer
// than the bundle, so a test run directly after an edit never runs an old double.
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCES = dirname(fileURLToPath(import.meta.url));
const BUNDLE = join(SOURCES, '.bundle');
const STAMP = join(BUNDLE, 'stamp');
const NODE_SCRIPT = '#!/usr/bin/env node';

// The newest source: every file under test/doubles/ but the bundle, and yaml, which bin/ imports;
// a folder's own time too, which a file removed from it changes.
function newest(dir = SOURCES) {
  let latest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '.bundle') continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function stamp() {
  const yaml = createRequire(import.meta.url).resolve('yaml/package.json');
  return `${Math.max(newest(), statSync(yaml).mtimeMs)} ${process.version}\n`;
}

// Written file by file under a temporary name and renamed, and the stamp last: two test runs
// building at once write the same bytes, and a reader never finds half a file.
function build(wanted) {
  const esbuild = createRequire(import.meta.url)('esbuild');
  const out = join(BUNDLE, 'bin');
  mkdirSync(out, { recursive: true });
  const names = readdirSync(join(SOURCES, 'bin'));
  // A double removed from bin/ must not stay on PATH through its old bundle.
  // (Names starting with "." are another run's files being written.)
  for (const name of readdirSync(out))
    if (!name.startsWith('.') && !names.includes(name)) rmSync(join(out, name), { force: true });
  for (const name of names) {
    const source = join(SOURCES, 'bin', name);
    const text = readFileSync(source, 'utf8');
    let bytes = text;
    if (text.startsWith(`${NODE_SCRIPT}\n`)) {
      const result = esbuild.buildSync({
        stdin: { contents: text, resolveDir: join(SOURCES, 'bin'), sourcefile: source, loader: 'js' },
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        write: false,
        legalComments: 'none',
        logLevel: 'warning',
        // yaml is CommonJS and requires node's modules; root.mjs: the sources are two folders
        // up from .bundle/bin/NAME.
        banner: {
          js: [
            "import { createRequire as __doublesRequire } from 'node:module';",
            'const require = __doublesRequire(import.meta.url);',
            "globalThis.FYR_DOUBLES_ROOT = new URL('../../', import.meta.url);",
          ].join('\n'),
        },
      });
      bytes = result.outputFiles[0].text;
      if (!bytes.startsWith(NODE_SCRIPT)) bytes = `${NODE_SCRIPT}\n${bytes}`;
    }
    const temp = join(out, `.${name}.${process.pid}`);
    writeFileSync(temp, bytes);
    chmodSync(temp, 0o755);
    renameSync(temp, join(out, name));
  }
  const temp = `${STAMP}.${process.pid}`;
  writeFileSync(temp, wanted);
  renameSync(temp, STAMP);
}

// The folder to put first in PATH: the bundled doubles, built or rebuilt if needed.
export function doublesBin() {
  const wanted = stamp();
  let have = '';
  try {
    have = readFileSync(STAMP, 'utf8');
  } catch {
    // not built yet
  }
  if (have !== wanted) build(wanted);
  return join(BUNDLE, 'bin');
}

// Run as a script (make fixtures): build now if needed, so that make test's two runs find it.
if (process.argv[1] === fileURLToPath(import.meta.url)) doublesBin();
