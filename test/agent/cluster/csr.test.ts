// The CSR rule against real requests: openssl makes them as a kubelet would (EC keys, the
// node's subject, SANs), openssl reads them back as the agent does, and judgeCsr decides.
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT_SIGNER,
  judgeCsr,
  NODE_BOOTSTRAPPER,
  parseCsrText,
  SERVING_SIGNER,
} from '../../../src/agent/cluster/csr.js';
import { openssl } from '../../../src/agent/tools.js';

const test = suite('agent :: cluster :: csr');

const NODES = [
  { name: 'cp-0', fqdn: 'cp-0.edge.example.com', ip: '192.168.8.10' },
  { name: 'cp-1', fqdn: 'cp-1.edge.example.com', ip: '192.168.8.11' },
];

// A request as the kubelet files it, read back as the agent reads it.
async function request(subject: string, sans?: string) {
  const pem = await execa('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    '/dev/null',
    '-subj',
    subject,
    ...(sans ? ['-addext', `subjectAltName=${sans}`] : []),
  ]);
  const text = await execa('openssl', openssl.csrText(), { input: pem.stdout });
  return parseCsrText(text.stdout);
}

test('a node-bootstrapper client CSR for a site node is approved; for another name it is not', async () => {
  const ok = await request('/O=system:nodes/CN=system:node:cp-0');
  assert.equal(ok?.subject, [
    ['CN', 'system:node:cp-0'],
    ['O', 'system:nodes'],
  ]);
  assert.equal(judgeCsr({ signerName: CLIENT_SIGNER, username: NODE_BOOTSTRAPPER }, ok, NODES), {
    approve: true,
    node: 'cp-0',
    kind: 'client',
  });
  const intruder = await request('/O=system:nodes/CN=system:node:intruder');
  assert.equal(judgeCsr({ signerName: CLIENT_SIGNER, username: NODE_BOOTSTRAPPER }, intruder, NODES), {
    approve: false,
    reason: 'intruder is not a node of this site',
    requestedName: 'system:node:intruder',
  });
  // The right name from the wrong requester.
  const v = judgeCsr({ signerName: CLIENT_SIGNER, username: 'system:serviceaccount:default:builder' }, ok, NODES);
  assert.is(v.approve, false);
  assert.match((v as { reason: string }).reason, 'requested by system:serviceaccount:default:builder');
  // The node renewing its own client certificate.
  assert.is(judgeCsr({ signerName: CLIENT_SIGNER, username: 'system:node:cp-0' }, ok, NODES).approve, true);
  assert.is(judgeCsr({ signerName: CLIENT_SIGNER, username: 'system:node:cp-1' }, ok, NODES).approve, false);
});

test('a serving CSR is approved only from the node itself, for its own names and address', async () => {
  const own = await request(
    '/O=system:nodes/CN=system:node:cp-1',
    'DNS:cp-1,DNS:cp-1.edge.example.com,IP:192.168.8.11',
  );
  assert.equal(own?.dns, ['cp-1', 'cp-1.edge.example.com']);
  assert.equal(own?.ips, ['192.168.8.11']);
  assert.equal(judgeCsr({ signerName: SERVING_SIGNER, username: 'system:node:cp-1' }, own, NODES), {
    approve: true,
    node: 'cp-1',
    kind: 'serving',
  });
  // Asked by another node, or for another node's address, or for a name beyond the node's.
  assert.is(judgeCsr({ signerName: SERVING_SIGNER, username: 'system:node:cp-0' }, own, NODES).approve, false);
  const stolen = await request('/O=system:nodes/CN=system:node:cp-1', 'DNS:cp-1,IP:192.168.8.10');
  const v = judgeCsr({ signerName: SERVING_SIGNER, username: 'system:node:cp-1' }, stolen, NODES);
  assert.equal(v, {
    approve: false,
    reason: 'it asks for 192.168.8.10, which cp-1 is not',
    requestedName: 'system:node:cp-1',
  });
  const wide = await request('/O=system:nodes/CN=system:node:cp-1', 'DNS:cp-1,DNS:api.edge.example.com');
  assert.is(judgeCsr({ signerName: SERVING_SIGNER, username: 'system:node:cp-1' }, wide, NODES).approve, false);
  // A client certificate may not carry names.
  assert.is(judgeCsr({ signerName: CLIENT_SIGNER, username: NODE_BOOTSTRAPPER }, own, NODES).approve, false);
});

