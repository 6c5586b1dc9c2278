// Types of catalog.mjs for the TypeScript tests: the synthetic operator catalog (File-Based
// Catalog documents, operator-framework/operator-registry alpha/declcfg/declcfg.go).
export interface FbcProperty {
  type: string;
  value: Record<string, unknown>;
}
export interface FbcPackage {
  schema: 'olm.package';
  name: string;
  defaultChannel: string;
}
export interface FbcChannelEntry {
  name: string;
  replaces?: string;
  skips?: string[];
  skipRange?: string;
}
export interface FbcChannel {
  schema: 'olm.channel';
  name: string;
  package: string;
  entries: FbcChannelEntry[];
}
export interface FbcBundle {
  schema: 'olm.bundle';
  name: string;
  package: string;
  image: string;
  properties: FbcProperty[];
  relatedImages: Array<{ name: string; image: string }>;
}
export type FbcDocument = FbcPackage | FbcChannel | FbcBundle;

/** A package as fyr names it: the channel is also made the default channel unless told. */
export interface WantedPackage {
  name: string;
  channel?: string;
  defaultChannel?: string;
}
/** A package as an ImageSetConfiguration's mirror.operators[].packages holds it. */
export interface IscPackage {
  name: string;
  channels?: Array<{ name: string }>;
  defaultChannel?: string;
}

export declare const CATALOG_REPO: 'registry.redhat.io/redhat/redhat-operator-index';
export declare const CONFIGS_LABEL: 'operators.operatorframework.io.index.configs.v1';
export declare function catalogFor(minor: string): FbcDocument[];
export declare function withDependencies(minor: string, names: string[]): string[];
export declare function filterPackages(minor: string, packages?: IscPackage[], full?: boolean): FbcDocument[];
export declare function filterCatalog(minor: string, wanted: WantedPackage[]): FbcDocument[];
export declare function catalogImageDigest(docs: FbcDocument[]): string;
export declare function writeCatalogImage(layoutDir: string, docs: FbcDocument[]): string;
export declare function writeRelatedImage(layoutDir: string, ref: string): string;
export declare function readImageFiles(treeRoot: string, repo: string, reference: string): Map<string, Buffer>;
export declare function readCatalog(treeRoot: string, repo: string, tag: string): FbcDocument[];
export declare function imageInTree(treeRoot: string, repo: string, digest: string): boolean;
export declare function treeRepositories(treeRoot: string): string[];
