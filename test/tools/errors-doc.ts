// Renders docs/errors.md from the two catalogues (operation errors and problem codes), so the
// table always matches the code. Used by test/tools/gen-schema.ts and its drift test.
import { ERROR_CODES, EXIT } from '../../src/errors.js';
import { CONTENT_PROBLEM_CODES } from '../../src/release/content-codes.js';
import { SITE_PROBLEM_CODES } from '../../src/site/problem-codes.js';

export const PROBLEM_CODES = { ...SITE_PROBLEM_CODES, ...CONTENT_PROBLEM_CODES };

export function renderErrorsDoc(): string {
  const lines = [
    '<!-- Generated from src/errors.ts, src/site/problem-codes.ts and src/release/content-codes.ts by `make docs`; do not edit. -->',
    '# Errors, problem codes and exit codes',
    '',
    'Codes are stable: CI may match on them, and a code is never reused for another meaning.',
    'With `--json`, every command prints one JSON document on stdout: `{"ok": true, ...}` or',
    '`{"ok": false, "error": {"code", "message"}, "errors": [...], "warnings": [...]}`.',
    '',
    '## Exit codes',
    '',
    '| Exit | Meaning |',
    '|---|---|',
    `| ${EXIT.ok} | Success. |`,
    `| ${EXIT.failed} | The operation failed (unreadable file, refused overwrite, write error). |`,
    `| ${EXIT.usage} | Usage error: unknown command or option, missing argument. |`,
    `| ${EXIT.invalid} | Invalid input: the site or secrets file has problems (listed one per line). |`,
    `| ${EXIT.internal} | A bug in fyr; set FYR_DEBUG=1 for the stack trace and report it. |`,
    `| ${EXIT.interrupted} | Interrupted: Ctrl-C, SIGTERM or a closed output pipe stopped it; nothing was left behind. |`,
    '',
    '## Error codes',
    '',
    'What stopped a command. Printed as `fyr: error: MESSAGE [CODE]`.',
    '',
    '| Code | Exit | Meaning |',
    '|---|---|---|',
    ...Object.entries(ERROR_CODES).map(
      ([code, e]) => `| <a id="${code.toLowerCase()}"></a>\`${code}\` | ${e.exit} | ${e.summary} |`,
    ),
    '',
    '## Problem codes',
    '',
    'One per problem found in a site or secrets file, printed as',
    '`FILE:LINE:COL: PATH: MESSAGE (expected ...) [CODE]` (warnings say `warning:`).',
    '',
    '| Code | Meaning |',
    '|---|---|',
    ...Object.entries(PROBLEM_CODES).map(
      ([code, summary]) => `| <a id="${code.toLowerCase()}"></a>\`${code}\` | ${summary} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
