// fyr init: start a new site from a commented example, never overwriting anything.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FyrError } from '../../errors.js';
import { PACKAGE_ROOT } from '../../util/package-info.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import type { CommandSpec } from '../command.js';
import { toJson } from '../report.js';

const TEMPLATE_DIR = join(PACKAGE_ROOT, 'examples', 'init');
const FILES = [
  { name: 'site.yaml', schema: 'site.schema.json', mode: 0o644 },
  { name: 'secrets.yaml', schema: 'secrets.schema.json', mode: 0o600 },
] as const;

export const initCommand: CommandSpec = {
  name: 'init',
  summary: 'Write a commented example site.yaml and secrets.yaml to edit',
  usage: 'fyr init [DIR]',
  description: [
    'Writes DIR/site.yaml (a commented bastion + 3 node site) and DIR/secrets.yaml (mode 0600, placeholders to replace) into DIR, the current directory by default. Refuses to overwrite either file; nothing is written unless both can be.',
    'Editors with the YAML language server complete and check the site file through its first-line $schema comment.',
  ],
  options: {},
  positionals: { min: 0, max: 1 },
  examples: ['fyr init sites/oslo-1', 'fyr validate sites/oslo-1/site.yaml'],
  async run(args, io) {
    const dir = args.positionals[0] ?? '.';
    const targets = FILES.map((f) => ({ ...f, path: join(dir, f.name) }));
    const existing = targets.filter((t) => existsSync(t.path)).map((t) => t.path);
    if (existing.length > 0) {
      throw new FyrError(
        'INIT_EXISTS',
        `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; fyr init never overwrites`,
        {
          details: ['Choose an empty directory (fyr init DIR), or move the existing files away.'],
        },
      );
    }
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw new FyrError('WRITE_FAILED', `cannot create ${dir}: ${(err as Error).message}`, { cause: err });
    }
    const written: string[] = [];
    try {
      for (const target of targets) {
        const template = await readFile(join(TEMPLATE_DIR, target.name), 'utf8');
        await writeFileAtomic(target.path, withSchemaPath(template, dir, target.schema), {
          mode: target.mode,
          noClobber: true,
        });
        written.push(target.path);
      }
    } catch (err) {
      // Leave nothing half-done: remove what this run wrote.
      await Promise.all(written.map((path) => rm(path, { force: true })));
      const exists = (err as { code?: string }).code === 'EEXIST';
      throw new FyrError(
        exists ? 'INIT_EXISTS' : 'WRITE_FAILED',
        `cannot write into ${dir}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    if (args.json) {
      io.stdout(toJson({ ok: true, files: written }));
    } else {
      io.stdout(
        `Wrote ${written.join(' and ')}.\nNext: edit both files (replace every REPLACE value), then run\n  fyr validate ${join(dir, 'site.yaml')}\n`,
      );
    }
    return 0;
  },
};

// Points the template's yaml-language-server comment at the schema shipped with this install.
function withSchemaPath(template: string, dir: string, schemaFile: string): string {
  const schemaPath = relative(dir, join(PACKAGE_ROOT, 'docs', 'schema', schemaFile)) || schemaFile;
  return template.replace(/^# yaml-language-server: \$schema=.*$/m, `# yaml-language-server: $schema=${schemaPath}`);
}
