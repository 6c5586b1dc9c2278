// Data paths: segments as arrays internally, dotted text (nodes[2].bmc.address) for people.

export type PathSegment = string | number;

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

// Converts an ajv instancePath ("/nodes/2/mac") into segments; array indices become numbers.
export function fromPointer(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const segments: PathSegment[] = [];
  let cursor: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const isIndex = Array.isArray(cursor) && /^[0-9]+$/.test(segment);
    const key: PathSegment = isIndex ? Number(segment) : segment;
    segments.push(key);
    cursor =
      cursor !== null && typeof cursor === 'object' ? (cursor as Record<string, unknown>)[String(key)] : undefined;
  }
  return segments;
}
