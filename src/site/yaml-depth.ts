// The nesting depth of a YAML text, capped before and after parsing: half a megabyte of "[" or
// "- - - ..." costs the parser seconds and hundreds of MB, and deeper data overflows the stack of
// whatever walks it next. Site files nest about 6 levels.

export const MAX_DEPTH = 64;

// The offset where the text first nests deeper than `max` in flow collections ([ {) or in
// sequence entries on one line ("- - - x"), or undefined. A scan, not a parse: quotes and
// comments are skipped, which is all it takes to find a runaway document.
export function scanDepth(text: string, max = MAX_DEPTH): number | undefined {
  let flow = 0;
  let lineStart = true;
  let dashes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      lineStart = true;
      dashes = 0;
      continue;
    }
    if (lineStart && (c === 0x20 || c === 0x09)) continue;
    if (lineStart && (c === 0x2d || c === 0x3f) && (text.charCodeAt(i + 1) === 0x20 || i + 1 === text.length)) {
      // "- " or "? ": one more block level on this line.
      if (++dashes > max) return i;
      i++;
      continue;
    }
    lineStart = false;
    if (c === 0x23 && (i === 0 || text.charCodeAt(i - 1) === 0x20 || text.charCodeAt(i - 1) === 0x09)) {
      i = skipTo(text, i, 0x0a) - 1;
    } else if ((c === 0x22 || c === 0x27) && startsScalar(text, i)) {
      i = skipQuoted(text, i, c);
    } else if (c === 0x5b || c === 0x7b) {
      if (++flow > max) return i;
    } else if ((c === 0x5d || c === 0x7d) && flow > 0) {
      flow--;
    }
  }
  return undefined;
}

// A node nested deeper than `max` in parsed data's shape, found without recursion: the path
// of keys and indexes down to it, or undefined.
export function deepestPath(data: unknown, max = MAX_DEPTH): Array<string | number> | undefined {
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value: data, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= max) return path;
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
    for (const [key, child] of entries) stack.push({ value: child, path: [...path, key] });
  }
  return undefined;
}

// A quote opens a quoted scalar only where a value starts (an apostrophe inside plain text
// does not), so text after "it's" is still scanned.
function startsScalar(text: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  return i < 0 || ':-[{,?\n'.includes(text[i]!);
}

function skipTo(text: string, from: number, char: number): number {
  const at = text.indexOf(String.fromCharCode(char), from);
  return at === -1 ? text.length : at;
}

// The index of the closing quote (a doubled '' or a \" escape stays inside), or the text's end.
function skipQuoted(text: string, from: number, quote: number): number {
  for (let i = from + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote === 0x22 && c === 0x5c) i++;
    else if (c === quote) {
      if (quote === 0x27 && text.charCodeAt(i + 1) === 0x27) i++;
      else return i;
    }
  }
  return text.length;
}
