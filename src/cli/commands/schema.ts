// fyr schema: print the JSON Schema of the site or secrets file, for editors and CI.
import { secretsSchema, siteSchema } from '../../site/index.js';
import { FyrError } from '../../errors.js';
import type { CommandSpec } from '../command.js';
import { toJson } from '../report.js';

export const schemaCommand: CommandSpec = {
  name: 'schema',
  summary: 'Print the JSON Schema of the site (or secrets) file',
  usage: 'fyr schema [site|secrets]',
  description: [
    'Prints the JSON Schema (draft 2020-12) that fyr validates against. The same schema ships in the package as docs/schema/site.schema.json; point an editor at it with a first line "# yaml-language-server: $schema=PATH".',
  ],
  options: {},
  positionals: { min: 0, max: 1 },
  examples: ['fyr schema > site.schema.json', 'fyr schema secrets'],
  async run(args, io) {
    const which = args.positionals[0] ?? 'site';
    if (which !== 'site' && which !== 'secrets') {
      throw new FyrError('USAGE', `unknown schema "${which}"; expected site or secrets`);
    }
    io.stdout(toJson(which === 'site' ? siteSchema : secretsSchema));
    return 0;
  },
};
