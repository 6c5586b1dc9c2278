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

// A hidden name next to `path`, unique to this call, on the same filesystem so a rename
// publishes it atomically: ".site.iso.fyr-1a2b3c4d5e6f.tmp".
export const tempSibling = (path: string): string =>
  join(dirname(path), `.${basename(path)}.fyr-${randomBytes(6).toString('hex')}.tmp`);
