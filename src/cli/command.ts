// A command as data: its help text, options and the function that runs it. Help output and
// argument parsing are both derived from this, so they cannot disagree.
import type { Io } from './io.js';

export interface OptionSpec {
  type: 'boolean' | 'string';
  short?: string;
  // Placeholder shown in help for string options, e.g. FILE.
  value?: string;
  // May be given more than once: the values are kept in order, as a string array.
  multiple?: boolean;
  help: string;
}

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | boolean | string[] | undefined>;
  json: boolean;
}

export interface CommandSpec {
  name: string;
  // One line for the command list in `fyr --help`.
  summary: string;
  usage: string;
  // Paragraphs of plain text; wrapped to 80 columns when printed.
  description: string[];
  options: Record<string, OptionSpec>;
  positionals: { min: number; max: number };
  examples: string[];
  run(args: ParsedArgs, io: Io): Promise<number>;
}

// Options every command accepts.
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', help: 'Print the result as one JSON document on stdout' },
  help: { type: 'boolean', short: 'h', help: 'Show this help' },
};
