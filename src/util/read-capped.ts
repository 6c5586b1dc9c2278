// Reading an input file whole, safely: only a regular file, never more than a cap. A name that
// points at /dev/zero, a FIFO or a directory must be a clear error, not gigabytes of memory or a
// read that never returns.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

export type InputFileProblem = 'not-regular' | 'too-large' | 'unreadable';

// Why an input file was not read; `message` is fit to follow the file's name.
export class InputFileError extends Error {
  constructor(
    message: string,
    readonly problem: InputFileProblem,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}
InputFileError.prototype.name = 'InputFileError';

export interface ReadCappedOptions {
  // Refuse a symbolic link as the last component (inside a content directory).
  noFollow?: boolean;
}

// The kind of a non-regular file, in words.
export function describeKind(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  if (info.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

// Reads a regular file of at most `max` bytes. Opened non-blocking, so a FIFO without a writer
// is refused instead of waiting; the read stops one byte past the cap, whatever stat said.
export function readCapped(path: string, max: number, options: ReadCappedOptions = {}): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow ? constants.O_NOFOLLOW : 0));
  } catch (err) {
    throw new InputFileError(describeOpenError(err), 'unreadable', { cause: err });
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new InputFileError(`is ${describeKind(info)}, not a regular file`, 'not-regular');
    if (info.size > max) throw new InputFileError(tooLarge(max), 'too-large');
    // Sized by stat, grown if the file is longer than it said, never past max + 1.
    let buf = Buffer.alloc(Math.min(max + 1, Math.max(info.size + 1, 4096)));
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        if (length > max) throw new InputFileError(tooLarge(max), 'too-large');
        const grown = Buffer.alloc(Math.min(max + 1, buf.length * 2));
        buf.copy(grown);
        buf = grown;
      }
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return buf.subarray(0, length);
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    throw new InputFileError(describeOpenError(err), 'unreadable', { cause: err });
  } finally {
    closeSync(fd);
  }
}

const tooLarge = (max: number) =>
  `is larger than ${max >= 1 << 20 ? `${max / (1 << 20)} MiB` : `${Math.ceil(max / 1024)} KiB`}`;

function describeOpenError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'ELOOP') return 'is a symbolic link, not a regular file';
  if (code === 'ENXIO') return 'is a socket or a device without a reader, not a regular file';
  return code ?? (err instanceof Error ? err.message : String(err));
}
