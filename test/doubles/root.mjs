// Where the doubles' own files are. Run from their bundles (bundle.mjs writes them to
// test/doubles/.bundle/bin/), import.meta.url names the bundle, so its banner says where the
// sources are; run from here, this file's own folder.
import { fileURLToPath } from 'node:url';

const root = globalThis.FYR_DOUBLES_ROOT ?? new URL('./', import.meta.url);

// A file of the doubles by its path from test/doubles/, e.g. "cluster/shutdown.mjs".
export const doublesFile = (relative) => fileURLToPath(new URL(relative, root));
