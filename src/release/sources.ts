// What fyr release copies and records: the payload files in layout order (the content's, the
// registry tree's file by file, the agent) and release.json before the image is laid out.
import { AGENT_PATH, PAYLOAD_DIR } from '../formats/media-layout.js';
import { RELEASE_FORMAT, type ReleaseInfo } from '../formats/release-json.js';
import type { bundledAgent } from './agent-bundle.js';
import type { Base } from './base.js';
import type { Content, ContentFile } from './content.js';
import { keepBytes } from './content-tree.js';

// A payload file as fyr lays it out, with the manifest entry that vouches for it (none for the
// bundled agent; a registry tree's files carry their path in the tree instead).
export interface Source {
  disk: string;
  isoPath: string;
  size: number;
  // Unknown for a tree's deferred files: the copy hashes them and the content check finishes.
  sha256: string | undefined;
  entry: ContentFile | undefined;
  treePath?: string;
  // A deferred file's path in the tree, and whether the check needs its bytes (a link's).
  deferred?: { path: string; keep: boolean };
  // As listed with the tree, where it was.
  mode?: number | undefined;
}

// The payload in layout order, then the agent: fyr's own (dist/agent/fyr-agent.mjs), unless the
// content directory brings one.
export async function payloadSources(
  content: Content,
  fyrVersion: string,
  // fyr's own agent being read (bundledAgent()), used unless the content brings one.
  built: ReturnType<typeof bundledAgent>,
): Promise<{ sources: Source[]; agent: { version: string; size: number; sha256: string } }> {
  const agentFile = content.files.find((f) => f.role === 'agent');
  const agent = agentFile
    ? { disk: agentFile.absolute, version: 'content', size: agentFile.size, sha256: agentFile.sha256 }
    : { ...(await built), version: fyrVersion };
  const payload = content.files.filter((f) => f.role !== 'agent');
  const tree = content.tree;
  const sources: Source[] = [
    ...payload.map((f) => ({
      disk: f.absolute,
      isoPath: `${PAYLOAD_DIR}/${f.path}`,
      size: f.size,
      sha256: f.sha256,
      entry: f as ContentFile | undefined,
    })),
    // The registry tree file by file, in path order: a blob is checked against its name.
    // A listed path is relative, with "/" and no "." or ".." parts: joined as it is.
    ...treeFiles(tree).map((f) => ({
      disk: `${tree!.absolute}/${f.path}`,
      isoPath: `${PAYLOAD_DIR}/${tree!.path}/${f.path}`,
      size: f.size,
      sha256: f.sha256,
      entry: undefined,
      treePath: `${tree!.path}/${f.path}`,
      ...(f.sha256 === undefined ? { deferred: { path: f.path, keep: keepBytes(f.path) } } : {}),
      mode: tree!.modes.get(f.path),
    })),
    { disk: agent.disk, isoPath: AGENT_PATH, size: agent.size, sha256: agent.sha256, entry: agentFile },
  ];
  return { sources, agent };
}

// The tree's files in path order, the deferred ones without a sha256: two lists in path order
// (content-tree.ts), merged.
function treeFiles(tree: Content['tree']): Array<{ path: string; size: number; sha256: string | undefined }> {
  if (!tree) return [];
  const { entries } = tree;
  const deferred = tree.deferred ?? [];
  const all: Array<{ path: string; size: number; sha256: string | undefined }> = [];
  let i = 0;
  for (const f of deferred) {
    while (i < entries.length && entries[i]!.path < f.path) all.push(entries[i++]!);
    all.push({ path: f.path, size: f.size, sha256: undefined });
  }
  while (i < entries.length) all.push(entries[i++]!);
  return all;
}

// release.json before the image is laid out: everything but where the embed areas land.
export function releaseDraft(
  o: { fyrVersion: string },
  content: Content,
  base: Base,
  volumeId: string,
  epoch: number,
  agent: { version: string; size: number; sha256: string },
): Omit<ReleaseInfo, 'embed' | 'md5'> {
  return {
    format: RELEASE_FORMAT,
    fyr: o.fyrVersion,
    release: content.release,
    volumeId,
    base: { volumeId: base.volumeId, layout: base.layout.kind, size: base.size },
    sourceDateEpoch: epoch,
    payload: content.files
      .filter((f) => f.role !== 'agent')
      .map((f) => ({ path: `${PAYLOAD_DIR}/${f.path}`, role: f.role, size: f.size, sha256: f.sha256 })),
    ...(content.tree
      ? {
          registry: {
            path: `${PAYLOAD_DIR}/${content.tree.path}`,
            files: content.tree.files,
            bytes: content.tree.bytes,
            sha256: content.tree.sha256,
            releaseTag: content.tree.releaseTag,
            imageDigestSources: content.tree.imageDigestSources,
            ...(content.tree.delta ? { delta: content.tree.delta } : {}),
          },
        }
      : {}),
    ...(content.operators ? { operators: content.operators } : {}),
    ...(content.upgrade ? { upgrade: content.upgrade } : {}),
    agent: { path: AGENT_PATH, version: agent.version, size: agent.size, sha256: agent.sha256 },
  };
}
