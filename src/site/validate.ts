// Validates a site file in three phases: parse (YAML with positions) -> schema (ajv, defaults
// filled) -> named cross-field rules on the normalized model. Returns every problem found and
// throws only when the site file itself cannot be read.
import { realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { FyrError } from '../errors.js';
import type { SiteProblem } from './problem-codes.js';
import type { Site } from './model.js';
import { normalizeSite } from './normalize.js';
import { formatPath } from './path.js';
import { RULES, type Finding } from './rules/index.js';
import type { SiteInput } from './schema.js';
import { checkSchema } from './schema-check.js';
import secretsValidator from './secrets.validator.js';
import siteValidator from './site.validator.js';
import type { SchemaValidator } from '../util/json-schema.js';
import { SecretStore } from './secrets.js';
import { loadYamlFile, UnreadableFileError, type Source } from './source.js';
import { findUnsafeValues } from './unsafe.js';

export interface ValidateOptions {
  // Use this secrets file instead of the one the site names.
  secretsFile?: string;
  // Check the site alone (e.g. in a repository without secrets); reported as a warning.
  skipSecrets?: boolean;
  // A secrets file others can read is an error (--strict), not a warning.
  strictPermissions?: boolean;
}

export interface ValidationResult {
  // Present only when there are no errors.
  site?: Site;
  errors: SiteProblem[];
  warnings: SiteProblem[];
}

// Generated from schema.ts ahead of time (make docs): compiling costs more than validating.
function getValidators() {
  return { site: siteValidator as unknown as SchemaValidator, secrets: secretsValidator as unknown as SchemaValidator };
}

export async function validateSiteFile(file: string, options: ValidateOptions = {}): Promise<ValidationResult> {
  const loaded = await loadOrThrow(file, file);
  if (!loaded.ok) return split(loaded.problems);
  const source = loaded.source;

  const problems: SiteProblem[] = [];
  // An unsafe value's own pattern error would only repeat it less plainly. But a leading "-"
  // matters only where the pattern lets it through: where the pattern rejects it (-1h for a
  // duration), the schema's message, which says what the field takes, is the one to read.
  const unsafeValues = findUnsafeValues(source.data);
  const covered = new Set(unsafeValues.filter((u) => !u.option).map((u) => formatPath(u.path)));
  // Read before the validator fills in the default, to tell "named" from "defaulted".
  const named = (source.data as { secrets?: unknown } | null)?.secrets;
  const schemaProblems = checkSchema(getValidators().site, source, { covered });
  const rejected = new Set(schemaProblems.map((p) => p.path));
  for (const unsafe of unsafeValues) {
    if (unsafe.option && rejected.has(formatPath(unsafe.path))) continue;
    problems.push(
      at(source, {
        code: 'UNSAFE_VALUE',
        path: unsafe.path,
        message: unsafe.reason,
        expected: 'plain text without quotes, shell or config syntax',
      }),
    );
  }
  problems.push(...schemaProblems);

  const secrets = await loadSecrets(source, typeof named === 'string' ? named : undefined, file, options, problems);
  if (problems.some((p) => p.severity === 'error')) return split(problems);

  const input = source.data as SiteInput;
  const site = normalizeSite(input, resolve(file), file, secrets.store);
  const report = (finding: Finding) => {
    const target = finding.inSecrets && secrets.source ? secrets.source : source;
    problems.push(at(target, finding));
  };
  for (const rule of RULES) rule({ site, input, report });

  const result = split(problems);
  return result.errors.length === 0 ? { site, ...result } : result;
}

async function loadOrThrow(file: string, display: string) {
  try {
    return await loadYamlFile(file, display);
  } catch (err) {
    if (err instanceof UnreadableFileError) {
      throw new FyrError('SITE_UNREADABLE', `cannot read site file ${display}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

// Loads the secrets file the site names (or the override); its problems join the list.
async function loadSecrets(
  site: Source,
  named: string | undefined,
  siteFile: string,
  options: ValidateOptions,
  problems: SiteProblem[],
): Promise<{ store: SecretStore; source?: Source }> {
  if (options.skipSecrets) {
    problems.push(
      at(site, {
        severity: 'warning',
        code: 'SECRETS_SKIPPED',
        path: [],
        message: 'secrets were not checked (--no-secrets)',
        expected: 'a full check before building',
      }),
    );
    return { store: SecretStore.empty() };
  }
  const display = options.secretsFile ?? normalizeDisplay(join(dirname(siteFile), named ?? './secrets.yaml'));
  const refPath = named !== undefined && options.secretsFile === undefined ? ['secrets'] : [];
  // A site file is often someone else's: its `secrets:` may not reach out of its directory
  // (through "..", an absolute path or a link), only --secrets names a file anywhere.
  if (options.secretsFile === undefined && !insideDirectory(display, dirname(siteFile))) {
    problems.push(
      at(site, {
        code: 'SECRETS_OUTSIDE',
        path: refPath,
        message: `the secrets file is outside the site's directory ${dirname(siteFile)}`,
        expected: 'a secrets file beside the site file, or --secrets FILE to name one elsewhere',
      }),
    );
    return { store: SecretStore.empty() };
  }
  let loaded;
  try {
    loaded = await loadYamlFile(display, display, { redact: 'this is the secrets file' });
  } catch (err) {
    if (!(err instanceof UnreadableFileError)) throw err;
    problems.push(
      at(site, {
        code: 'SECRETS_UNREADABLE',
        path: refPath,
        message: `cannot read secrets file ${display}: ${err.message}${refPath.length === 0 && options.secretsFile === undefined ? ' (the default; set "secrets:" to name another)' : ''}`,
        expected: 'a secrets file (`fyr init` writes one), --secrets FILE, or --no-secrets to check the site alone',
      }),
    );
    return { store: SecretStore.empty() };
  }
  if (!loaded.ok) {
    // Parser messages can quote file text (an unquoted `!value` reads as a tag and comes back
    // as "unresolved tag: !value"): the loader keeps only fyr's own texts (redact).
    problems.push(...loaded.problems);
    return { store: SecretStore.empty() };
  }
  const schemaProblems = checkSchema(getValidators().secrets, loaded.source, { redactValues: true });
  problems.push(...schemaProblems);
  const data = loaded.source.data;
  const values = new Map<string, string>();
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    for (const [key, value] of Object.entries(data)) if (typeof value === 'string') values.set(key, value);
  }
  const shared = sharedWith(display);
  if (shared !== undefined) {
    problems.push(
      at(site, {
        severity: options.strictPermissions ? 'error' : 'warning',
        code: 'SECRETS_SHARED',
        path: refPath,
        message: `the secrets file ${display} is readable by ${shared}`,
        expected: `a file only its owner reads: chmod 600 ${display}`,
      }),
    );
  }
  return { store: new SecretStore(values, display), source: loaded.source };
}

