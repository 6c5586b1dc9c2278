// Types of bundle.mjs for the TypeScript tests.
/** The folder of the bundled doubles (test/doubles/.bundle/bin), rebuilt if a source changed. */
export declare function doublesBin(): string;
