// Tars held in memory. The site bundle travels in a release's site area as a deterministic tar
// (sorted names, fixed owner and date) padded with zeros; an all-zero area is an empty archive,
// i.e. no site yet. Composer's logs and metadata are tars too. The only importer of tar-stream.
import { extract, pack } from 'tar-stream';

export interface TarFile {
  path: string;
  mode: number;
  content: Buffer;
}

export async function packTar(files: readonly TarFile[], mtimeSeconds: number): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of archive) chunks.push(chunk as Buffer);
  })();
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const f of sorted) {
    await new Promise<void>((resolve, reject) => {
      archive.entry(
        {
          name: f.path,
          mode: f.mode,
          size: f.content.length,
          mtime: new Date(mtimeSeconds * 1000),
          uid: 0,
          gid: 0,
          uname: 'root',
          gname: 'root',
          type: 'file',
        },
        f.content,
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }
  archive.finalize();
  await collected;
  return Buffer.concat(chunks);
}

// The files of a tar held in memory (the site area, kilobytes to a few MiB).
export async function unpackTar(data: Buffer): Promise<TarFile[]> {
  if (data.every((b) => b === 0)) return [];
  const reader = extract();
  const files: TarFile[] = [];
  const done = (async () => {
    for await (const entry of reader) {
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      if (entry.header.type === 'file')
        files.push({ path: entry.header.name, mode: entry.header.mode ?? 0o644, content: Buffer.concat(parts) });
    }
  })();
  reader.end(data);
  await done;
  return files;
}

// A tar read as a stream (an image layer, up to gigabytes): every entry's name and type, and the
// bytes of the regular files `want` picks; the rest is read past, never held.
export async function scanTar(
  input: AsyncIterable<Buffer>,
  want: (name: string) => boolean,
): Promise<{ names: string[]; files: TarFile[] }> {
  const reader = extract();
  const names: string[] = [];
  const files: TarFile[] = [];
  const read = (async () => {
    for await (const entry of reader) {
      const { name, type } = entry.header;
      names.push(name);
      if (type === 'file' && want(name)) {
        const parts: Buffer[] = [];
        for await (const chunk of entry) parts.push(chunk as Buffer);
        files.push({ path: name, mode: entry.header.mode ?? 0o644, content: Buffer.concat(parts) });
      } else entry.resume();
    }
  })();
  try {
    for await (const chunk of input)
      if (!reader.write(chunk)) await new Promise<void>((resolve) => reader.once('drain', () => resolve()));
    reader.end(() => undefined);
  } catch (err) {
    reader.destroy(err as Error);
  }
  await read;
  return { names, files };
}
