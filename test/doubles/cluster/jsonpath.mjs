// kubectl's -o jsonpath (k8s.io/client-go/util/jsonpath) for the forms scripts use: text and
// {…} actions; fields with escaped dots ({.metadata.annotations.auth\.openshift\.io/x}) or
// quoted ({['a.b']}); [n], [a:b], [*]; filters [?(@.type=="Ready")] with == != < > <= >=;
// {range …}…{end}; string literals {"\n"}. Missing keys print nothing (kubectl get allows
// missing keys by default); strings print raw, maps and lists as compact JSON, several
// results of one action joined by a space.
import { compactJson } from './util.mjs';

function parseTemplate(text) {
  const nodes = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{', i);
    if (open < 0) {
      nodes.push({ text: text.slice(i) });
      break;
    }
    if (open > i) nodes.push({ text: text.slice(i, open) });
    let j = open + 1;
    let quote = '';
    for (; j < text.length; j++) {
      const ch = text[j];
      if (quote) {
        if (ch === '\\') j++;
        else if (ch === quote) quote = '';
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '\\') j++;
      else if (ch === '}') break;
    }
    if (j >= text.length) throw new Error(`unclosed action`);
    nodes.push({ action: text.slice(open + 1, j).trim() });
    i = j + 1;
  }
  // Nest {range}…{end}.
  const root = [];
  const stack = [root];
  for (const n of nodes) {
    if (n.action?.startsWith('range ')) {
      const r = { range: parsePath(n.action.slice(6).trim()), body: [] };
      stack.at(-1).push(r);
      stack.push(r.body);
    } else if (n.action === 'end') {
      if (stack.length === 1) throw new Error('not in range, nothing to end');
      stack.pop();
    } else if (n.action !== undefined && /^["']/.test(n.action)) stack.at(-1).push({ text: unquote(n.action) });
    else if (n.action !== undefined) stack.at(-1).push({ path: parsePath(n.action) });
    else stack.at(-1).push(n);
  }
  if (stack.length !== 1) throw new Error('unclosed range');
  return root;
}

function unquote(s) {
  const q = s[0];
  const body = s.slice(1, s.lastIndexOf(q));
  return body.replace(/\\(.)/g, (_, c) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
}

function parseLiteral(s) {
  s = s.trim();
  if (/^["']/.test(s)) return unquote(s);
  if (s === 'true' || s === 'false') return s === 'true';
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  throw new Error(`unrecognized literal ${s}`);
}

// A path: segments {field}, {index}, {slice}, {all}, {filter}.
function parsePath(src) {
  const segs = [];
  let i = 0;
  if (src[0] === '$' || src[0] === '@') i = 1;
  while (i < src.length) {
    const ch = src[i];
    if (ch === '.') {
      i++;
      if (src[i] === '.') throw new Error('recursive descent is not supported by this double');
      let name = '';
      while (i < src.length && src[i] !== '.' && src[i] !== '[') {
        if (src[i] === '\\' && i + 1 < src.length) {
          name += src[i + 1];
          i += 2;
        } else name += src[i++];
      }
      if (name === '*') segs.push({ all: true });
      else if (name !== '') segs.push({ field: name });
    } else if (ch === '[') {
      let depth = 0;
      let j = i;
      let quote = '';
      for (; j < src.length; j++) {
        const c = src[j];
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '[') depth++;
        else if (c === ']' && --depth === 0) break;
      }
      const inner = src.slice(i + 1, j).trim();
      i = j + 1;
      if (inner === '*') segs.push({ all: true });
      else if (/^["']/.test(inner)) segs.push({ field: unquote(inner) });
      else if (inner.startsWith('?(') && inner.endsWith(')')) {
        const f = inner.slice(2, -1).trim();
        const m = /^(@[^=!<>]*?)\s*(==|!=|<=|>=|<|>)\s*(.+)$/.exec(f);
        segs.push(
          m
            ? { filter: { path: parsePath(m[1].trim()), op: m[2], value: parseLiteral(m[3]) } }
            : { filter: { path: parsePath(f), op: 'exists' } },
        );
      } else if (inner.includes(':')) {
        const [a, b] = inner.split(':').map((x) => (x.trim() === '' ? undefined : Number(x)));
        segs.push({ slice: [a, b] });
      } else if (/^-?\d+$/.test(inner)) segs.push({ index: Number(inner) });
      else throw new Error(`unrecognized array index ${inner}`);
    } else if (/\s/.test(ch)) i++;
    else throw new Error(`unrecognized character in action: ${JSON.stringify(ch)}`);
  }
  return segs;
}

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function evalPath(segs, roots) {
  let cur = roots;
  for (const s of segs) {
    const next = [];
    for (const v of cur) {
      if (s.field !== undefined) {
        if (isObj(v) && Object.hasOwn(v, s.field)) next.push(v[s.field]);
      } else if (s.all) {
        if (Array.isArray(v)) next.push(...v);
        else if (isObj(v))
          next.push(
            ...Object.keys(v)
              .sort()
              .map((k) => v[k]),
          );
      } else if (s.index !== undefined) {
        if (Array.isArray(v)) {
          const k = s.index < 0 ? v.length + s.index : s.index;
          if (k < 0 || k >= v.length)
            throw new Error(`array index out of bounds: index ${s.index}, length ${v.length}`);
          next.push(v[k]);
        }
      } else if (s.slice) {
        if (Array.isArray(v)) next.push(...v.slice(s.slice[0] ?? 0, s.slice[1] ?? v.length));
      } else if (s.filter) {
        const items = Array.isArray(v) ? v : isObj(v) ? Object.values(v) : [];
        for (const item of items) {
          const got = evalPath(s.filter.path, [item]);
          const { op, value } = s.filter;
          if (op === 'exists' ? got.length > 0 : got.some((g) => compare(g, op, value))) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur;
}

function compare(a, op, b) {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    default:
      return a >= b;
  }
}

const printable = (v) =>
  v !== null && typeof v === 'object' ? compactJson(v) : v === null || v === undefined ? 'null' : String(v);

function render(nodes, root) {
  let out = '';
  for (const n of nodes) {
    if (n.text !== undefined) out += n.text;
    else if (n.path) out += evalPath(n.path, [root]).map(printable).join(' ');
    else if (n.range) for (const item of evalPath(n.range, [root])) out += render(n.body, item);
  }
  return out;
}

// Throws with kubectl's text for a template it cannot parse or execute.
export function jsonpath(template, obj) {
  let nodes;
  try {
    nodes = parseTemplate(template);
  } catch (err) {
    throw new Error(`error parsing jsonpath ${template}, ${err.message}`);
  }
  try {
    return render(nodes, obj);
  } catch (err) {
    throw new Error(`error executing jsonpath ${JSON.stringify(template)}: Error executing template: ${err.message}`);
  }
}
