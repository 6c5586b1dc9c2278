// The release signature: fetched for the pinned digest from Red Hat's signature store (or
// --signature-url), checked with gpg against the release key (on RHEL
// /etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release, or --signature-key; fyr ships no key), and its
// signed digest compared with the pinned one. Kept as the ConfigMap the cluster reads
// (openshift-config-managed, label release.openshift.io/verification-signatures), and handed
// to oc-mirror with the key (mirror.ts), since oc-mirror checks the signature again itself.
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

export interface VerifiedSignature {
  bytes: Buffer;
  // The signed identity (critical.identity.docker-reference), from which oc-mirror tags the release.
  identity: string;
  // The key it verified with, armored (what OCP_SIGNATURE_VERIFICATION_PK must name).
  armoredKey: string;
}

// Public-key algorithms Go's golang.org/x/crypto/openpgp reads, which oc-mirror verifies with
// (internal/pkg/release/signature.go): RSA (1, 3), DSA (17), ECDSA (19). No EdDSA (22).
const OC_MIRROR_KEY_ALGORITHMS = new Set(['1', '3', '17', '19']);

// The verified signature, its identity and the key.
export async function verifySignature(o: SignatureOptions): Promise<VerifiedSignature> {
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
    const valid = /^\[GNUPG:\] VALIDSIG (.*)$/m.exec(checked.stdout);
    if (!valid) throw new FyrError('SIGNATURE_INVALID', `gpg reported no valid signature in ${url}`);
    // VALIDSIG <fpr> <date> <timestamp> <expires> <version> <reserved> <pubkey-algo> …
    const algorithm = valid[1]!.split(' ')[6] ?? '';
    if (!OC_MIRROR_KEY_ALGORITHMS.has(algorithm))
      throw new FyrError(
        'SIGNATURE_INVALID',
        `the release signature at ${url} is made with a key oc-mirror cannot read`,
        {
          details: [
            `gpg public-key algorithm ${algorithm}${algorithm === '22' ? ' (EdDSA)' : ''}: oc-mirror checks the signature again with Go's x/crypto/openpgp, which reads RSA, DSA and ECDSA keys only.`,
            'Sign releases with an RSA or ECDSA key, or pass --insecure-skip-signature.',
          ],
        },
      );
    let signed: { critical?: { type?: string; image?: Record<string, string>; identity?: Record<string, string> } };
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
    const identity = signed.critical?.identity?.['docker-reference'];
    if (!identity)
      throw new FyrError(
        'SIGNATURE_INVALID',
        `the signature at ${url} names no identity (critical.identity.docker-reference)`,
      );
    const armoredKey = (await runTool('gpg', gpg.exportArmored(home))).stdout;
    return { bytes: signature, identity, armoredKey: `${armoredKey.trim()}\n` };
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
