// File helpers every pipeline uses: positioned reads of an open file, and the temporary sibling
// an output is written under before it is renamed into place.
import { randomBytes } from 'node:crypto';
import { readSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

// Reads `length` bytes at `position` of an open file (fewer at its end): iso9660's ReadAt.
export const fileReader =
  (fd: number) =>
  (position: number, length: number): Buffer => {
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, position);
    return buf.subarray(0, n);
  };

// A reader for many small reads near each other (an ISO image's directories, walkIso): a read
// outside its window reads the next 256 KiB into one reused buffer. What it returns is valid
// only until the next read: for readers that take what they need from each buffer at once.
export function windowReader(fd: number): (position: number, length: number) => Buffer {
  const window = Buffer.allocUnsafe(256 << 10);
  const direct = fileReader(fd);
  let at = -1;
  let have = 0;
  return (position, length) => {
    if (length > window.length) return direct(position, length);
    if (at < 0 || position < at || position + length > at + have) {
      have = readSync(fd, window, 0, window.length, position);
      at = position;
    }
    return window.subarray(position - at, Math.min(position - at + length, have));
  };
}

// Reads into one reused buffer, for a reader that consumes each read before the next (a hash
// over ranges): fresh buffers for tens of MB cost more in page faults here than the reads.
export function scratchReader(fd: number): (position: number, length: number) => Buffer {
  let buf = Buffer.allocUnsafe(0);
  return (position, length) => {
    if (buf.length < length) buf = Buffer.allocUnsafe(length);
    return buf.subarray(0, readSync(fd, buf, 0, length, position));
  };
}

// A hidden name next to `path`, unique to this call, on the same filesystem so a rename
// publishes it atomically: ".site.iso.fyr-1a2b3c4d5e6f.tmp".
export const tempSibling = (path: string): string =>
  join(dirname(path), `.${basename(path)}.fyr-${randomBytes(6).toString('hex')}.tmp`);
