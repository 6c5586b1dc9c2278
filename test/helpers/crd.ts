// Checks a rendered Kubernetes object against the OpenAPI v3 schema of its upstream CRD, vendored
// in test/fixtures/crds/ (one JSON file per kind, its source named in it; test/fixtures/crds/README.md
// says how to refresh them). For the custom resources the agent creates: LVMCluster,
// StorageCluster, LocalVolumeSet, the OLM kinds, OperatorHub and the image registry's Config.
//
// Stricter than the API server on purpose, in one way: an object field the schema does not name
// (and where it neither sets additionalProperties nor x-kubernetes-preserve-unknown-fields) is a
// problem here. The API server would accept it and silently prune it (structural schema pruning),
// so a misspelt or misplaced field would be dropped without a word: for us that is a bug.
// Not checked: x-kubernetes-validations (CEL; the rules are listed in the README) and defaults
// (never applied: the object is not changed).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const DIR = 'test/fixtures/crds';

export interface VendoredCrd {
  source: string;
  group: string;
  version: string;
  kind: string;
  scope: 'Namespaced' | 'Cluster';
  note?: string;
  openAPIV3Schema: Record<string, unknown>;
}

// apiVersion + ' ' + kind -> the vendored CRD.
export const VENDORED_CRDS: ReadonlyMap<string, VendoredCrd> = new Map(
  readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as VendoredCrd)
    .map((crd) => [`${crd.group}/${crd.version} ${crd.kind}`, crd]),
);

// ajv-formats is CommonJS: under NodeNext the default import is module.exports.
const addFormats = addFormatsModule.default;

const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, validateFormats: true });
addFormats(ajv, ['date-time']);
const INT32 = 2 ** 31;
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
// Go durations ("1h30m", "500ms", "0"), which is what the CRDs' duration fields take.
ajv.addFormat('duration', /^(0|[-+]?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$/);
// Rewritten to anyOf below; registered so a leftover never fails compilation.
ajv.addFormat('int-or-string', () => true);
// x-kubernetes-list-type: set (items unique) and map (unique by x-kubernetes-list-map-keys): the
// API server rejects duplicates.
ajv.addKeyword({
  keyword: 'x-kubernetes-list-type',
  type: 'array',
  schemaType: 'string',
  validate: (listType: string, data: unknown[], parent?: Record<string, unknown>) =>
    duplicates(listType, data, parent).length === 0,
});

function duplicates(listType: string, data: unknown[], parent: Record<string, unknown> | undefined): string[] {
  const keys = parent?.['x-kubernetes-list-map-keys'] as string[] | undefined;
  const id =
    listType === 'set'
      ? (x: unknown) => JSON.stringify(x)
      : listType === 'map' && keys
        ? (x: unknown) => JSON.stringify(keys.map((k) => (x as Record<string, unknown> | null)?.[k]))
        : undefined;
  if (!id) return [];
  const seen = new Set<string>();
  const dup: string[] = [];
  for (const x of data) {
    const k = id(x);
    if (seen.has(k)) dup.push(k);
    seen.add(k);
  }
  return dup;
}

// What the API server keeps of metadata (ObjectMeta, the fields a client may send).
const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } };
const OBJECT_META = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    generateName: { type: 'string' },
    namespace: { type: 'string' },
    labels: STRING_MAP,
    annotations: STRING_MAP,
    finalizers: { type: 'array', items: { type: 'string' } },
    ownerReferences: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    generation: { type: 'integer' },
    creationTimestamp: { type: ['string', 'null'] },
    deletionTimestamp: { type: 'string' },
    deletionGracePeriodSeconds: { type: 'integer' },
    managedFields: { type: 'array' },
  },
};

const COMBINATORS = new Set(['anyOf', 'allOf', 'oneOf', 'not']);

// Makes the CRD schema say what the API server does: int-or-string as anyOf, and unknown fields
// closed off wherever the server would prune them. Schemas under anyOf/allOf/oneOf/not are value
// validations only (structural schemas allow no types or pruning rules there): left alone.
function prepare(node: unknown, inCombinator: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => prepare(n, inCombinator));
  if (!node || typeof node !== 'object') return node;
  const s: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties') {
      s[k] = Object.fromEntries(Object.entries(v as object).map(([name, p]) => [name, prepare(p, inCombinator)]));
    } else if (k === 'default' || k === 'enum' || k === 'example' || k === 'x-kubernetes-validations') {
      s[k] = v;
    } else {
      s[k] = prepare(v, inCombinator || COMBINATORS.has(k));
    }
  }
  if (s['format'] === 'int-or-string' || s['x-kubernetes-int-or-string'] === true) {
    if (s['format'] === 'int-or-string') delete s['format'];
    delete s['type'];
    s['anyOf'] ??= [{ type: 'integer' }, { type: 'string' }];
  }
  const open = s['x-kubernetes-preserve-unknown-fields'] === true || s['additionalProperties'] !== undefined;
  if (!inCombinator && !open && (s['type'] === 'object' || s['properties'] !== undefined)) {
    s['additionalProperties'] = false;
  }
  return s;
}

const compiled = new Map<string, ValidateFunction>();