// Who besides its owner may read the file, as ssh asks of a private key; undefined: nobody.
function sharedWith(file: string): string | undefined {
  const mode = statSync(file, { throwIfNoEntry: false })?.mode ?? 0;
  const octal = (mode & 0o777).toString(8);
  if (mode & 0o004) return `every user (mode ${octal})`;
  if (mode & 0o040) return `its group (mode ${octal})`;
  return undefined;
}

// Whether `file` (resolving links, when it exists) lies inside `dir` (resolving links too).
function insideDirectory(file: string, dir: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const rel = relative(real(dir), real(file));
  return rel !== '' && rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel);
}

function normalizeDisplay(path: string): string {
  const rel = relative(process.cwd(), resolve(path));
  return rel.startsWith('..') ? resolve(path) : rel;
}

function at(source: Source, finding: Finding): SiteProblem {
  // Findings in the secrets file point at the key: the value is never shown.
  const { line, col } = source.locate(finding.path, { key: finding.inSecrets === true });
  return {
    severity: finding.severity ?? 'error',
    code: finding.code,
    file: source.display,
    line,
    col,
    path: formatPath(finding.path),
    message: finding.message,
    ...(finding.expected ? { expected: finding.expected } : {}),
  };
}

// Errors and warnings apart, each in file then position order.
function split(problems: SiteProblem[]): { errors: SiteProblem[]; warnings: SiteProblem[] } {
  const order = (a: SiteProblem, b: SiteProblem) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col;
  return {
    errors: problems.filter((p) => p.severity === 'error').sort(order),
    warnings: problems.filter((p) => p.severity === 'warning').sort(order),
  };
}
