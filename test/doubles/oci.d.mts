// Types of oci.mjs for the TypeScript tests.
export interface OciImage {
  ref: string;
  layers: number[];
  labels?: Record<string, string>;
}
export declare function writeLayout(dir: string, images: OciImage[]): Array<{ ref: string; digest: string }>;
export declare const COMPONENTS: string[];
export declare function releaseImages(version: string, arch: string, layerBytes?: number): OciImage[];
export declare function releaseDigest(scratch: string, version: string, arch: string): string;