function validator(key: string, crd: VendoredCrd): ValidateFunction {
  let v = compiled.get(key);
  if (!v) {
    const schema = prepare(structuredClone(crd.openAPIV3Schema), false) as Record<string, unknown>;
    (schema['properties'] as Record<string, unknown>)['metadata'] = prepare(OBJECT_META, false);
    v = ajv.compile(schema);
    compiled.set(key, v);
  }
  return v;
}

// "/spec/storage/deviceClasses/0/fstype" -> "spec.storage.deviceClasses[0].fstype".
function fieldPath(pointer: string, extra?: string): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) segments.push(extra);
  let out = '';
  for (const s of segments) {
    if (/^\d+$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out === '' ? '(root)' : out;
}

function shown(x: unknown): string {
  const text = JSON.stringify(x);
  return text === undefined ? String(x) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function message(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${fieldPath(e.instancePath, String(p['missingProperty']))}: is required`;
    case 'additionalProperties':
      return `${fieldPath(e.instancePath, String(p['additionalProperty']))}: unknown field (not in the CRD's schema; the API server would silently prune it)`;
    case 'enum':
      return `${fieldPath(e.instancePath)}: must be equal to one of the allowed values (${(p['allowedValues'] as unknown[]).map(String).join(', ')}), not ${shown(e.data)}`;
    case 'type':
      return `${fieldPath(e.instancePath)}: must be ${String(p['type']).replace(',', ' or ')}, not ${shown(e.data)}`;
    case 'x-kubernetes-list-type': {
      const parent = e.parentSchema as Record<string, unknown> | undefined;
      const dup = duplicates(String(e.schema), e.data as unknown[], parent);
      const keys = parent?.['x-kubernetes-list-map-keys'] as string[] | undefined;
      return `${fieldPath(e.instancePath)}: duplicate entries (list-type ${String(e.schema)}${keys ? ` keyed by ${keys.join(', ')}` : ''}): ${dup.join(', ')}`;
    }
    default:
      return `${fieldPath(e.instancePath)}: ${e.message ?? e.keyword}${e.data !== undefined && typeof e.data !== 'object' ? ` (${shown(e.data)})` : ''}`;
  }
}

// One problem per failure: an anyOf's branches collapse into one line ("must be integer or
// string", as for a quantity), other errors under a failed anyOf are dropped with it.
function readable(errors: readonly ErrorObject[]): string[] {
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const under = (e: ErrorObject) => anyOfs.find((a) => a !== e && e.schemaPath.startsWith(`${a.schemaPath}/`));
  const out: string[] = [];
  for (const e of errors) {
    if (under(e)) continue;
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') {
      const branches = errors.filter((b) => b.schemaPath.startsWith(`${e.schemaPath}/`));
      const parts = branches.every((b) => b.keyword === 'type')
        ? [`must be ${branches.map((b) => String((b.params as { type: unknown }).type)).join(' or ')}`]
        : [
            ...new Set(
              branches.map((b) =>
                message(b)
                  .replace(/^.*?: /, '')
                  .replace(/, not .*$/, ''),
              ),
            ),
          ];
      out.push(`${fieldPath(e.instancePath)}: ${parts.join(' or ')}, not ${shown(e.data)}`);
    } else {
      out.push(message(e));
    }
  }
  return [...new Set(out)];
}

// A DNS-1123 subdomain: what every object's name must be for these kinds.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

// The problems with obj as an instance of its vendored CRD, empty when there are none.
export function crdProblems(obj: unknown): string[] {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return ['(root): must be an object'];
  const o = obj as Record<string, unknown>;
  const key = `${String(o['apiVersion'])} ${String(o['kind'])}`;
  const crd = VENDORED_CRDS.get(key);
  if (!crd) return [`no vendored CRD for ${key}`];
  const problems: string[] = [];
  const meta = o['metadata'] as Record<string, unknown> | undefined;
  const name = meta?.['name'];
  if (typeof name !== 'string' || name === '') problems.push('metadata.name: is required');
  else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    problems.push(`metadata.name: must be a DNS-1123 subdomain (lower case, digits, '-', '.'), not ${shown(name)}`);
  }
  const namespace = meta?.['namespace'];
  if (crd.scope === 'Namespaced' && (typeof namespace !== 'string' || namespace === '')) {
    problems.push(`metadata.namespace: is required (${crd.kind} is namespaced)`);
  }
  if (crd.scope === 'Cluster' && namespace !== undefined) {
    problems.push(`metadata.namespace: must not be set (${crd.kind} is cluster-scoped)`);
  }
  const validate = validator(key, crd);
  if (!validate(obj)) problems.push(...readable(validate.errors ?? []));
  return [...new Set(problems)];
}

// Throws with every problem, one a line, when obj is not a valid instance of its vendored CRD.
export function assertCrdValid(obj: unknown): void {
  const problems = crdProblems(obj);
  if (problems.length > 0) {
    const o = (obj ?? {}) as { kind?: unknown; metadata?: { name?: unknown } };
    throw new Error(
      `${String(o.kind)} ${String(o.metadata?.name)} is not valid against its CRD:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
}