test('subjects that only look like a node, other signers and unreadable requests are refused', async () => {
  const extra = await request('/O=system:nodes/O=system:masters/CN=system:node:cp-0');
  assert.is(judgeCsr({ signerName: CLIENT_SIGNER, username: NODE_BOOTSTRAPPER }, extra, NODES).approve, false);
  // An escaped comma cannot smuggle in a second attribute.
  const escaped = await request('/O=system:nodes/CN=system:node:cp-0\\,O=system:masters');
  assert.equal(escaped?.subject, [
    ['CN', 'system:node:cp-0,O=system:masters'],
    ['O', 'system:nodes'],
  ]);
  assert.is(judgeCsr({ signerName: CLIENT_SIGNER, username: NODE_BOOTSTRAPPER }, escaped, NODES).approve, false);
  const ok = await request('/O=system:nodes/CN=system:node:cp-0');
  const v = judgeCsr({ signerName: 'kubernetes.io/kube-apiserver-client', username: NODE_BOOTSTRAPPER }, ok, NODES);
  assert.equal(v, {
    approve: false,
    reason: 'signer kubernetes.io/kube-apiserver-client is not one the keeper approves for',
    requestedName: 'system:node:cp-0',
  });
  assert.equal(judgeCsr({ signerName: CLIENT_SIGNER, username: NODE_BOOTSTRAPPER }, undefined, NODES), {
    approve: false,
    reason: 'its request cannot be read as a certificate signing request',
  });
  assert.is(parseCsrText('not openssl output'), undefined);
});

test('a byte openssl writes as \\XX is that byte: cp-\\01 is not cp-01', async () => {
  const nodes = [...NODES, { name: 'cp-01', fqdn: 'cp-01.edge.example.com', ip: '192.168.8.20' }];
  const sneaky = await request('/O=system:nodes/CN=system:node:cp-\x01');
  assert.equal(sneaky?.subject, [
    ['CN', 'system:node:cp-\x01'],
    ['O', 'system:nodes'],
  ]);
  assert.equal(judgeCsr({ signerName: CLIENT_SIGNER, username: NODE_BOOTSTRAPPER }, sneaky, nodes), {
    approve: false,
    reason: 'the name it asks for is not a node name',
    requestedName: 'system:node:cp-\x01',
  });
  const utf8 = await request('/O=system:nodes/CN=system:node:cp-\u00e9');
  assert.is(judgeCsr({ signerName: CLIENT_SIGNER, username: NODE_BOOTSTRAPPER }, utf8, nodes).approve, false);
});

test('a second kubelet identity for a node that is Ready is refused; the node renewing its own is not', async () => {
  const ok = await request('/O=system:nodes/CN=system:node:cp-0');
  const ready = new Set(['cp-0']);
  assert.equal(judgeCsr({ signerName: CLIENT_SIGNER, username: NODE_BOOTSTRAPPER }, ok, NODES, ready), {
    approve: false,
    reason: "cp-0 is Ready in the cluster: it has its kubelet identity, this is another machine's request",
    requestedName: 'system:node:cp-0',
  });
  assert.is(judgeCsr({ signerName: CLIENT_SIGNER, username: 'system:node:cp-0' }, ok, NODES, ready).approve, true);
  // Not Ready (after an outage, or replaced): the bootstrapper's request is the way back in.
  assert.is(judgeCsr({ signerName: CLIENT_SIGNER, username: NODE_BOOTSTRAPPER }, ok, NODES, new Set()).approve, true);
});

test.run();
