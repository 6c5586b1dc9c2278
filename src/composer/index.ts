// The composer capability: blueprint rules now; the Weldr client and proxy come with them.
export { checkBlueprint, type BlueprintIssue } from './blueprint-rules.js';
export { parseBlueprintToml } from './blueprint-toml.js';
