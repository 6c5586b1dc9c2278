// fyr render: a valid site → kickstart, blueprint and the bastion's bundle, in one directory.
import { FyrError } from '../../errors.js';
import { SEALED_SECRETS } from '../../formats/sealed-secrets.js';
import { DEFAULT_RENDER_OPTIONS, renderSite } from '../../render/index.js';
import { sealedSecretsFile, showUnlockCode, unlockCode } from '../seal-site.js';
import { TargetExistsError, writeTree } from '../../util/write-tree.js';
import type { CommandSpec } from '../command.js';
import { choice, OS, RENDER_OPTIONS, requiredOption, SEAL_OPTIONS, SOURCES } from '../options.js';
import { countLabel, problemJson, toJson } from '../report.js';
import { loadValidSite, printWarnings } from '../site-input.js';
import { makeStyle } from '../style.js';

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

export const renderCommand: CommandSpec = {
  name: 'render',
  summary: "Render the bastion's kickstart, blueprint and configs",
  usage: 'fyr render SITE -o DIR [options]',
  description: [
    'Validates SITE like `fyr validate`, then writes into DIR: ks.cfg (the unattended bastion install), blueprint.toml (for osbuild-composer; the same for every site), bundle/ (every file laid onto the bastion, at its path there: dhcpd (--os rhel9) or Kea (--os rhel10), named and its zones, HAProxy, chrony, PXE menus, httpd, firewalld, NetworkManager, Tang, Cockpit, the bootstrap VM, install-config and Tang MachineConfigs, site.json) and manifest.json (each file with its sha256).',
    'DIR is written all at once: a failure leaves nothing behind, and an existing non-empty DIR is only replaced with --force. The same site always gives the same bytes.',
    'A render is a preview: without --unlock-code-file the files are rendered as a sealed site has them (no secret value in any file) and the sealed secrets (bundle/etc/fyr/secrets.age) are left out, which fyr build adds. With --unlock-code-file they are sealed to that code; with --no-seal the secrets are written in clear.',
  ],
  options: {
    out: { type: 'string', short: 'o', value: 'DIR', help: 'Directory to write (required)' },
    ...RENDER_OPTIONS,
    ...SEAL_OPTIONS,
    force: { type: 'boolean', help: 'Replace DIR if it exists and is not empty' },
    quiet: { type: 'boolean', short: 'q', help: 'Print nothing on success' },
  },
  positionals: { min: 1, max: 1 },
  examples: [
    'fyr render examples/edge/site.yaml -o out/edge',
    'fyr render site.yaml -o out --os rhel10 --source dvd --json',
  ],
  async run(args, io) {
    const file = args.positionals[0] ?? '';
    const out = requiredOption(args, 'out', 'missing -o DIR: where to write the rendered files');
    const options = {
      os: choice('os', args.options.os, OS, DEFAULT_RENDER_OPTIONS.os),
      source: choice('source', args.options.source, SOURCES, DEFAULT_RENDER_OPTIONS.source),
    };
    const secretsFile = args.options.secrets;
    const result = await loadValidSite(file, {
      ...(typeof secretsFile === 'string' ? { secretsFile } : {}),
      strictPermissions: args.options.strict === true,
    });
    // A preview needs no unlock code: without one the site renders as sealed, its secrets left out.
    const preview = args.options['unlock-code-file'] === undefined && args.options['no-seal'] !== true;
    const code = preview ? undefined : await unlockCode(args, io);
    const rendered = renderSite(result.site, { ...options, sealed: preview || code !== undefined });
    const files = [...rendered.files, ...(code !== undefined ? [await sealedSecretsFile(rendered, code)] : [])];
    try {
      await writeTree(out, files, { replace: args.options.force === true });
    } catch (err) {
      if (err instanceof TargetExistsError)
        throw new FyrError('RENDER_EXISTS', `${err.message}; pass --force to replace it`);
      throw new FyrError('WRITE_FAILED', `cannot write ${out}: ${(err as Error).message}`, { cause: err });
    }
    showUnlockCode(code, io, result.site.cluster.fqdn);
    if (args.json) {
      io.stdout(
        toJson({
          ok: true,
          file,
          out,
          ...options,
          sealed: code !== undefined,
          // No code given: rendered as a sealed site, its sealed secrets left out.
          secretsLeftOut: preview,
          blueprint: rendered.blueprint,
          files: rendered.manifest,
          warnings: result.warnings.map(problemJson),
        }),
      );
      return 0;
    }
    printWarnings(result.warnings, io);
    if (preview && args.options.quiet !== true)
      io.stderr(
        `note: a preview without --unlock-code-file: rendered as a sealed site, and its sealed secrets (bundle${SEALED_SECRETS}) are left out; fyr build seals them\n`,
      );
    if (args.options.quiet === true) return 0;
    const s = makeStyle(io.color.stdout);
    const width = Math.max(...rendered.manifest.map((m) => m.path.length));
    const lines = rendered.manifest.map(
      (m) => `  ${m.path.padEnd(width)}  ${m.mode}  ${s.dim(size(m.size).padStart(9))}`,
    );
    io.stdout(
      `${s.green('✓')} rendered ${file} into ${out} (${options.os}, ${options.source} install source): ${countLabel(rendered.files.length, 'file')}\n\n` +
        `${lines.join('\n')}\n  manifest.json\n${code !== undefined ? `  bundle${SEALED_SECRETS} (the secrets, sealed to the unlock code)\n` : ''}\n` +
        `blueprint ${rendered.blueprint.name} sha256:${rendered.blueprint.sha256}\n`,
    );
    return 0;
  },
};
