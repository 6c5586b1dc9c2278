// Hostile ISOs from a good one, reproducibly: a seeded generator picks where and how to damage
// the image, weighted toward the structures a reader trusts (the system area and descriptors,
// directory records and path tables, release.json, the areas) and with the values that break
// readers (0, 0xFF, 0xFFFFFFFF, a flipped bit). The same seed gives the same mutants.

// xorshift32: small, fast, the same on every machine.
export function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

export interface Region {
  name: string;
  from: number;
  to: number;
  weight: number;
}

export interface Mutation {
  region: string;
  offset: number;
  kind: 'flip' | 'zero' | 'ones' | 'u32-max' | 'bit';
  // The bytes to write at offset (they differ from what is there).
  bytes: Buffer;
}

// `count` mutations of an image (read through `read`) over the weighted regions; each changes at least one byte.
export function mutations(
  read: (offset: number, length: number) => Buffer,
  regions: readonly Region[],
  count: number,
  seed: number,
): Mutation[] {
  const random = seeded(seed);
  const total = regions.reduce((n, r) => n + r.weight, 0);
  const out: Mutation[] = [];
  while (out.length < count) {
    let pick = random() * total;
    const region = regions.find((r) => (pick -= r.weight) < 0) ?? regions[regions.length - 1]!;
    const offset = region.from + Math.floor(random() * (region.to - region.from));
    const kinds = ['flip', 'zero', 'ones', 'u32-max', 'bit'] as const;
    const kind = kinds[Math.floor(random() * kinds.length)]!;
    const old = Buffer.concat([read(offset, 4), Buffer.alloc(4)]);
    let bytes: Buffer;
    if (kind === 'flip') bytes = Buffer.from([old[0]! ^ (1 + Math.floor(random() * 255))]);
    else if (kind === 'zero') bytes = Buffer.from([0]);
    else if (kind === 'ones') bytes = Buffer.from([0xff]);
    else if (kind === 'bit') bytes = Buffer.from([old[0]! ^ (1 << Math.floor(random() * 8))]);
    else bytes = Buffer.from([0xff, 0xff, 0xff, 0xff]);
    if (bytes.equals(old.subarray(0, bytes.length))) continue;
    out.push({ region: region.name, offset, kind, bytes });
  }
  return out;
}
