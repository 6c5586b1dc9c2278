// fyr validate: check a site file and its secrets, then print what the site describes.
import type { CommandSpec } from '../command.js';
import { countLabel, problemJson, toJson } from '../report.js';
import { loadValidSite, printWarnings } from '../site-input.js';
import { makeStyle } from '../style.js';
import { formatSummary, siteSummary } from '../summary.js';

export const validateCommand: CommandSpec = {
  name: 'validate',
  summary: 'Check a site file and its secrets, and summarise the site',
  usage: 'fyr validate SITE [options]',
  description: [
    'Checks SITE (YAML) for syntax, the site schema and the cross-field rules (unique names, MACs and addresses, addresses inside the LAN, DHCP pool clear of reservations, 1, 3 or 5 control-plane nodes, secrets that exist), and reports every problem as FILE:LINE:COL: PATH: MESSAGE.',
    'On success prints a summary of the site. Nothing is ever written.',
  ],
  options: {
    secrets: { type: 'string', value: 'FILE', help: 'Use this secrets file instead of the one the site names' },
    'no-secrets': { type: 'boolean', help: 'Check the site alone, without its secrets file' },
    strict: { type: 'boolean', help: 'Refuse a secrets file others can read (otherwise a warning)' },
    quiet: { type: 'boolean', short: 'q', help: 'Print only problems, no summary' },
  },
  positionals: { min: 1, max: 1 },
  examples: ['fyr validate examples/edge/site.yaml', 'fyr validate site.yaml --no-secrets --json'],
  async run(args, io) {
    const file = args.positionals[0] ?? '';
    const secretsFile = args.options.secrets;
    const result = await loadValidSite(file, {
      ...(typeof secretsFile === 'string' ? { secretsFile } : {}),
      skipSecrets: args.options['no-secrets'] === true,
      strictPermissions: args.options.strict === true,
    });
    if (args.json) {
      io.stdout(
        toJson({
          ok: true,
          file,
          site: siteSummary(result.site),
          errors: [],
          warnings: result.warnings.map(problemJson),
        }),
      );
      return 0;
    }
    printWarnings(result.warnings, io);
    if (args.options.quiet !== true) {
      const out = makeStyle(io.color.stdout);
      const note = result.warnings.length > 0 ? ` with ${countLabel(result.warnings.length, 'warning')}` : '';
      io.stdout(`${out.green('✓')} ${file} is valid${note}.\n\n${formatSummary(result.site, out)}`);
    }
    return 0;
  },
};
