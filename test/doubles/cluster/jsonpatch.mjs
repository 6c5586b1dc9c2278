// The patch algebra behind oc patch and client-side oc apply, as the Go libraries compute it:
// JSON merge patch (RFC 7386; evanphx/json-patch MergePatch, CreateMergePatch), JSON patch
// (RFC 6902; gopkg.in/evanphx/json-patch.v4 Patch.Apply, which the API server uses) and
// kubectl's three-way merge (apimachinery pkg/util/jsonmergepatch
// CreateThreeWayJSONMergePatch).

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const clone = (v) => (v === undefined ? undefined : structuredClone(v));

export function deepEqual(a, b) {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

// RFC 7386: null deletes, objects merge, anything else replaces.
export function mergePatch(doc, patch) {
  if (!isObject(patch)) return clone(patch);
  const out = isObject(doc) ? clone(doc) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = isObject(v) ? mergePatch(out[k], v) : clone(v);
  }
  return out;
}

// evanphx CreateMergePatch's getDiff: what turns a into b (deleted keys as null).
function diff(a, b) {
  const into = {};
  for (const [k, bv] of Object.entries(b)) {
    if (!(k in a)) into[k] = clone(bv);
    else if (isObject(a[k]) && isObject(bv)) {
      const d = diff(a[k], bv);
      if (Object.keys(d).length > 0) into[k] = d;
    } else if (!deepEqual(a[k], bv)) into[k] = clone(bv);
  }
  for (const k of Object.keys(a)) if (!(k in b)) into[k] = null;
  return into;
}

// jsonmergepatch keepOrDeleteNullInObj: keep only the deletions, or only the rest.
function keepOrDeleteNull(m, keepNull) {
  const out = {};
  for (const [k, v] of Object.entries(m)) {
    if (v === null) {
      if (keepNull) out[k] = null;
    } else if (isObject(v)) {
      if (Object.keys(v).length === 0) {
        if (!keepNull) out[k] = v; // an explicitly empty map is a value
        continue;
      }
      const sub = keepOrDeleteNull(v, keepNull);
      if (Object.keys(sub).length > 0) out[k] = sub;
    } else if (!keepNull) out[k] = v;
  }
  return out;
}

// CreateThreeWayJSONMergePatch(original, modified, current): additions and changes from
// current to modified, deletions of what original (the last applied configuration) had and
// modified dropped; fields only the live object has are left alone.
export function threeWayMergePatch(original, modified, current) {
  const addAndChange = keepOrDeleteNull(diff(current, modified), false);
  const deletions = keepOrDeleteNull(diff(original ?? {}, modified), true);
  return mergeKeepingNulls(deletions, addAndChange);
}
// jsonpatch.MergePatch(deletePatch, addAndChangePatch): the deletions' nulls stay.
function mergeKeepingNulls(doc, patch) {
  const out = clone(doc);
  for (const [k, v] of Object.entries(patch))
    out[k] = isObject(v) && isObject(out[k]) ? mergeKeepingNulls(out[k], v) : clone(v);
  return out;
}

// RFC 6901 pointers: "/a/b~1c" names a, then "b/c".
function parsePointer(path) {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new Error(`invalid path: ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}
const arrayIndex = (key, len, { append = false } = {}) => {
  if (append && key === '-') return len;
  if (!/^(0|[1-9]\d*)$/.test(key)) throw new Error(`value was not a proper array index: '${key}'`);
  return Number(key);
};
function parentOf(doc, path, op) {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return { parent: undefined, key: undefined };
  let node = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(t, node.length)];
    else if (isObject(node)) node = node[t];
    else node = undefined;
    if (node === undefined) throw new Error(`${op} operation does not apply: doc is missing path: "${path}"`);
  }
  if (!Array.isArray(node) && !isObject(node))
    throw new Error(`${op} operation does not apply: doc is missing path: "${path}"`);
  return { parent: node, key: tokens.at(-1) };
}
function get(doc, path) {
  let node = doc;
  for (const t of parsePointer(path)) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(t)) return undefined;
      node = node[Number(t)];
    } else if (isObject(node)) node = Object.hasOwn(node, t) ? node[t] : undefined;
    else return undefined;
  }
  return node;
}
function add(doc, path, value) {
  const { parent, key } = parentOf(doc, path, 'add');
  if (parent === undefined) return clone(value);
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length, { append: true });
    if (i > parent.length) throw new Error(`Unable to access invalid index: ${i}`);
    parent.splice(i, 0, clone(value));
  } else parent[key] = clone(value);
  return doc;
}
function remove(doc, path) {
  const { parent, key } = parentOf(doc, path, 'remove');
  if (parent === undefined) throw new Error('remove operation does not apply: doc is missing path: ""');
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length);
    if (i >= parent.length) throw new Error(`Unable to access invalid index: ${i}`);
    return parent.splice(i, 1)[0];
  }
  if (!Object.hasOwn(parent, key)) throw new Error(`Unable to remove nonexistent key: ${key}: missing value`);
  const v = parent[key];
  delete parent[key];
  return v;
}

// Patch.Apply: the operations in order on a copy; the first failure throws.
export function applyJsonPatch(doc, ops) {
  let out = clone(doc);
  for (const op of ops) {
    const path = op.path;
    if (op.op !== 'test' && op.op !== undefined && typeof path !== 'string')
      throw new Error(`${op.op} operation failed to decode path`);
    switch (op.op) {
      case 'add':
        if (!('value' in op)) throw new Error('add operation, missing value field');
        out = add(out, path, op.value);
        break;
      case 'remove':
        remove(out, path);
        break;
      case 'replace': {
        if (!('value' in op)) throw new Error('replace operation, missing value field');
        if (get(out, path) === undefined)
          throw new Error(`replace operation does not apply: doc is missing key: ${path}: missing value`);
        if (path === '') out = clone(op.value);
        else {
          const { parent, key } = parentOf(out, path, 'replace');
          if (Array.isArray(parent)) parent[arrayIndex(key, parent.length)] = clone(op.value);
          else parent[key] = clone(op.value);
        }
        break;
      }
      case 'move': {
        if (get(out, op.from) === undefined) throw new Error(`move operation does not apply: doc is missing from path`);
        const v = remove(out, op.from);
        out = add(out, path, v);
        break;
      }
      case 'copy': {
        const v = get(out, op.from);
        if (v === undefined) throw new Error(`copy operation does not apply: doc is missing from path`);
        out = add(out, path, v);
        break;
      }
      case 'test': {
        const v = get(out, path);
        if (v === undefined ? !(op.value === null || op.value === undefined) : !deepEqual(v, op.value))
          throw new Error(`testing value ${path} failed: test failed`);
        break;
      }
      default:
        throw new Error(`Unexpected kind: ${op.op}`);
    }
  }
  return out;
}
