// Hostile site and secrets files: hostile values in every kind of field, files that are not
// what they claim (devices, FIFOs, directories, links), YAML built to hurt a parser, secrets
// files full of someone else's lines. Each run of fyr validate must end with an exit code of
// 0, 1 or 3, no stack trace, and no text of the secrets file in its output.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { collect } from './iso-corpus.js';

const BASE = 'test/fixtures/sites/valid/base.yaml';
const SECRETS = 'test/fixtures/sites/valid/secrets.yaml';
const MARK = 'secret-marker-91c2';

export interface SiteCounts {
  cases: number;
  internalErrors: number;
  leaked: number;
  failures: string[];
}

// Values that have broken out of files, shells, templates or parsers somewhere.
export const HOSTILE_VALUES: unknown[] = [
  '"; rm -rf / #',
  '$(reboot)',
  '`id`',
  "a'b",
  'a"b',
  'line\nbreak',
  'nul\u0000byte',
  '-rf',
  '--help',
  '%{x}',
  '${HOME}',
  '{{x}}',
  '<%= process.exit() %>',
  'x'.repeat(10_000),
  '../../etc/passwd',
  '\u202eevil',
  'ℌ',
  ' ',
  '',
  '0x41',
  'null',
  '*alias',
  '&anchor',
  '#comment',
  'a: b',
  '[',
  '\\',
  'a\tb',
  -1,
  1e308,
  true,
  null,
  [],
  {},
  ['a', { b: 'c' }],
];

// Paths of string fields in the base site, of each kind (names, addresses, MACs, disks, secrets).
const FIELDS = [
  ['cluster', 'name'],
  ['cluster', 'domain'],
  ['network', 'lan', 'subnet'],
  ['network', 'lan', 'interface'],
  ['bastion', 'hostname'],
  ['bastion', 'installDisk'],
  ['nodes', 0, 'name'],
  ['nodes', 0, 'mac'],
  ['nodes', 0, 'bmc', 'password', 'secret'],
  ['secrets'],
];

const setAt = (data: any, path: readonly (string | number)[], value: unknown) => {
  let node = data;
  for (const key of path.slice(0, -1)) node = node[key];
  node[path[path.length - 1]!] = value;
};

