// Runs the JSON Schema over parsed data and turns ajv's errors into positioned problems with
// plain-words expectations (ajv itself is behind util/json-schema.ts).
// Types only: fyr runs the generated validators, so ajv itself is never loaded at run time.
import type { SchemaError as ErrorObject, SchemaValidator as ValidateFunction } from '../util/json-schema.js';
import type { SiteProblem, SiteProblemCode } from './problem-codes.js';
import { didYouMean } from '../util/did-you-mean.js';
import { formatPath, fromPointer, type PathSegment } from './path.js';
import type { Source } from './source.js';

// Problem codes per ajv keyword; other keywords fall back to SCHEMA_INVALID.
const CODE_BY_KEYWORD: Record<string, SiteProblemCode> = {
  required: 'SCHEMA_REQUIRED',
  additionalProperties: 'SCHEMA_UNKNOWN_KEY',
  type: 'SCHEMA_TYPE',
  enum: 'SCHEMA_ENUM',
  pattern: 'SCHEMA_FORMAT',
  format: 'SCHEMA_FORMAT',
  minimum: 'SCHEMA_RANGE',
  maximum: 'SCHEMA_RANGE',
  minItems: 'SCHEMA_RANGE',
  maxItems: 'SCHEMA_RANGE',
  minLength: 'SCHEMA_RANGE',
  maxLength: 'SCHEMA_RANGE',
  minProperties: 'SCHEMA_RANGE',
};

type SchemaNode = Record<string, unknown>;

// A key that may appear in a redacted problem's path: a plain name, not a line of text.
const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export interface SchemaCheckOptions {
  // Never quote values from this file in messages (the secrets file).
  redactValues?: boolean;
  // Paths where a clearer problem was already reported; pattern/format errors there are dropped.
  covered?: ReadonlySet<string>;
}

