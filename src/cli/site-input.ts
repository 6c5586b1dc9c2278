// The site a command works on: validated, or every problem thrown at once for the error
// boundary to print. Shared by the commands that take a SITE argument.
import { InvalidInputError, type Problem } from '../errors.js';
import { validateSiteFile, type Site, type ValidateOptions } from '../site/index.js';
import type { Io } from './io.js';
import { countLabel, formatProblem } from './report.js';
import { makeStyle } from './style.js';

export async function loadValidSite(
  file: string,
  options: ValidateOptions,
): Promise<{ site: Site; warnings: Problem[] }> {
  const result = await validateSiteFile(file, options);
  if (result.site === undefined) {
    throw new InvalidInputError(
      `${file}: ${countLabel(result.errors.length, 'error')}, ${countLabel(result.warnings.length, 'warning')}`,
      [...result.errors, ...result.warnings],
    );
  }
  return { site: result.site, warnings: result.warnings };
}

// Warnings go to stderr, one per line, in the same form as errors.
export function printWarnings(warnings: readonly Problem[], io: Io): void {
  const style = makeStyle(io.color.stderr);
  for (const warning of warnings) io.stderr(`${formatProblem(warning, style)}\n`);
}
