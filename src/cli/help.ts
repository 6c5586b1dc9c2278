// Help text for `fyr --help` and `fyr COMMAND --help`, kept within 80 columns.
import { COMMON_OPTIONS, type CommandSpec, type OptionSpec } from './command.js';

const WIDTH = 80;

// Greedy word wrap; words longer than the width stay on their own line.
export function wrapText(text: string, width = WIDTH, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

function optionLabel(name: string, spec: OptionSpec): string {
  const short = spec.short ? `-${spec.short}, ` : '    ';
  return `${short}--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
}

function formatOptions(options: Record<string, OptionSpec>): string[] {
  const entries = Object.entries(options);
  const pad = Math.max(...entries.map(([name, spec]) => optionLabel(name, spec).length)) + 2;
  return entries.flatMap(([name, spec]) => {
    const label = `  ${optionLabel(name, spec)}`.padEnd(pad + 2);
    const [first = '', ...rest] = wrapText(spec.help, WIDTH - label.length);
    return [label + first, ...rest.map((line) => ' '.repeat(label.length) + line)];
  });
}

export function commandHelp(command: CommandSpec): string {
  const lines = [`Usage: ${command.usage}`, ''];
  for (const paragraph of command.description) lines.push(...wrapText(paragraph), '');
  lines.push('Options:', ...formatOptions({ ...command.options, ...COMMON_OPTIONS }), '');
  if (command.examples.length > 0) lines.push('Examples:', ...command.examples.map((e) => `  ${e}`), '');
  lines.push('Exit codes: 0 ok, 1 failed, 2 usage error, 3 invalid input (docs/errors.md).');
  return `${lines.join('\n')}\n`;
}

export function mainHelp(commands: readonly CommandSpec[], version: string): string {
  const pad = Math.max(...commands.map((c) => c.name.length)) + 4;
  const lines = [
    `fyr ${version}: one USB stick turns an empty far-edge site into a running, fully`,
    'offline OpenShift cluster.',
    '',
    'Usage: fyr <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(pad)}${c.summary}`),
    '',
    'Options:',
    '  -h, --help     Show help (also: fyr <command> --help, fyr help <command>)',
    '  -V, --version  Print the version',
    '',
    'Environment: NO_COLOR disables colour; FYR_DEBUG=1 shows stack traces of bugs.',
    'Exit codes: 0 ok, 1 failed, 2 usage error, 3 invalid input (docs/errors.md).',
  ];
  return `${lines.join('\n')}\n`;
}

const cell = (text: string) => text.replaceAll('|', '\\|');

// docs/cmd/<command>.md: the same spec as the help, as a Markdown page (make docs writes it,
// test/generated-files.test.ts keeps it current).
export function commandReference(command: CommandSpec): string {
  const options = Object.entries({ ...command.options, ...COMMON_OPTIONS });
  const lines = [
    `<!-- Generated from src/cli/commands/${command.name}.ts by \`make docs\`; do not edit. -->`,
    `# fyr ${command.name}`,
    '',
    `${command.summary}.`,
    '',
    '```',
    command.usage,
    '```',
    '',
    ...command.description.flatMap((p) => [p, '']),
    '## Options',
    '',
    '| Option | |',
    '|---|---|',
    ...options.map(([name, spec]) => `| \`${cell(optionLabel(name, spec).trim())}\` | ${cell(spec.help)} |`),
    '',
  ];
  if (command.examples.length > 0) lines.push('## Examples', '', '```sh', ...command.examples, '```', '');
  lines.push(
    'Exit codes: 0 ok, 1 failed, 2 usage error, 3 invalid input, 130 interrupted; every code in [errors.md](../errors.md).',
    '',
  );
  return lines.join('\n');
}

// docs/cmd/README.md: one line per command.
export function commandIndex(commands: readonly CommandSpec[]): string {
  return [
    '<!-- Generated from src/cli/run.ts by `make docs`; do not edit. -->',
    '# Commands',
    '',
    'The same text as `fyr <command> --help`.',
    '',
    '| Command | |',
    '|---|---|',
    ...commands.map((c) => `| [\`fyr ${c.name}\`](${c.name}.md) | ${cell(c.summary)} |`),
    '',
  ].join('\n');
}
