// Writes the files derived from the code: the shipped JSON Schemas, docs/site.md (from
// src/site/schema.ts) and docs/errors.md (from the error and problem catalogues).
// Run by `make docs`; test/generated-files.test.ts fails when they are stale.
import { writeFileSync } from 'node:fs';
import { secretsSchema, siteSchema } from '../../src/site/schema.js';
import { renderErrorsDoc } from './errors-doc.js';
import { renderSchemaDoc } from './schema-doc.js';

export const GENERATED: Record<string, () => string> = {
  'docs/schema/site.schema.json': () => `${JSON.stringify(siteSchema, null, 2)}\n`,
  'docs/schema/secrets.schema.json': () => `${JSON.stringify(secretsSchema, null, 2)}\n`,
  'docs/site.md': () => renderSchemaDoc(siteSchema as unknown as Record<string, unknown>),
  'docs/errors.md': renderErrorsDoc,
};

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [path, render] of Object.entries(GENERATED)) {
    writeFileSync(path, render());
    console.log(`wrote ${path}`);
  }
}
