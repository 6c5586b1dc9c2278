// Blueprint TOML in and out of data: the only smol-toml importer.
import { parse } from 'smol-toml';

// Parses blueprint TOML; throws with the parser's line and column on bad syntax.
export function parseBlueprintToml(text: string): Record<string, unknown> {
  return parse(text) as Record<string, unknown>;
}
