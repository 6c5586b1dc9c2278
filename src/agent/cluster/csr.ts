// Certificate signing requests approved only for the site's own nodes. A UPI cluster approves
// nothing itself (no Machine objects: cluster-machine-approver's csr_check.go), so whoever
// approves decides who joins. The rule (day2.md §2.2): a kubelet client CSR from the
// node-bootstrapper (or the node renewing) for `system:node:<name>`, and a kubelet serving CSR
// from `system:node:<name>` for that name, its FQDN and its address, where <name> is a node of
// the site file. Anything else is reported, never approved.

export const NODE_BOOTSTRAPPER = 'system:serviceaccount:openshift-machine-config-operator:node-bootstrapper';
export const CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const SERVING_SIGNER = 'kubernetes.io/kubelet-serving';
const NODE_PREFIX = 'system:node:';
const NODES_GROUP = 'system:nodes';

// What `openssl req -noout -text -nameopt RFC2253` says of a request.
export interface CsrRequest {
  // Subject attributes in order, unescaped.
  subject: Array<[string, string]>;
  dns: string[];
  ips: string[];
  // Alternative names of any other kind (email, URI, ...).
  otherNames: string[];
}

// Splits an RFC 2253 name on the commas that are not escaped, and unescapes each value: `\,`
// and the like stand for the character, `\XX` for a byte (openssl writes control and non-ASCII
// bytes so), so `cp-\01` is "cp-" and a byte 1, never "cp-01".
function rfc2253(name: string): Array<[string, string]> | undefined {
  const parts: number[][] = [];
  let cur: number[] = [];
  const bytes = Buffer.from(name, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x5c && i + 1 < bytes.length) {
      const hex = bytes.subarray(i + 1, i + 3).toString('latin1');
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        cur.push(parseInt(hex, 16));
        i += 2;
      } else cur.push(bytes[++i]!);
    } else if (c === 0x2c) {
      parts.push(cur);
      cur = [];
    } else cur.push(c);
  }
  parts.push(cur);
  const out: Array<[string, string]> = [];
  for (const p of parts) {
    const text = Buffer.from(p).toString('utf8');
    const eq = text.indexOf('=');
    if (eq <= 0) return undefined;
    out.push([text.slice(0, eq).trim(), text.slice(eq + 1)]);
  }
  return out;
}

// What a Kubernetes node name may be (a DNS-1123 subdomain); anything else is no site node.
const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function parseCsrText(text: string): CsrRequest | undefined {
  const lines = text.split('\n');
  const subjectLine = lines.find((l) => /^\s*Subject:/.test(l));
  if (subjectLine === undefined) return undefined;
  const subject = rfc2253(subjectLine.replace(/^\s*Subject:\s?/, ''));
  if (!subject) return undefined;
  const dns: string[] = [];
  const ips: string[] = [];
  const otherNames: string[] = [];
  const at = lines.findIndex((l) => /X509v3 Subject Alternative Name:/.test(l));
  if (at >= 0) {
    for (const entry of (lines[at + 1] ?? '').trim().split(/,\s*/)) {
      if (entry === '') continue;
      if (entry.startsWith('DNS:')) dns.push(entry.slice(4));
      else if (entry.startsWith('IP Address:')) ips.push(entry.slice('IP Address:'.length));
      else otherNames.push(entry);
    }
  }
  return { subject, dns, ips, otherNames };
}

export interface SiteNodeName {
  name: string;
  fqdn: string;
  ip: string;
}

export type Verdict =
  | { approve: true; node: string; kind: 'client' | 'serving' }
  | { approve: false; reason: string; requestedName?: string };

// The node a subject names: exactly CN=system:node:<name> and O=system:nodes, nothing else.
function nodeOfSubject(subject: Array<[string, string]>): string | undefined {
  const cn = subject.filter(([k]) => k === 'CN');
  const o = subject.filter(([k]) => k === 'O');
  if (subject.length !== 2 || cn.length !== 1 || o.length !== 1) return undefined;
  if (o[0]![1] !== NODES_GROUP || !cn[0]![1].startsWith(NODE_PREFIX)) return undefined;
  return cn[0]![1].slice(NODE_PREFIX.length);
}

// readyNodes: the nodes Ready in the cluster now. A node-bootstrapper's client request for one
// of them is refused: that node has its kubelet identity, and a second one would be another
// machine's (the bootstrap token is served to anything on the LAN that asks for an ignition).
export function judgeCsr(
  csr: { signerName: string; username?: string },
  request: CsrRequest | undefined,
  nodes: readonly SiteNodeName[],
  readyNodes: ReadonlySet<string> = new Set(),
): Verdict {
  const requester = csr.username ?? '';
  if (!request) return { approve: false, reason: 'its request cannot be read as a certificate signing request' };
  const name = nodeOfSubject(request.subject);
  const requestedName = request.subject.find(([k]) => k === 'CN')?.[1];
  const refuse = (reason: string): Verdict => ({
    approve: false,
    reason,
    ...(requestedName !== undefined ? { requestedName } : {}),
  });
  if (name === undefined)
    return refuse('it does not ask for a node certificate (CN=system:node:<name>, O=system:nodes)');
  if (!NODE_NAME.test(name)) return refuse('the name it asks for is not a node name');
  const node = nodes.find((n) => n.name === name || n.fqdn === name);
  if (!node) return refuse(`${name} is not a node of this site`);
  if (csr.signerName === CLIENT_SIGNER) {
    if (requester !== NODE_BOOTSTRAPPER && requester !== `${NODE_PREFIX}${name}`)
      return refuse(`requested by ${requester || 'nobody'}, not the node-bootstrapper or the node itself`);
    if (request.dns.length + request.ips.length + request.otherNames.length > 0)
      return refuse('a kubelet client certificate carries no alternative names');
    if (requester === NODE_BOOTSTRAPPER && (readyNodes.has(node.name) || readyNodes.has(node.fqdn)))
      return refuse(
        `${node.name} is Ready in the cluster: it has its kubelet identity, this is another machine's request`,
      );
    return { approve: true, node: node.name, kind: 'client' };
  }
  if (csr.signerName === SERVING_SIGNER) {
    if (requester !== `${NODE_PREFIX}${name}`) return refuse(`requested by ${requester || 'nobody'}, not by ${name}`);
    if (request.otherNames.length > 0) return refuse(`it asks for ${request.otherNames.join(', ')}`);
    const names = new Set([node.name, node.fqdn]);
    const strangerDns = request.dns.filter((d) => !names.has(d));
    const strangerIps = request.ips.filter((i) => i !== node.ip);
    if (strangerDns.length + strangerIps.length > 0)
      return refuse(`it asks for ${[...strangerDns, ...strangerIps].join(', ')}, which ${node.name} is not`);
    if (request.dns.length + request.ips.length === 0) return refuse('a serving certificate with no names');
    return { approve: true, node: node.name, kind: 'serving' };
  }
  return refuse(`signer ${csr.signerName} is not one the keeper approves for`);
}
