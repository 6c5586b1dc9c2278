// A pack written as every output is: under a temporary name, then renamed into place with its
// NAME.sha256 beside it; a failure leaves neither.
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { FyrError } from '../errors.js';
import { publishWithChecksum } from '../checksum/sha256sum.js';
import { sha256Hex } from '../formats/site-pack.js';
import { tempSibling } from '../util/fs.js';
import { checkOutputDir } from '../util/output-dir.js';
import { writeError } from '../util/write-error.js';

export async function writePackFile(
  path: string,
  bytes: Buffer,
  force: boolean,
): Promise<{ sha256: string; sumFile: string }> {
  checkOutputDir(path);
  if (existsSync(path) && !force) throw new FyrError('OUTPUT_EXISTS', `${path} exists; pass --force to replace it`);
  const temp = tempSibling(path);
  try {
    await writeFile(temp, bytes, { flag: 'wx' }).catch((err: unknown) => {
      throw writeError(err, path, bytes.length);
    });
    const sha256 = sha256Hex(bytes);
    return { sha256, sumFile: await publishWithChecksum(temp, path, sha256) };
  } finally {
    await rm(temp, { force: true });
  }
}
