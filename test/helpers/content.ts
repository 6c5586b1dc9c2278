// A synthetic release content directory: small stand-ins for the RHCOS images, installers,
// mirror and registry image, with a valid fyr-content.json. Optionally a sparse file over
// 4 GiB (no disk space used) to exercise multi-extent ISO files.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { truncate } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export const CONTENT_FILES: ReadonlyArray<{ path: string; role: string; size: number }> = [
  { path: 'rhcos/rhcos-live-kernel-x86_64', role: 'rhcos-kernel', size: 70_001 },
  { path: 'rhcos/rhcos-live-initramfs.x86_64.img', role: 'rhcos-initramfs', size: 90_003 },
  { path: 'rhcos/rhcos-live-rootfs.x86_64.img', role: 'rhcos-rootfs', size: 300_007 },
  { path: 'rhcos/rhcos-metal.x86_64.raw.gz', role: 'rhcos-metal', size: 200_009 },
  { path: 'bin/openshift-install', role: 'openshift-install', size: 50_011 },
  { path: 'bin/oc', role: 'oc', size: 40_013 },
  { path: 'mirror/mirror_seq1_000000.tar', role: 'release-mirror', size: 500_017 },
  { path: 'registry/registry.tar', role: 'registry-image', size: 60_019 },
];

export const BIG_FILE = { path: 'mirror/big-layer.tar', role: 'other', size: 4 * 1024 ** 3 + 12_345 };

export function bytesFor(path: string, size: number): Buffer {
  // Deterministic filler that differs per file.
  const seed = createHash('sha256').update(path).digest();
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += 32) seed.copy(out, i, 0, Math.min(32, size - i));
  return out;
}

export async function makeContent(
  dir: string,
  options: { big?: boolean; agent?: boolean } = {},
): Promise<{ manifest: string }> {
  const files: Array<{ path: string; role: string; size: number; sha256: string }> = [];
  for (const f of CONTENT_FILES) {
    const data = bytesFor(f.path, f.size);
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), data);
    files.push({ ...f, sha256: createHash('sha256').update(data).digest('hex') });
  }
  if (options.agent) {
    const data = Buffer.from('#!/usr/bin/env node\nconsole.log("fyr-agent test double");\n');
    mkdirSync(join(dir, 'agent'), { recursive: true });
    writeFileSync(join(dir, 'agent/fyr-agent.js'), data);
    files.push({
      path: 'agent/fyr-agent.js',
      role: 'agent',
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
    });
  }
  if (options.big) {
    const file = join(dir, BIG_FILE.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '');
    await truncate(file, BIG_FILE.size);
    // sha256 of that many zero bytes, computed in pieces.
    const hash = createHash('sha256');
    const zeros = Buffer.alloc(1 << 24);
    for (let left = BIG_FILE.size; left > 0; left -= zeros.length)
      hash.update(left >= zeros.length ? zeros : zeros.subarray(0, left));
    files.push({ ...BIG_FILE, sha256: hash.digest('hex') });
  }
  const manifest = join(dir, 'fyr-content.json');
  writeFileSync(
    manifest,
    `${JSON.stringify({ format: 'fyr-content/1', release: { name: 'test-4.16.3', openshift: '4.16.3', rhcos: '416.94.202406251923-0' }, files }, null, 2)}\n`,
  );
  return { manifest };
}
