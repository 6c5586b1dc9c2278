// make try: the connected side's flow without a connected machine. `fyr content` runs as on a
// CI runner, against the test doubles the content tests use (test/helpers/connected.ts): the
// oc, openshift-install and oc-mirror doubles on PATH, a loopback server for RHCOS and the
// release signature (signed with a throwaway gpg key), the real gpg, skopeo and registry. Then
// `fyr release` of the RHEL 9-layout fixture ISO with that content, `fyr build` of the edge
// example and `fyr inspect --verify`; everything in out/try/. make demo boots what this makes.
//   node --import tsx test/tools/try.ts [--content-only]
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { connectedSide, contentArgs, type Connected } from '../helpers/connected.js';
import { ISO_FIXTURE_DIR } from './iso-fixtures.js';

const TRY_DIR = 'out/try';
const TRY_CONTENT = join(TRY_DIR, 'content');
// The edge example, asking for the release the doubles serve (fyr build refuses another minor).
const TRY_SITE = join(TRY_DIR, 'edge/site.yaml');
const EXAMPLE = 'examples/edge';
const RELEASE_MINOR = '4.18';

// The command as a user would type it: paths under this tree relative to it.
const shown = (args: string[]) => args.map((a) => a.replaceAll(`${process.cwd()}/`, '')).join(' ');

async function fyr(args: string[], env: Record<string, string> = {}): Promise<void> {
  console.log(`\n$ fyr ${shown(args)}`);
  await execa('node', ['dist/cli/main.js', ...args], { stdout: 'inherit', stderr: 'inherit', env });
}

// The example site file beside its secrets, its OpenShift version the content's minor.
function writeSite(): void {
  mkdirSync(join(TRY_DIR, 'edge'), { recursive: true });
  const text = readFileSync(join(EXAMPLE, 'site.yaml'), 'utf8');
  const site = text.replace(/openshiftVersion: "[^"]*"/, `openshiftVersion: "${RELEASE_MINOR}"`);
  if (site === text) throw new Error(`try: ${EXAMPLE}/site.yaml names no openshiftVersion to change`);
  writeFileSync(TRY_SITE, site.replaceAll('../../docs/schema/', '../../../docs/schema/'));
  copyFileSync(join(EXAMPLE, 'secrets.yaml'), join(TRY_DIR, 'edge/secrets.yaml'));
  chmodSync(join(TRY_DIR, 'edge/secrets.yaml'), 0o600);
}

// fyr content against the doubles into TRY_CONTENT; the connected side's files stay in side/.
async function makeContent(): Promise<void> {
  rmSync(TRY_DIR, { recursive: true, force: true });
  const side: Connected = await connectedSide(resolve(TRY_DIR, 'side'));
  try {
    console.log(
      [
        'try: the connected side on loopback, no network or Red Hat account needed:',
        '  oc, openshift-install, oc-mirror   test doubles (test/doubles/bin), serving a synthetic 4.18.9 release',
        '  RHCOS and the release signature    a loopback HTTP server; the signature made with a throwaway gpg key',
        '  gpg, skopeo, the registry          the real programs',
      ].join('\n'),
    );
    await fyr(contentArgs(side, resolve(TRY_CONTENT)), side.env);
  } finally {
    // It stops the gpg agents of its throwaway keyrings too.
    await side.close();
  }
  writeSite();
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'content-only': { type: 'boolean', default: false } } });
  await makeContent();
  if (values['content-only']) return;
  const release = join(TRY_DIR, 'release.iso');
  const iso = join(TRY_DIR, 'edge.iso');
  await fyr(['release', '--base', join(ISO_FIXTURE_DIR, 'el9.iso'), '--content', TRY_CONTENT, '-o', release]);
  // Sealed to the tests' example unlock code (on a terminal without it, fyr makes one and shows it once).
  await fyr([
    'build',
    TRY_SITE,
    '--release',
    release,
    '-o',
    iso,
    '--unlock-code-file',
    'test/fixtures/unlock-code.txt',
  ]);
  await fyr(['inspect', iso, '--verify']);
  console.log(`
try: done, in ${TRY_DIR}/: content/ (what fyr content wrote: fyr-content.json, RHCOS, oc and
openshift-install, the registry tree), release.iso (RHEL 9-layout fixture + that content), edge.iso
(the edge example, OpenShift ${RELEASE_MINOR}), side/ (the doubles' calls.log, the pull secret, the key).
On a connected machine, with the real oc and oc-mirror (docs/install.md, docs/content.md):
  fyr content --openshift 4.18.9 --pull-secret pull-secret.json -o content/
Next: make demo boots a site ISO made from this content in qemu.`);
}

await main().catch((err: unknown) => {
  console.error(`try: ${(err as Error).message}`);
  process.exit(1);
});
