// Temporary directories for tests, removed again even when an assertion fails.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function makeTmpdir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'fyr-test-'));
}

export async function removeTmpdir(dir: string | undefined): Promise<void> {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}
