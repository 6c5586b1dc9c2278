// One quoting helper per output format. ejs's default (HTML) escaping is wrong for every file
// fyr writes, so the engine refuses plain strings in `<%= %>`: a value reaches a file only
// through one of these helpers, which either quote it for that format or refuse it.

// A piece of text that is safe to print in the format it was quoted for.
export class Quoted {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

// Raised when a value cannot be written safely in a format. Validation keeps such values out
// of the site, so reaching this is a bug (or a template quoting with the wrong helper). The
// value itself is not in the message: it may be a secret.
export class UnsafeValueError extends Error {
  constructor(format: string, value: string, why: string) {
    super(`cannot write a ${value.length}-character value as ${format}: ${why}`);
  }
}
UnsafeValueError.prototype.name = 'UnsafeValueError';

const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/u;

function guard(format: string, value: unknown, test: RegExp, why: string): string {
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new UnsafeValueError(format, String(value), 'not a string or number');
  const text = String(value);
  if (!test.test(text)) throw new UnsafeValueError(format, text, why);
  return text;
}

function noControl(format: string, value: unknown): string {
  const text = guard(format, value, /^/, '');
  if (CONTROL.test(text)) throw new UnsafeValueError(format, text, 'contains a control character or line break');
  return text;
}

// A bare word every format accepts unquoted: names, addresses, device paths, numbers.
const WORD = /^[A-Za-z0-9_.:/@+,=-]+$/;
const word = (format: string) => (value: unknown) =>
  new Quoted(guard(format, value, WORD, 'only letters, digits and _.:/@+,=- can be written unquoted here'));

// Backslash-escaped double-quoted string, as named.conf, dhcpd.conf and haproxy read them.
function cStyle(format: string, value: unknown): Quoted {
  return new Quoted(`"${noControl(format, value).replace(/[\\"]/g, (c) => `\\${c}`)}"`);
}

// POSIX shell single quotes; the only character needing care is the quote itself.
function shellSingle(format: string, value: unknown): Quoted {
  return new Quoted(`'${noControl(format, value).replace(/'/g, `'\\''`)}'`);
}

// Kickstart lines are split like a POSIX shell (pykickstart uses shlex): bare when safe,
// otherwise double quotes, inside which only \ and " are special.
function kickstartArg(value: unknown): Quoted {
  const text = noControl('a kickstart argument', value);
  if (/^[A-Za-z0-9_.,:/=@+^~-]+$/.test(text) && !text.startsWith('%')) return new Quoted(text);
  return new Quoted(`"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`);
}

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
function xml(value: unknown): Quoted {
  return new Quoted(noControl('XML', value).replace(/[&<>"']/g, (c) => XML_ENTITIES[c] ?? c));
}

// TOML basic string: the escapes TOML defines, every other control character refused.
function toml(value: unknown): Quoted {
  const text = noControl('a TOML string', value);
  return new Quoted(`"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`);
}

// JSON string, which is also a YAML double-quoted scalar.
function json(value: unknown): Quoted {
  return new Quoted(JSON.stringify(noControl('a JSON/YAML string', value)));
}

// GLib key-file value (NetworkManager keyfiles, systemd-style INI): one line, no leading space.
function keyfile(value: unknown): Quoted {
  const text = noControl('a key-file value', value);
  if (/^\s|\s$/.test(text))
    throw new UnsafeValueError('a key-file value', text, 'leading or trailing white space is lost');
  return new Quoted(text.replace(/\\/g, '\\\\'));
}

// A DNS name written in a zone file or named.conf: labels of [a-z0-9-], an optional
// leading "*." for wildcards, an optional trailing dot for fully qualified names.
function dnsName(value: unknown): Quoted {
  return new Quoted(
    guard(
      'a DNS name',
      value,
      /^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?\.?$/,
      'not a DNS name',
    ),
  );
}

// The helpers templates receive as `q`.
export const q = {
  // Kickstart command argument.
  ks: kickstartArg,
  // POSIX shell word (kickstart %pre/%post bodies, grub, which quotes like sh).
  sh: (value: unknown) => shellSingle('a shell word', value),
  grub: (value: unknown) => shellSingle('a GRUB word', value),
  // Quoted strings of named.conf, dhcpd.conf and haproxy.cfg.
  named: (value: unknown) => cStyle('a named.conf string', value),
  dhcp: (value: unknown) => cStyle('a dhcpd.conf string', value),
  haproxy: (value: unknown) => cStyle('a haproxy.cfg string', value),
  dns: dnsName,
  xml,
  toml,
  json,
  yaml: json,
  keyfile,
  // Formats without any quoting (pxelinux APPEND, kernel arguments, chrony, haproxy server
  // names, dhcpd host names): the value must be a bare word.
  pxe: word('a pxelinux word'),
  karg: word('a kernel argument'),
  chrony: word('a chrony.conf word'),
  word: word('a configuration word'),
};
