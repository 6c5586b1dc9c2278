// Edited sites for the apply tests: an example site, edited like a user edits the site file,
// rendered as fyr build renders it (sealed or not) into the files of a site area.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { agentSecretsJson } from '../../../src/formats/agent-secrets.js';
import type { ReleaseInfo } from '../../../src/formats/release-json.js';
import { SEALED_SECRETS } from '../../../src/formats/sealed-secrets.js';
import { SITE_META } from '../../../src/formats/site-bundle.js';
import { seal } from '../../../src/seal/age.js';
import type { AreaFile } from '../../../src/agent/apply/tar.js';
import { renderFile, variantSite } from '../../helpers/render.js';

// The tests' example unlock code (test/fixtures/INDEX.md).
export const CODE = readFileSync('test/fixtures/unlock-code.txt', 'utf8').trim();

// The site area of `example` with `edit` applied to its site file (and secrets file).
export async function siteArea(
  dir: string,
  example: string,
  o: {
    edit?: (t: string) => string;
    secrets?: (t: string) => string;
    sealed?: boolean;
    os?: 'rhel9' | 'rhel10';
    release?: string;
  } = {},
): Promise<AreaFile[]> {
  const file =
    o.edit || o.secrets
      ? await variantSite(example, dir, {
          ...(o.edit ? { site: o.edit } : {}),
          ...(o.secrets ? { secrets: o.secrets } : {}),
        })
      : `examples/${example}/site.yaml`;
  const sealed = o.sealed ?? false;
  const rendered = await renderFile(file, { os: o.os ?? 'rhel9', source: 'liveimg', sealed });
  const files: AreaFile[] = rendered.files
    .filter((f) => f.path !== 'ks.cfg')
    .map((f) => ({ path: f.path, mode: f.mode, content: Buffer.from(f.content) }));
  if (sealed)
    files.push({
      path: `bundle${SEALED_SECRETS}`,
      mode: 0o600,
      content: await seal(agentSecretsJson(rendered.secrets!), CODE),
    });
  const meta = { format: 'fyr-site/1', fyr: 'test', release: o.release ?? 'test-release', sealed };
  files.push({ path: SITE_META, mode: 0o644, content: Buffer.from(`${JSON.stringify(meta)}\n`) });
  return files;
}

// A release record as the bastion keeps it (only the fields apply reads matter).
export function release(name = 'test-release', changes: Partial<ReleaseInfo> = {}): ReleaseInfo {
  return {
    format: 'fyr-release/1',
    fyr: 'test',
    release: { name, openshift: '4.17.2' },
    volumeId: 'FYR-TEST',
    base: { volumeId: 'RHEL-9', layout: 'el9', size: 1 },
    sourceDateEpoch: 1_765_000_000,
    payload: [{ path: '/fyr/payload/rhcos-kernel', role: 'rhcos-kernel', size: 1, sha256: 'a'.repeat(64) }],
    agent: { path: '/fyr/agent/fyr-agent.mjs', version: 'test', size: 1, sha256: 'b'.repeat(64) },
    embed: {
      kickstart: { path: '/ks.cfg', offset: 0, length: 0 },
      site: { path: '/fyr/site.tar', offset: 0, length: 0 },
    },
    md5: null,
    ...changes,
  };
}

// A bastion root as the kickstart (and the install) left it: the bundle laid out, the render
// manifest and the release record in etc/fyr.
export async function layBastion(
  root: string,
  old: { files: readonly AreaFile[] },
  releaseInfo: ReleaseInfo = release(),
): Promise<void> {
  for (const f of old.files.filter((f) => f.path.startsWith('bundle/'))) {
    const to = join(root, f.path.slice('bundle'.length));
    await mkdir(dirname(to), { recursive: true });
    await writeFile(to, f.content, { mode: f.mode });
  }
  await writeFile(join(root, 'etc/fyr/manifest.json'), old.files.find((f) => f.path === 'manifest.json')!.content);
  await writeFile(join(root, 'etc/fyr/release.json'), JSON.stringify(releaseInfo));
}