// Validates source.data in place (filling defaults) and returns its problems.
export function checkSchema(
  validate: ValidateFunction,
  source: Source,
  options: SchemaCheckOptions = {},
): SiteProblem[] {
  if (validate(source.data)) return [];
  const problems: SiteProblem[] = [];
  const seen = new Set<string>();
  for (const err of validate.errors ?? []) {
    // if/then and propertyNames only summarise errors that are reported on their own.
    if (err.keyword === 'if' || err.keyword === 'propertyNames') continue;
    const problem = toProblem(err, source, options.redactValues ?? false);
    if ((err.keyword === 'pattern' || err.keyword === 'format') && options.covered?.has(problem.path)) continue;
    // A conditional branch re-checks a property; report each problem once.
    const key = `${problem.code}|${problem.path}|${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function toProblem(err: ErrorObject, source: Source, redact: boolean): SiteProblem {
  const base = fromPointer(err.instancePath, source.data);
  const parent = (err.parentSchema ?? {}) as SchemaNode;
  const params = err.params as Record<string, unknown>;
  let path: PathSegment[] = base;
  let key = false;
  let message: string;
  let expected = typeof parent['x-expected'] === 'string' ? parent['x-expected'] : undefined;

  switch (err.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      path = [...base, missing];
      const child = propertySchema(parent, missing);
      const reason = typeof parent['x-reason'] === 'string' ? `: ${parent['x-reason']}` : '';
      message = `missing required key "${missing}"${reason}`;
      expected = describeSchema(child);
      break;
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      path = [...base, extra];
      key = true;
      const known = Object.keys((parent.properties ?? {}) as SchemaNode);
      const hint = redact ? undefined : didYouMean(extra, known);
      message = redact
        ? 'unknown key (not shown)'
        : `unknown key "${extra}"${hint ? ` (did you mean "${hint}"?)` : ''}`;
      expected = known.length > 0 ? `one of: ${known.join(', ')}` : 'no keys here';
      break;
    }
    case 'type': {
      // YAML reads 4.16 or 0800 as numbers; quoting is the fix people miss, unless the schema
      // says what a bare number means there (a duration without its unit).
      const numberHint = typeof parent['x-if-number'] === 'string' ? parent['x-if-number'] : 'put the value in quotes';
      const hint = params.type === 'string' && typeof err.data === 'number' ? ` (${numberHint})` : '';
      message = `expected ${describeSchema(parent) ?? String(params.type)}, got ${describeValue(err.data)}${hint}`;
      expected = undefined;
      break;
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof err.data === 'string' ? didYouMean(err.data, allowed) : undefined;
      message = `${redact ? 'this value' : quote(err.data)} is not allowed${hint ? ` (did you mean "${hint}"?)` : ''}`;
      expected = `one of: ${allowed.join(', ')}`;
      break;
    }
    case 'pattern':
    case 'format':
      if (err.propertyName !== undefined) {
        path = [...base, err.propertyName];
        key = true;
        message = redact
          ? 'a key that is not a valid name (not shown)'
          : `${quote(err.propertyName)} is not a valid name`;
      } else {
        message = `${redact ? 'this value' : quote(err.data)} is not valid`;
      }
      expected ??= err.keyword === 'format' ? `format ${String(params.format)}` : 'text matching the schema';
      break;
    case 'minimum':
    case 'maximum':
    case 'minItems':
    case 'maxItems':
    case 'minLength':
    case 'maxLength':
    case 'minProperties':
      message = describeRange(err.keyword, Number(params.limit), err.data, redact);
      expected = undefined;
      break;
    default:
      message = `${err.message ?? 'is invalid'}${redact ? '' : `, got ${quote(err.data)}`}`;
      expected = undefined;
  }
  const { line, col } = source.locate(path, { key });
  const code = CODE_BY_KEYWORD[err.keyword] ?? 'SCHEMA_INVALID';
  // A redacted key is pointed at by position only: its name is file text too.
  const named = redact && key ? path.slice(0, -1) : path;
  const shown = redact && !named.every((seg) => typeof seg === 'number' || SAFE_KEY.test(seg)) ? [] : named;
  return {
    severity: 'error',
    code,
    file: source.display,
    line,
    col,
    path: formatPath(shown),
    message,
    ...(expected ? { expected } : {}),
  };
}

// Plain words for a value outside its bounds; secret values are described, never quoted.
function describeRange(keyword: string, limit: number, data: unknown, redact: boolean): string {
  const size = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  switch (keyword) {
    case 'minimum':
      return `${redact ? 'the value' : String(data)} is below the minimum of ${limit}`;
    case 'maximum':
      return `${redact ? 'the value' : String(data)} is above the maximum of ${limit}`;
    case 'minItems':
      return `has ${size((data as unknown[]).length, 'item')}; at least ${limit} needed`;
    case 'maxItems':
      return `has ${size((data as unknown[]).length, 'item')}; at most ${limit} allowed`;
    case 'minLength':
      return `is shorter than ${size(limit, 'character')}`;
    case 'maxLength':
      return `is longer than ${size(limit, 'character')}`;
    default:
      return `is empty; give at least ${size(limit, 'key')}`;
  }
}

function propertySchema(schema: SchemaNode, name: string): SchemaNode | undefined {
  const props = schema.properties as Record<string, SchemaNode> | undefined;
  return props?.[name];
}

// Plain words for what a schema accepts, for "expected ..." texts.
function describeSchema(schema: SchemaNode | undefined): string | undefined {
  if (schema === undefined) return undefined;
  if (typeof schema['x-expected'] === 'string') return schema['x-expected'];
  if (Array.isArray(schema.enum)) return `one of: ${schema.enum.join(', ')}`;
  switch (schema.type) {
    case 'object':
      return 'a mapping (key: value lines)';
    case 'array':
      return 'a list ("- item" lines or [a, b])';
    case 'string':
      return 'a string';
    case 'integer':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    default:
      return undefined;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}

// A short, escaped rendering of a user value; control characters cannot reach the terminal.
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const short = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return JSON.stringify(short);
}
