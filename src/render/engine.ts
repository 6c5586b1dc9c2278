// The only ejs importer: loads templates from kickstart/, blueprints/ and overlays/, compiles
// them strictly, and makes `<%= %>` accept only values a quoting helper produced.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ejs from 'ejs';
import { FyrError } from '../errors.js';
import { PACKAGE_ROOT } from '../util/package-info.js';
import { q, Quoted, UnsafeValueError } from './quote.js';

export type TemplateRoot = 'kickstart' | 'blueprints' | 'overlays';

// Raised inside a template when `<%= %>` receives a plain string: the template forgot to quote.
class UnquotedValueError extends Error {}

// ejs calls this for every `<%= %>`. Quoted text and numbers pass; anything else is a template bug.
function requireQuoted(value: unknown): string {
  if (value instanceof Quoted) return value.text;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  // The value is not shown: it may be a secret.
  throw new UnquotedValueError(`<%= %> got a plain ${typeof value}; quote it with a q.* helper`);
}

const cache = new Map<string, ejs.TemplateFunction>();

function compile(file: string): ejs.TemplateFunction {
  const cached = cache.get(file);
  if (cached) return cached;
  const source = readFileSync(file, 'utf8');
  // `<%-` prints raw text, the one way around the quoting helpers; templates may not use it.
  if (source.includes('<%-'))
    throw new FyrError(
      'RENDER_TEMPLATE',
      `${file}: templates may not use <%- (unescaped output); use <%= with a q.* helper`,
    );
  // NOTE: ejs also passes the template's file name through `escape` when it builds an error
  // message; that one string is let through so the real error is not masked.
  const escape = (value: unknown) => (value === file ? file : requireQuoted(value));
  const fn = ejs.compile(source, {
    filename: file,
    strict: true,
    localsName: 'it',
    destructuredLocals: ['q'],
    escape,
    async: false,
  });
  cache.set(file, fn);
  return fn;
}

// Renders root/name with `it` (the view) and `q` (the quoting helpers) in scope.
export function renderTemplate(root: TemplateRoot, name: string, view: object): string {
  const file = join(PACKAGE_ROOT, root, name);
  try {
    return compile(file)({ ...view, q });
  } catch (err) {
    if (err instanceof FyrError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    // ejs prefixes the template position; keep it, it is what a template author needs.
    const kind = err instanceof UnsafeValueError ? 'a value cannot be written safely' : 'template failed';
    throw new FyrError('RENDER_TEMPLATE', `rendering ${root}/${name}: ${kind}: ${message}`, { cause: err });
  }
}
