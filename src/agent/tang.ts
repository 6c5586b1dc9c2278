// The Tang server's signing-key thumbprint (RFC 7638, SHA-256), read from its advertisement:
// what clevis pins a node's disk to, so it only ever unlocks against this bastion.
import { createHash } from 'node:crypto';
import { PORTS } from '../formats/bastion-layout.js';
import { PhaseError, type AgentContext } from './context.js';
import { httpGet } from './probes.js';

interface Jwk {
  kty?: string;
  crv?: string;
  x?: string;
  y?: string;
  key_ops?: string[];
}

function b64url(text: string): Buffer {
  return Buffer.from(text, 'base64url');
}

export function jwkThumbprint(jwk: Jwk): string {
  if (jwk.kty !== 'EC' || !jwk.crv || !jwk.x || !jwk.y)
    throw new Error(`Tang key is not an EC key (kty ${String(jwk.kty)})`);
  // RFC 7638: the required members only, in lexicographic order, no whitespace.
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

// The advertisement is a JWS (flattened or general JSON) whose payload is the key set.
export function signingThumbprints(advertisement: string): string[] {
  const jws = JSON.parse(advertisement) as { payload?: string };
  if (typeof jws.payload !== 'string') throw new Error('Tang advertisement has no payload');
  const set = JSON.parse(b64url(jws.payload).toString('utf8')) as { keys?: Jwk[] };
  const signing = (set.keys ?? []).filter((k) => k.key_ops?.includes('verify'));
  if (signing.length === 0) throw new Error('Tang advertisement holds no signing key');
  return signing.map(jwkThumbprint);
}

// A YAML double-quoted scalar accepts JSON string escapes, so JSON.stringify quotes any value.
export function fill(text: string, placeholder: string, value: string): string {
  return text.split(`"${placeholder}"`).join(JSON.stringify(value)).split(placeholder).join(value);
}

// The bastion's Tang thumbprint as the nodes' MachineConfigs pin it (read from its /adv).
export async function tangThumbprint(ctx: AgentContext): Promise<string> {
  const r = await httpGet(`http://${ctx.site.network.lan.bastion}:${PORTS.tang}/adv`);
  if (r.status !== 200) throw new PhaseError(`Tang's /adv answered ${r.status}`, { retryable: true });
  return signingThumbprints(r.body)[0]!;
}
