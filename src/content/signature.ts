// The release signature: fetched for the pinned digest from Red Hat's signature store (or
// --signature-url), checked with gpg against the release key (on RHEL
// /etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release, or --signature-key; fyr ships no key), and its
// signed digest compared with the pinned one. Kept as the ConfigMap the cluster reads
// (openshift-config-managed, label release.openshift.io/verification-signatures).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FyrError } from '../errors.js';
import { runTool } from '../util/tools.js';
import { gpg } from './tools.js';

export const SIGNATURE_BASE = 'https://mirror.openshift.com/pub/openshift-v4/signatures/openshift/release';
export const RELEASE_KEY = '/etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release';

export const signatureUrl = (base: string, digest: string) =>
  `${base.replace(/\/+$/, '')}/${digest.replace(':', '=')}/signature-1`;

// The ConfigMap oc and the cluster-version operator read signatures from.
export function signatureConfigMap(digest: string, signature: Buffer): string {
  const hex = digest.slice('sha256:'.length);
  return [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: sha256-${hex}`,
    '  namespace: openshift-config-managed',
    '  labels:',
    '    release.openshift.io/verification-signatures: ""',
    'binaryData:',
    `  sha256-${hex}-1: ${signature.toString('base64')}`,
    '',
  ].join('\n');
}

export interface SignatureOptions {
  digest: string;
  key: string | undefined;
  base: string;
  signal?: AbortSignal | undefined;
}

// The verified signature's bytes.
export async function verifySignature(o: SignatureOptions): Promise<Buffer> {
  const key = o.key ?? RELEASE_KEY;
  if (!existsSync(key))
    throw new FyrError('SIGNATURE_INVALID', `no release key at ${key}`, {
      details: [
        o.key
          ? 'Give the key OpenShift releases are signed with as --signature-key FILE.'
          : "On RHEL it comes with the redhat-release package; elsewhere give Red Hat's release key as --signature-key FILE (fyr ships no copy of anyone's key), or --insecure-skip-signature.",
      ],
    });
  const url = signatureUrl(o.base, o.digest);
  const home = await mkdtemp(join(tmpdir(), 'fyr-gpg-'));
  try {
    const signature = await fetchSignature(url, o.signal);
    await runTool('gpg', gpg.import(home, key)).catch((err: unknown) => {
      throw new FyrError('SIGNATURE_INVALID', `${key} is not a key gpg can import`, { cause: err });
    });
    const file = join(home, 'signature-1');
    await writeFile(file, signature);
    const payload = join(home, 'payload.json');
    const checked = await runTool('gpg', gpg.verify(home, file, payload)).catch((err: unknown) => {
      throw new FyrError('SIGNATURE_INVALID', `the release signature at ${url} does not verify with ${key}`, {
        details: ['It was signed by another key, or it is damaged.', ...tailOf(err)],
        cause: err,
      });
    });
    if (!/^\[GNUPG:\] VALIDSIG /m.test(checked.stdout))
      throw new FyrError('SIGNATURE_INVALID', `gpg reported no valid signature in ${url}`);
    let signed: { critical?: { type?: string; image?: Record<string, string> } };
    try {
      signed = JSON.parse(await readFile(payload, 'utf8'));
    } catch {
      throw new FyrError('SIGNATURE_INVALID', `the signed content of ${url} is not a container signature (JSON)`);
    }
    const digest = signed.critical?.image?.['docker-manifest-digest'];
    if (signed.critical?.type !== 'atomic container signature' || digest !== o.digest)
      throw new FyrError(
        'SIGNATURE_INVALID',
        `the signature at ${url} signs ${digest ?? 'no digest'}, not the pinned ${o.digest}`,
      );
    return signature;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

const tailOf = (err: unknown) => (err instanceof FyrError ? err.detailLines.slice(-3) : []);

// Small and fetched anew each run: it has no sum to check it by before gpg does.
async function fetchSignature(url: string, signal: AbortSignal | undefined): Promise<Buffer> {
  const response = await fetch(url, { ...(signal ? { signal } : {}) }).catch((err: Error) => {
    throw new FyrError('DOWNLOAD_FAILED', `${url}: ${err.message}`);
  });
  if (response.status === 404)
    throw new FyrError('SIGNATURE_INVALID', `no signature for this release at ${url} (HTTP 404)`, {
      details: ['A release that is not signed (nightlies, candidates) needs --insecure-skip-signature.'],
    });
  if (!response.ok) throw new FyrError('DOWNLOAD_FAILED', `${url}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}
