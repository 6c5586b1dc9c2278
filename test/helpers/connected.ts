// The connected side of fyr content, on loopback: the doubles on PATH (oc, openshift-install,
// oc-mirror; test/doubles/bin), a throwaway gpg key that signs the synthetic release (passed as
// the trust key), an HTTP server for the RHCOS artifacts and the signature with faults on
// demand (404, wrong bytes, a body cut halfway; Range requests honoured for resumes), the
// stream the extracted installer prints, a pull secret and a registry image as an OCI layout.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { doublesBin } from '../doubles/bundle.mjs';
import { releaseDigest, writeLayout } from '../doubles/oci.mjs';

export const DOUBLES_BIN = doublesBin();

export type Fault = 'missing' | 'corrupt' | 'cut';

export interface Connected {
  dir: string;
  env: Record<string, string>;
  pullSecret: string;
  key: string;
  otherKey: string;
  signatureUrl: string;
  registryImage: string;
  cache: string;
  digest: string;
  rhcos: Record<'kernel' | 'initramfs' | 'rootfs', { data: Buffer; sha256: string; url: string }>;
  // Faults by URL path, each used once ('cut' then serves the rest on a resume).
  faults: Map<string, Fault>;
  requests: Array<{ path: string; range: string | undefined; status: number }>;
  // Signs another synthetic release (x86_64) with the release key and serves its signature;
  // returns its digest. 4.18.9's is signed from the start.
  signRelease(version: string): Promise<string>;
  close(): Promise<void>;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function gpgKey(home: string, name: string): Promise<string> {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  await execa('gpg', [
    '--batch',
    '--homedir',
    home,
    '--passphrase',
    '',
    '--quick-gen-key',
    `${name} <${name}@fyr.test>`,
    // ECDSA: oc-mirror checks the signature again with Go's x/crypto/openpgp, which reads no EdDSA key.
    'nistp256',
    'sign',
    'never',
  ]);
  const key = join(home, '..', `${name}.asc`);
  writeFileSync(key, (await execa('gpg', ['--batch', '--homedir', home, '--armor', '--export'])).stdout);
  return key;
}

// An OpenShift release signature: the atomic container signature JSON, gpg-signed (not detached).
async function sign(home: string, digest: string, out: string, version = '4.18.9'): Promise<void> {
  const payload = JSON.stringify({
    critical: {
      identity: { 'docker-reference': `quay.io/openshift-release-dev/ocp-release:${version}-x86_64` },
      image: { 'docker-manifest-digest': digest },
      type: 'atomic container signature',
    },
    optional: { creator: 'fyr tests' },
  });
  await execa('gpg', ['--batch', '--homedir', home, '--output', out, '--sign'], { input: payload });
}

type Rhcos = Record<'kernel' | 'initramfs' | 'rootfs', number | Buffer>;

// rhcosFiles: each artifact's size (synthetic bytes) or its bytes (the lab's stand-in RHCOS).
export async function connectedSide(
  dir: string,
  rhcosFiles: Rhcos = { kernel: 70_001, initramfs: 300_007, rootfs: 1_000_003 },
): Promise<Connected> {
  mkdirSync(dir, { recursive: true });
  const faults = new Map<string, Fault>();
  const requests: Connected['requests'] = [];
  const files = new Map<string, Buffer>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const fault = faults.get(path);
    if (fault) faults.delete(path);
    const data = files.get(path);
    const log = (status: number) => requests.push({ path, range: req.headers.range, status });
    if (!data || fault === 'missing') {
      log(404);
      res.writeHead(404).end('not found\n');
      return;
    }
    const body = fault === 'corrupt' ? Buffer.alloc(data.length, 0x21) : data;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const from = range ? Number(range[1]) : 0;
    const status = range ? 206 : 200;
    log(status);
    res.writeHead(status, {
      'content-length': body.length - from,
      ...(range ? { 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` } : {}),
    });
    if (fault === 'cut') {
      res.write(body.subarray(from, from + Math.floor((body.length - from) / 2)));
      setTimeout(() => res.destroy(), 20);
    } else res.end(body.subarray(from));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const rhcos = {} as Connected['rhcos'];
  for (const [name, given] of Object.entries(rhcosFiles) as Array<[keyof Connected['rhcos'], number | Buffer]>) {
    let data: Buffer;
    if (Buffer.isBuffer(given)) data = given;
    else {
      data = Buffer.alloc(given);
      for (let i = 0; i < given; i += 32) createHash('sha256').update(`${name}${i}`).digest().copy(data, i);
    }
    const path = `/rhcos/418.94.202504080525-0/x86_64/rhcos-418.94.202504080525-0-live-${name}.x86_64${name === 'kernel' ? '' : '.img'}`;
    files.set(path, data);
    rhcos[name] = { data, sha256: sha256(data), url: `${base}${path}` };
  }
  const stream = {
    stream: 'rhcos-4.18',
    metadata: { 'last-modified': '2025-04-08T05:25:00Z', generator: 'plume cosa2stream 0.0.1' },
    architectures: {
      x86_64: {
        artifacts: {
          metal: {
            release: '418.94.202504080525-0',
            formats: {
              pxe: {
                kernel: { location: rhcos.kernel.url, sha256: rhcos.kernel.sha256 },
                initramfs: { location: rhcos.initramfs.url, sha256: rhcos.initramfs.sha256 },
                rootfs: { location: rhcos.rootfs.url, sha256: rhcos.rootfs.sha256 },
              },
            },
          },
        },
      },
    },
  };
  writeFileSync(join(dir, 'stream.json'), `${JSON.stringify(stream, null, 2)}\n`);
  const digest = releaseDigest(join(dir, 'scratch'), '4.18.9', 'x86_64');
  const key = await gpgKey(join(dir, 'gpg-red-hat'), 'release');
  const otherKey = await gpgKey(join(dir, 'gpg-other'), 'other');
  const sig = join(dir, 'signature-1');
  await sign(join(dir, 'gpg-red-hat'), digest, sig);
  files.set(`/signatures/${digest.replace(':', '=')}/signature-1`, readFileSync(sig));
  const pullSecret = join(dir, 'pull-secret.json');
  writeFileSync(
    pullSecret,
    JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('user:s3cret-pull').toString('base64') } } }),
  );
  const doubles = join(dir, 'doubles');
  mkdirSync(doubles, { recursive: true });
  writeLayout(join(dir, 'registry-image'), [
    { ref: 'registry', layers: [4096], labels: { 'org.opencontainers.image.title': 'registry' } },
  ]);
  return {
    dir,
    env: {
      PATH: `${DOUBLES_BIN}:${process.env.PATH}`,
      FYR_DOUBLES_DIR: doubles,
      FYR_DOUBLE_STREAM: join(dir, 'stream.json'),
    },
    pullSecret,
    key,
    otherKey,
    signatureUrl: `${base}/signatures`,
    registryImage: `oci:${join(dir, 'registry-image')}:registry`,
    cache: join(dir, 'cache'),
    digest,
    rhcos,
    faults,
    requests,
    signRelease: async (version: string) => {
      const d = releaseDigest(join(dir, `scratch-${version}`), version, 'x86_64');
      const out = join(dir, `signature-${version}`);
      await sign(join(dir, 'gpg-red-hat'), d, out, version);
      files.set(`/signatures/${d.replace(':', '=')}/signature-1`, readFileSync(out));
      return d;
    },
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      // gpg started an agent for each throwaway keyring: stop them, nothing stays running.
      for (const home of ['gpg-red-hat', 'gpg-other'])
        await execa('gpgconf', ['--homedir', join(dir, home), '--kill', 'all'], { reject: false });
    },
  };
}

// fyr content's arguments for this side, plus `more`.
export const contentArgs = (c: Connected, out: string, more: string[] = []) => [
  'content',
  '--openshift',
  '4.18.9',
  '--pull-secret',
  c.pullSecret,
  '-o',
  out,
  '--cache',
  c.cache,
  '--signature-key',
  c.key,
  '--signature-url',
  c.signatureUrl,
  '--registry-image',
  c.registryImage,
  ...more,
];
