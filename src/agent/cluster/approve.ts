// The one CSR approver, used while installing (finish) and by the keeper afterwards: lists the
// pending requests, approves the site's own nodes' (csr.ts), and records the others on the
// status page with their requester, never approving them.
import type { AgentContext } from '../context.js';
import { KEEP_APPROVED, type CsrApproved } from '../keeper/records.js';
import { keeperOf } from '../keeper/state.js';
import { oc, openssl } from '../tools.js';
import { judgeCsr, parseCsrText, type Verdict } from './csr.js';
import { nodesSeen, type ClusterRead } from './look.js';
import { pending, type Csr, type List, type Node } from './objects.js';
import { ocJson, ocOptions } from './oc.js';

async function verdictOf(ctx: AgentContext, csr: Csr, ready: ReadonlySet<string>): Promise<Verdict> {
  const pem = Buffer.from(csr.spec.request ?? '', 'base64').toString('utf8');
  let text: string | undefined;
  if (pem.includes('-----BEGIN CERTIFICATE REQUEST-----'))
    text = (await ctx.exec('openssl', openssl.csrText(), { input: pem }).catch(() => undefined))?.stdout;
  return judgeCsr(csr.spec, text === undefined ? undefined : parseCsrText(text), ctx.site.nodes, ready);
}

const newestFirst = (a: Csr, b: Csr) =>
  (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') ||
  b.metadata.name.localeCompare(a.metadata.name);

// The refusals kept on the status page (the newest), so a flood cannot grow the state file.
const KEEP_REFUSED = 50;

// seen: the CSRs and nodes a look has just read (else they are read here).
export async function approveSiteCsrs(ctx: AgentContext, who: string, seen?: ClusterRead): Promise<CsrApproved[]> {
  const csrs = seen?.csrs ?? (await ocJson<List<Csr>>(ctx, oc.csrs())).items ?? [];
  const waiting = csrs
    .filter(pending)
    .sort(newestFirst)
    .slice(0, KEEP_REFUSED + 10);
  const ready =
    waiting.length === 0
      ? new Set<string>()
      : new Set(
          nodesSeen(ctx, seen?.nodes ?? (await ocJson<List<Node>>(ctx, oc.nodes())).items ?? [])
            .filter((n) => n.ready)
            .map((n) => n.name),
        );
  const approve: Array<{ csr: Csr; node: string; kind: 'client' | 'serving' }> = [];
  const refused: Array<{ csr: Csr; reason: string; requestedName?: string }> = [];
  for (const csr of waiting) {
    const v = await verdictOf(ctx, csr, ready);
    // One certificate of a kind per node at a time: the newest request (a kubelet files again
    // while it waits); the older ones are left to expire.
    if (v.approve && approve.some((a) => a.node === v.node && a.kind === v.kind))
      refused.push({ csr, reason: `an older request for ${v.node}: the newest one is approved` });
    else if (v.approve) approve.push({ csr, node: v.node, kind: v.kind });
    else refused.push({ csr, reason: v.reason, ...(v.requestedName ? { requestedName: v.requestedName } : {}) });
  }
  if (approve.length > 0) await ctx.exec('oc', oc.approve(approve.map((a) => a.csr.metadata.name)), ocOptions(ctx));
  const at = ctx.now().toISOString();
  const approved = approve.map((a) => ({ name: a.csr.metadata.name, node: a.node, kind: a.kind, at }));
  for (const a of approved) ctx.log(`${who}: approved ${a.name}: ${a.node}'s kubelet ${a.kind} certificate`);
  const known = new Set((ctx.store.state.keeper?.csrRefused ?? []).map((r) => r.name));
  for (const r of refused.filter((x) => !known.has(x.csr.metadata.name)))
    ctx.log(`${who}: NOT approving ${r.csr.metadata.name} from ${r.csr.spec.username ?? 'nobody'}: ${r.reason}`);
  await ctx.store.update((s) => {
    const k = keeperOf(ctx, s);
    k.csrApproved = [...approved.reverse(), ...k.csrApproved].slice(0, KEEP_APPROVED);
    // Refusals stay listed while the request is pending; gone or decided elsewhere, they go.
    const before = new Map(k.csrRefused.map((r) => [r.name, r]));
    k.csrRefused = refused.slice(0, KEEP_REFUSED).map((r) => ({
      name: r.csr.metadata.name,
      requester: r.csr.spec.username ?? '',
      signer: r.csr.spec.signerName,
      ...(r.requestedName !== undefined ? { requestedName: r.requestedName } : {}),
      reason: r.reason,
      firstSeen: before.get(r.csr.metadata.name)?.firstSeen ?? at,
      lastSeen: at,
    }));
  });
  return approved;
}
