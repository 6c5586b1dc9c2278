// JSON Schema validators with fyr's settings, for every input checked against a schema: the site
// and secrets files, a content manifest, release.json. The only importer of ajv.
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

export type SchemaValidator = ValidateFunction;
export type SchemaError = ErrorObject;

// ajv-formats is CommonJS: under NodeNext the default import is module.exports, whose
// `default` property is the plugin itself.
const addFormats = addFormatsModule.default;

// Compiles a schema once with fyr's settings: strict, all errors, formats, defaults applied.
export function compileSchema(schema: object): SchemaValidator {
  const ajv = new Ajv2020({ strict: true, allErrors: true, verbose: true, useDefaults: true });
  addFormats(ajv, ['ipv4']);
  ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-reason', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-if-number', schemaType: 'string' });
  return ajv.compile(schema);
}
