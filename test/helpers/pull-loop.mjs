#!/usr/bin/env node
// A cluster node's pulls, over and over: the release manifest by tag, then its biggest blob,
// checked against its digest, until STOP exists. One line per pull ("<ms> ok" or "<ms> FAIL
// <why>") on stdout, for the lab to show that the registry never failed one (the switch from
// the stick to the disk copy happens while this runs).
// pull-loop.mjs HOST:PORT SERVERNAME CA USER PASSWORD-FILE REPO:TAG STOP
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';

const [address, servername, caFile, user, passwordFile, ref, stop] = process.argv.slice(2);
const [host, port] = address.split(':');
const [repo, tag] = ref.split(':');
const ca = readFileSync(caFile);
const auth = `Basic ${Buffer.from(`${user}:${readFileSync(passwordFile, 'utf8').trim()}`).toString('base64')}`;
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const get = (path) =>
  new Promise((resolve, reject) => {
    const req = request(
      { host, port, path, servername, ca, agent: false, headers: { authorization: auth, accept: ACCEPT } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.end();
  });

async function pull() {
  let m = await get(`/v2/${repo}/manifests/${tag}`);
  if (m.status !== 200) throw new Error(`manifest ${m.status}`);
  let doc = JSON.parse(m.body);
  if (doc.manifests) {
    m = await get(`/v2/${repo}/manifests/${doc.manifests[0].digest}`);
    if (m.status !== 200) throw new Error(`child manifest ${m.status}`);
    doc = JSON.parse(m.body);
  }
  const blob = [doc.config, ...(doc.layers ?? [])].sort((a, b) => b.size - a.size)[0];
  const b = await get(`/v2/${repo}/blobs/${blob.digest}`);
  if (b.status !== 200) throw new Error(`blob ${b.status}`);
  const sum = `sha256:${createHash('sha256').update(b.body).digest('hex')}`;
  if (sum !== blob.digest) throw new Error(`blob ${blob.digest} read as ${sum}`);
}

while (!existsSync(stop)) {
  try {
    await pull();
    console.log(`${Date.now()} ok`);
  } catch (err) {
    console.log(`${Date.now()} FAIL ${err.message}`);
  }
}
