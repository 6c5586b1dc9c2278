// Go's encoding/json as kubectl and the API server meet malformed input: the scanner's syntax
// errors (encoding/json scanner.go, which sigs.k8s.io/json forks), the Decoder's stream of
// values (a JSON manifest file) and the type names of an UnmarshalTypeError.

const isSpace = (c) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c) => c >= 0x30 && c <= 0x39;
const isHex = (c) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
const ch = (s) => s.charCodeAt(0);

// scanner.go quoteChar: strconv.Quote of the byte, in single quotes.
const SHORT = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r' };
function quoteChar(c) {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  if (c === 0x5c) return `'\\\\'`;
  if (SHORT[c]) return `'\\${SHORT[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  return `'${String.fromCharCode(c)}'`;
}

export class JsonSyntaxError extends Error {
  constructor(message, offset) {
    super(message);
    this.offset = offset;
  }
}

// The scanner's state machine (scanner.go): step(c) per byte returns CONTINUE, END (the value
// ended before this byte), CLOSED (this byte closed the outermost object or array) or ERROR.
const CONTINUE = 0;
const END = 1;
const CLOSED = 2;
const ERROR = 3;
const OBJECT_KEY = 0;
const OBJECT_VALUE = 1;
const ARRAY_VALUE = 2;

function scanner() {
  const s = { parse: [], err: undefined, bytes: 0, endTop: false };
  const fail = (c, context) => {
    s.err ??= new JsonSyntaxError(`invalid character ${quoteChar(c)} ${context}`, s.bytes);
    s.step = () => ERROR;
    return ERROR;
  };
  const literal = (rest, name) => {
    let i = 0;
    const step = (c) => {
      if (c !== ch(rest[i])) return fail(c, `in literal ${name} (expecting ${quoteChar(ch(rest[i]))})`);
      i += 1;
      if (i === rest.length) s.step = endValue;
      return CONTINUE;
    };
    return step;
  };
  const popped = () => {
    s.parse.pop();
    if (s.parse.length === 0) {
      s.endTop = true;
      s.step = endTop;
      return CLOSED;
    }
    s.step = endValue;
    return CONTINUE;
  };
  function beginValueOrEmpty(c) {
    if (isSpace(c)) return CONTINUE;
    if (c === ch(']')) return endValue(c);
    return beginValue(c);
  }
  function beginValue(c) {
    if (isSpace(c)) return CONTINUE;
    switch (c) {
      case ch('{'):
        s.step = beginStringOrEmpty;
        s.parse.push(OBJECT_KEY);
        return CONTINUE;
      case ch('['):
        s.step = beginValueOrEmpty;
        s.parse.push(ARRAY_VALUE);
        return CONTINUE;
      case ch('"'):
        s.step = inString;
        return CONTINUE;
      case ch('-'):
        s.step = neg;
        return CONTINUE;
      case ch('0'):
        s.step = zero;
        return CONTINUE;
      case ch('t'):
        s.step = literal('rue', 'true');
        return CONTINUE;
      case ch('f'):
        s.step = literal('alse', 'false');
        return CONTINUE;
      case ch('n'):
        s.step = literal('ull', 'null');
        return CONTINUE;
    }
    if (c >= ch('1') && c <= ch('9')) {
      s.step = one;
      return CONTINUE;
    }
    return fail(c, 'looking for beginning of value');
  }
  function beginStringOrEmpty(c) {
    if (isSpace(c)) return CONTINUE;
    if (c === ch('}')) {
      s.parse[s.parse.length - 1] = OBJECT_VALUE;
      return endValue(c);
    }
    return beginString(c);
  }
  function beginString(c) {
    if (isSpace(c)) return CONTINUE;
    if (c === ch('"')) {
      s.step = inString;
      return CONTINUE;
    }
    return fail(c, 'looking for beginning of object key string');
  }
  function endValue(c) {
    const n = s.parse.length;
    if (n === 0) {
      s.endTop = true;
      s.step = endTop;
      return endTop(c);
    }
    if (isSpace(c)) {
      s.step = endValue;
      return CONTINUE;
    }
    switch (s.parse[n - 1]) {
      case OBJECT_KEY:
        if (c === ch(':')) {
          s.parse[n - 1] = OBJECT_VALUE;
          s.step = beginValue;
          return CONTINUE;
        }
        return fail(c, 'after object key');
      case OBJECT_VALUE:
        if (c === ch(',')) {
          s.parse[n - 1] = OBJECT_KEY;
          s.step = beginString;
          return CONTINUE;
        }
        if (c === ch('}')) return popped();
        return fail(c, 'after object key:value pair');
      default:
        if (c === ch(',')) {
          s.step = beginValue;
          return CONTINUE;
        }
        if (c === ch(']')) return popped();
        return fail(c, 'after array element');
    }
  }
  function endTop(c) {
    if (!isSpace(c)) fail(c, 'after top-level value');
    return END;
  }
  function inString(c) {
    if (c === ch('"')) {
      s.step = endValue;
      return CONTINUE;
    }
    if (c === ch('\\')) {
      s.step = inStringEsc;
      return CONTINUE;
    }
    if (c < 0x20) return fail(c, 'in string literal');
    return CONTINUE;
  }
  function inStringEsc(c) {
    if ('bfnrt\\/"'.includes(String.fromCharCode(c))) {
      s.step = inString;
      return CONTINUE;
    }
    if (c === ch('u')) {
      let n = 0;
      s.step = (h) => {
        if (!isHex(h)) return fail(h, 'in \\u hexadecimal character escape');
        n += 1;
        if (n === 4) s.step = inString;
        return CONTINUE;
      };
      return CONTINUE;
    }
    return fail(c, 'in string escape code');
  }
  function neg(c) {
    if (c === ch('0')) {
      s.step = zero;
      return CONTINUE;
    }
    if (c >= ch('1') && c <= ch('9')) {
      s.step = one;
      return CONTINUE;
    }
    return fail(c, 'in numeric literal');
  }
  function one(c) {
    if (isDigit(c)) return CONTINUE;
    return zero(c);
  }
  function zero(c) {
    if (c === ch('.')) {
      s.step = dot;
      return CONTINUE;
    }
    if (c === ch('e') || c === ch('E')) {
      s.step = exp;
      return CONTINUE;
    }
    return endValue(c);
  }
  function dot(c) {
    if (isDigit(c)) {
      s.step = dot0;
      return CONTINUE;
    }
    return fail(c, 'after decimal point in numeric literal');
  }
  function dot0(c) {
    if (isDigit(c)) return CONTINUE;
    if (c === ch('e') || c === ch('E')) {
      s.step = exp;
      return CONTINUE;
    }
    return endValue(c);
  }
  function exp(c) {
    if (c === ch('+') || c === ch('-')) {
      s.step = expSign;
      return CONTINUE;
    }
    return expSign(c);
  }
  function expSign(c) {
    if (isDigit(c)) {
      s.step = exp0;
      return CONTINUE;
    }
    return fail(c, 'in exponent of numeric literal');
  }
  function exp0(c) {
    if (isDigit(c)) return CONTINUE;
    return endValue(c);
  }
  s.step = beginValue;
  return s;
}

// json.Unmarshal's checkValid: undefined for valid JSON, else the SyntaxError.
export function syntaxError(text) {
  const buf = Buffer.from(text);
  const s = scanner();
  for (const c of buf) {
    s.bytes += 1;
    if (s.step(c) === ERROR) return s.err;
  }
  // scanner.eof: a number or literal may end here; anything still open is unexpected.
  if (s.err) return s.err;
  if (!s.endTop) s.step(0x20);
  return s.endTop ? undefined : new JsonSyntaxError('unexpected end of JSON input', buf.length);
}

// json.Decoder over a stream: the next value from byte `start`, as {end} (the byte after it),
// {eof: true} when only whitespace is left, or {error} (a JsonSyntaxError whose offset counts
// from `start`, or io.ErrUnexpectedEOF's "unexpected EOF").
export function decodeNext(buf, start) {
  const s = scanner();
  let seen = false;
  for (let i = start; i < buf.length; i++) {
    const c = buf[i];
    if (!isSpace(c)) seen = true;
    s.bytes += 1;
    const r = s.step(c);
    if (r === END) return { end: i };
    if (r === CLOSED) return { end: i + 1 };
    if (r === ERROR) return { error: s.err };
  }
  if (!seen) return { eof: true };
  if (s.step(0x20) === END) return { end: buf.length };
  return { error: new Error('unexpected EOF') };
}

// The JSON type names an UnmarshalTypeError reports.
export function jsonTypeName(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // string, number
}
