// Types of graph.mjs for the TypeScript tests.
export const VERSIONS: string[];
export const EDGES: Array<[string, string]>;
export function compare(a: string, b: string): number;
export function channelVersions(channel: string): string[] | undefined;
export function shortestPath(channel: string, from: string, to: string): { path?: string[]; error?: string };
export function channelReleases(
  channels: Array<{ name: string; minVersion?: string; maxVersion?: string; shortestPath?: boolean }>,
): { versions?: string[]; error?: string };
