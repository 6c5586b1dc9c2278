// The plan as `fyr-agent apply` prints it, in the manner of `terraform plan`: one line per node
// or setting with a sign (+ add, - remove, -/+ replace, ~ update), the steps under each node,
// the bastion's files and daemons, the refusals, and the counts.
import { describeNode, type NodeChange, type Plan } from './plan.js';
import type { BastionChanges } from './files.js';

const SIGN: Record<NodeChange['action'], string> = { add: '+', remove: '-', replace: '-/+', update: '~' };

const changeText = (n: NodeChange) => n.changes.map((c) => `${c.field} ${c.from} → ${c.to}`).join(', ');

function nodeLine(n: NodeChange): string {
  if (n.action === 'add') return `  + ${n.name} (${describeNode(n.new!)})`;
  if (n.action === 'remove') return `  - ${n.name} (${describeNode(n.old!)})`;
  return `  ${SIGN[n.action]} ${n.name}: ${changeText(n)}`;
}

export function planText(plan: Plan, files?: BastionChanges): string {
  const lines = [`fyr-agent apply: ${plan.cluster}, site ${plan.from.slice(0, 12)} → ${plan.to.slice(0, 12)}`, ''];
  for (const n of plan.nodes) {
    lines.push(nodeLine(n));
    for (const s of n.steps) lines.push(`      ${s}`);
  }
  for (const s of plan.settings) lines.push(`  ~ ${s.field}: ${s.from} → ${s.to}`);
  if (files && (files.write.length > 0 || files.remove.length > 0)) {
    lines.push(
      '',
      `Bastion files: ${files.write.length} to write, ${files.remove.length} to remove${
        files.reloads.length > 0 ? `; then ${files.reloads.map((r) => r.unit).join(', ')} reloaded and checked` : ''
      }`,
    );
    for (const f of files.write) lines.push(`  ${f.old === undefined ? '+' : '~'} ${f.path}`);
    for (const f of files.remove) lines.push(`  - ${f.path}`);
  }
  if (plan.refusals.length > 0) {
    lines.push('', `Refused (nothing is applied while any remain):`);
    for (const r of plan.refusals) lines.push(`  ! ${r.subject}: ${r.reason}`);
  }
  const empty = plan.nodes.length === 0 && plan.settings.length === 0 && !files?.write.length && !files?.remove.length;
  if (empty && plan.refusals.length === 0) lines.push('No changes: the bastion runs this site already.');
  else
    lines.push(
      '',
      `Plan: ${plan.counts.add} to add, ${plan.counts.remove} to remove, ${plan.counts.change} to change.${
        plan.refusals.length > 0 ? ` ${plan.refusals.length} refused: fix the site file and build it again.` : ''
      }`,
    );
  return `${lines.join('\n')}\n`;
}
