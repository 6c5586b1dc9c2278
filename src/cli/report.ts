// Formats problems and failures for people (one line per problem) and for CI (--json).
import type { Problem } from '../errors.js';
import type { Style } from './style.js';

// "site.yaml:14:9: nodes[2].mac: message (expected ...) [CODE]"; warnings say so.
export function formatProblem(problem: Problem, style: Style): string {
  const where = style.bold(`${problem.file}:${problem.line}:${problem.col}:`);
  const kind = problem.severity === 'warning' ? ` ${style.yellow('warning:')}` : '';
  const path = problem.path === '' ? '' : ` ${problem.severity === 'error' ? style.red(problem.path) : problem.path}:`;
  const expected = problem.expected ? ` (expected ${problem.expected})` : '';
  return `${where}${kind}${path} ${problem.message}${expected} ${style.dim(`[${problem.code}]`)}`;
}

export function countLabel(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

// The JSON shape of one problem: stable field names for CI.
export function problemJson(problem: Problem): Record<string, unknown> {
  return {
    severity: problem.severity,
    code: problem.code,
    file: problem.file,
    line: problem.line,
    col: problem.col,
    path: problem.path,
    message: problem.message,
    ...(problem.expected ? { expected: problem.expected } : {}),
  };
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
