// Types of root.mjs.
export declare function doublesFile(relative: string): string;