export async function siteCorpus(root: string): Promise<SiteCounts> {
  const counts: SiteCounts = { cases: 0, internalErrors: 0, leaked: 0, failures: [] };
  const dir = join(root, 'sites');
  const base = parse(readFileSync(BASE, 'utf8'));
  const run = async (name: string, argv: string[]) => {
    // Site files are kilobytes: collecting after every tenth keeps the peak without the cost.
    if (++counts.cases % 10 === 0) collect();
    const r = await runCli(argv);
    const out = r.stdout + r.stderr;
    if (r.code === 70 || ![0, 1, 3].includes(r.code) || /\n\s+at .+:\d+/.test(out)) {
      counts.internalErrors++;
      counts.failures.push(`${name}: exit ${r.code}: ${out.slice(0, 200)}`);
    }
    if (out.includes(MARK)) {
      counts.leaked++;
      counts.failures.push(`${name}: printed the secrets file's text`);
    }
  };
  const fresh = () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    copyFileSync(SECRETS, join(dir, 'secrets.yaml'));
    return join(dir, 'site.yaml');
  };

  for (const field of FIELDS)
    for (const value of HOSTILE_VALUES) {
      const site = fresh();
      const data = structuredClone(base);
      setAt(data, field, value);
      writeFileSync(site, stringify(data));
      await run(`${field.join('.')} = ${JSON.stringify(value)?.slice(0, 30)}`, ['validate', site]);
    }

  // Hostile secret values: the marker in each, which no message may show.
  const secrets = parse(readFileSync(SECRETS, 'utf8')) as Record<string, string>;
  for (const key of Object.keys(secrets))
    for (const value of [`${MARK}`, `${MARK}\n`, `"${MARK}`, `$6$${MARK}`, `${MARK}`.repeat(500), ` ${MARK}`]) {
      const site = fresh();
      writeFileSync(site, stringify(base));
      writeFileSync(join(dir, 'secrets.yaml'), stringify({ ...secrets, [key]: value }));
      await run(`secret ${key}`, ['validate', site]);
    }

  // Whole files: what the file is, and YAML built to hurt.
  const files: Record<string, (site: string) => void> = {
    'a FIFO': (s) => execFileSync('mkfifo', [s]),
    'a directory': (s) => mkdirSync(s),
    'a link to /dev/zero': (s) => symlinkSync('/dev/zero', s),
    'flow nesting 300000 deep': (s) => writeFileSync(s, `a: ${'['.repeat(300_000)}${']'.repeat(300_000)}`),
    'sequence nesting 300000 deep': (s) => writeFileSync(s, `a:\n  ${'- '.repeat(300_000)}x\n`),
    'mapping nesting 1000 deep': (s) =>
      writeFileSync(s, Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1\n'),
    'billion laughs': (s) =>
      writeFileSync(
        s,
        `a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from(
          { length: 9 },
          (_, i) =>
            `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
              .fill(`*${String.fromCharCode(97 + i)}`)
              .join(',')}]`,
        ).join('\n')}\n`,
      ),
    '2 MB of text': (s) => writeFileSync(s, `cluster: {name: ${'a'.repeat(2 << 20)}}\n`),
    binary: (s) => writeFileSync(s, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))),
    tags: (s) => writeFileSync(s, `cluster: !!js/function "function(){}"\nnodes: !shell rm\n`),
    'duplicate keys': (s) => writeFileSync(s, `${stringify(base)}cluster: {name: x}\n`),
    'two documents': (s) => writeFileSync(s, `${stringify(base)}---\n${stringify(base)}`),
    'merge keys': (s) => writeFileSync(s, `base: &b {a: 1}\ncluster: {<<: *b, name: x}\n`),
    'a BOM and CRLF': (s) => writeFileSync(s, `\ufeff${stringify(base).replace(/\n/g, '\r\n')}`),
  };
  for (const [name, make] of Object.entries(files)) {
    const site = fresh();
    make(site);
    await run(`site file: ${name}`, ['validate', site]);
  }

  // Secrets files that are not what the site thinks, each holding the marker.
  const secretFiles: Record<string, (d: string) => string[]> = {
    'outside the directory by ..': (d) => {
      writeFileSync(join(d, '..', 'foreign.yaml'), `${MARK}: x\n`);
      return ['secrets: ../foreign.yaml'];
    },
    'a link outside': (d) => {
      writeFileSync(join(d, '..', 'foreign.yaml'), `${MARK}: x\n`);
      symlinkSync('../foreign.yaml', join(d, 'linked.yaml'));
      return ['secrets: ./linked.yaml'];
    },
    'foreign lines as keys': (d) => {
      writeFileSync(join(d, 'secrets.yaml'), `root ${MARK}: 1\n${MARK} line: 2\n`);
      return [];
    },
    'foreign lines, not YAML': (d) => {
      writeFileSync(join(d, 'secrets.yaml'), `root:x:0:0:${MARK}\n  bad: [${MARK}\n`);
      return [];
    },
    'a tag with the marker': (d) => {
      writeFileSync(join(d, 'secrets.yaml'), `a: !${MARK} x\n`);
      return [];
    },
    'a FIFO': (d) => {
      rmSync(join(d, 'secrets.yaml'));
      execFileSync('mkfifo', [join(d, 'secrets.yaml')]);
      return [];
    },
    'a directory': (d) => {
      rmSync(join(d, 'secrets.yaml'));
      mkdirSync(join(d, 'secrets.yaml'));
      return [];
    },
    '--secrets /dev/zero': () => ['--secrets', '/dev/zero'],
    'nested deep': (d) => {
      writeFileSync(join(d, 'secrets.yaml'), `${MARK}: ${'['.repeat(1000)}${']'.repeat(1000)}\n`);
      return [];
    },
  };
  for (const [name, make] of Object.entries(secretFiles)) {
    const site = fresh();
    const extra = make(dir);
    const data = structuredClone(base);
    if (extra[0]?.startsWith('secrets: ')) data.secrets = extra[0].slice('secrets: '.length);
    writeFileSync(site, stringify(data));
    await run(`secrets file: ${name}`, ['validate', site, ...(extra[0]?.startsWith('--') ? extra : [])]);
  }
  rmSync(dir, { recursive: true, force: true });
  return counts;
}
