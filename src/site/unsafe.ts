// Defence in depth against values that could break out of a generated file (kickstart, named,
// dhcpd, haproxy, shell in %post, systemd units) or be read as a command-line option. The schema's
// patterns already exclude most of these; this check names the offending character plainly.
import type { PathSegment } from './path.js';

export interface UnsafeValue {
  path: PathSegment[];
  reason: string;
  // Unsafe only for its leading "-": harmless where the field's own pattern rejects it anyway.
  option: boolean;
}

const OPTION_REASON = 'starts with "-", which a program would read as an option';

const NAMED: Record<string, string> = {
  '\n': 'a newline',
  '\r': 'a carriage return',
  '\t': 'a tab',
  '\0': 'a NUL byte',
  '"': 'a double quote (")',
  "'": "a single quote (')",
  '`': 'a backtick (`)',
  $: 'a dollar sign ($)',
  ';': 'a semicolon (;)',
  '\\': 'a backslash (\\)',
  '{': 'a brace ({)',
  '}': 'a brace (})',
  '<': 'an angle bracket (<)',
  '>': 'an angle bracket (>)',
  '|': 'a pipe (|)',
  '&': 'an ampersand (&)',
  '#': 'a hash sign (#)',
};

// Characters no site value may contain, whatever the field.
const FORBIDDEN = /[\u0000-\u001f\u007f"'`$;\\{}<>|&#\u2028\u2029]/u;

// Why a string is unsafe in generated files, or undefined when it is fine.
export function unsafeReason(value: string): string | undefined {
  const match = FORBIDDEN.exec(value);
  if (match) {
    const ch = match[0];
    const name =
      NAMED[ch] ?? `the control character U+${ch.codePointAt(0)?.toString(16).padStart(4, '0').toUpperCase()}`;
    return `contains ${name}, which could break out of a generated file`;
  }
  if (value.startsWith('%')) return 'starts with "%", which a kickstart reads as a section line';
  if (value.startsWith('-')) return OPTION_REASON;
  return undefined;
}

// Every unsafe string value in parsed data, with its path.
export function findUnsafeValues(data: unknown, path: PathSegment[] = []): UnsafeValue[] {
  if (typeof data === 'string') {
    const reason = unsafeReason(data);
    return reason === undefined ? [] : [{ path, reason, option: reason === OPTION_REASON }];
  }
  if (Array.isArray(data)) return data.flatMap((item, index) => findUnsafeValues(item, [...path, index]));
  if (data !== null && typeof data === 'object') {
    return Object.entries(data).flatMap(([key, value]) => findUnsafeValues(value, [...path, key]));
  }
  return [];
}
