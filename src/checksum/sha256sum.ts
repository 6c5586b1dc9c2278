// NAME.sha256 beside an output, in sha256sum's format, so a download is checked with standard
// tools (`sha256sum -c NAME.sha256` in its directory). Published with the output: the checksum
// is written under a temporary name first and renamed right after the output, and nothing is
// left of it when the output is not published.
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { tempSibling } from '../util/fs.js';
import { writeError } from '../util/write-error.js';

export const checksumPath = (output: string) => `${output}.sha256`;

// One line as sha256sum prints it; a name with a backslash or newline is escaped as GNU
// coreutils does (a leading backslash marks the line).
export function sha256sumLine(hex: string, name: string): string {
  if (!/[\\\n]/.test(name)) return `${hex}  ${name}\n`;
  return `\\${hex}  ${name.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`;
}

// Renames `temp` to `output` and publishes OUTPUT.sha256 beside it holding `hex`.
export async function publishWithChecksum(temp: string, output: string, hex: string): Promise<string> {
  const sumFile = checksumPath(output);
  const sumTemp = tempSibling(sumFile);
  try {
    const line = sha256sumLine(hex, basename(output));
    await writeFile(sumTemp, line).catch((err: unknown) => {
      throw writeError(err, sumFile, line.length);
    });
    await rename(temp, output);
    await rename(sumTemp, sumFile).catch(async (err: unknown) => {
      // The output is out; a checksum that is not its own must not stay beside it.
      await rm(sumFile, { force: true });
      throw writeError(err, sumFile);
    });
    return sumFile;
  } finally {
    await rm(sumTemp, { force: true });
  }
}
