// Writes the files derived from the code: the shipped JSON Schemas, their validators (the
// *.validator.ts modules fyr runs), docs/site.md (from src/site/schema.ts), docs/errors.md (from the error and problem catalogues) and docs/cmd/
// (from the command specs, the same source as --help).
// Run by `make docs`; test/generated-files.test.ts fails when they are stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { commandIndex, commandReference } from '../../src/cli/help.js';
import { COMMANDS } from '../../src/cli/run.js';
import { releaseJsonSchema } from '../../src/formats/release-json-schema.js';
import { contentSchema } from '../../src/release/content-schema.js';
import { secretsSchema, siteSchema } from '../../src/site/schema.js';
import { standaloneValidator } from '../../src/util/json-schema.js';
import { renderErrorsDoc } from './errors-doc.js';
import { renderSchemaDoc } from './schema-doc.js';

export const GENERATED: Record<string, () => string> = {
  'docs/schema/site.schema.json': () => `${JSON.stringify(siteSchema, null, 2)}\n`,
  'docs/schema/secrets.schema.json': () => `${JSON.stringify(secretsSchema, null, 2)}\n`,
  'src/site/site.validator.ts': () => standaloneValidator(siteSchema, 'src/site/schema.ts'),
  'src/site/secrets.validator.ts': () => standaloneValidator(secretsSchema, 'src/site/schema.ts'),
  'src/release/content.validator.ts': () => standaloneValidator(contentSchema, 'src/release/content-schema.ts'),
  'src/formats/release-json.validator.ts': () =>
    standaloneValidator(releaseJsonSchema, 'src/formats/release-json-schema.ts'),
  'docs/site.md': () => renderSchemaDoc(siteSchema as unknown as Record<string, unknown>),
  'docs/errors.md': renderErrorsDoc,
  'docs/cmd/README.md': () => commandIndex(COMMANDS),
  ...Object.fromEntries(COMMANDS.map((c) => [`docs/cmd/${c.name}.md`, () => commandReference(c)])),
};

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [path, render] of Object.entries(GENERATED)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, render());
    console.log(`wrote ${path}`);
  }
}
