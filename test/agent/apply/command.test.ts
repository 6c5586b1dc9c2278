// fyr-agent apply as the tech runs it: the plan printed (text and JSON) and nothing changed
// without --yes; a refused site exits 1; with --yes the site is staged and the keeper asked
// over its socket with the options the operation needs; usage and input errors by exit code.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { applyMain } from '../../../src/agent/apply/command.js';
import { serveRequests } from '../../../src/agent/keeper/requests.js';
import type { OperationOptions } from '../../../src/agent/keeper/records.js';
import { bastionPaths, type Paths } from '../../../src/agent/paths.js';
import { makeTmpdir, removeTmpdir } from '../../helpers/tmpdir.js';
import { layBastion, siteArea } from './fixture.js';
import { siteFromFiles } from '../../../src/agent/apply/source.js';
import { packTar } from '../../../src/util/tar.js';

interface Ctx {
  dir: string;
  paths: Paths;
  area: string;
}
const test = suite<Ctx>('apply :: fyr-agent apply', {} as Ctx);

const ADD = (t: string) =>
  t.replace(
    'diskEncryption:',
    `  - name: worker-2
    role: worker
    mac: "b8:ca:3a:6e:10:05"
    ip: 172.20.0.22
    installDisk: /dev/sda
    bmc: { type: ipmi, address: 172.20.0.122, username: ADMIN, password: { secret: ipmi } }

diskEncryption:`,
  );

// The new site as an unpacked site area.
async function unpacked(dir: string, files: Awaited<ReturnType<typeof siteArea>>): Promise<string> {
  const area = join(dir, 'area');
  await mkdir(area, { recursive: true });
  await execa('tar', ['-xf', '-', '-C', area], { input: await packTar(files, 0) });
  return area;
}

test.before.each(async (c) => {
  c.dir = await makeTmpdir();
  c.paths = bastionPaths(join(c.dir, 'root'));
  await layBastion(c.paths.root, siteFromFiles(await siteArea(c.dir, 'ipmi-nat'), 'old'));
  c.area = await unpacked(c.dir, await siteArea(join(c.dir, 'next'), 'ipmi-nat', { edit: ADD }));
});
test.after.each(async (c) => removeTmpdir(c.dir));

const run = async (c: Ctx, v: Partial<Parameters<typeof applyMain>[0]>) => {
  let out = '';
  let err = '';
  const code = await applyMain({ yes: false, json: false, ...v }, c.paths, () => Promise.reject(new Error('no code')), {
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  return { code, out, err };
};

test('without --yes: the plan, its files and daemons; nothing changed', async (c) => {
  const before = await readFile(join(c.paths.root, 'etc/dhcp/dhcpd.conf'));
  const r = await run(c, { bundle: c.area });
  assert.is(r.code, 0, r.err);
  assert.match(
    r.out,
    /^fyr-agent apply: plant\.corp\.example\.net, site [0-9a-f]{12} → [0-9a-f]{12}\n\n {2}\+ worker-2 \(worker, b8:ca:3a:6e:10:05, 172\.20\.0\.22, BMC ipmi 172\.20\.0\.122\)\n/,
  );
  assert.ok(
    r.out.endsWith(`Bastion files: 9 to write, 0 to remove; then dhcpd, haproxy, named reloaded and checked
  ~ /etc/dhcp/dhcpd.conf
  ~ /etc/fyr/bmc-secrets.json
  ~ /etc/fyr/site.json
  ~ /etc/haproxy/haproxy.cfg
  ~ /var/lib/fyr/install-config.yaml
  + /var/lib/tftpboot/pxelinux.cfg/01-b8-ca-3a-6e-10-05
  + /var/lib/tftpboot/uefi/grub.cfg-01-b8-ca-3a-6e-10-05
  ~ /var/named/0.20.172.in-addr.arpa.zone
  ~ /var/named/plant.corp.example.net.zone

Plan: 1 to add, 0 to remove, 0 to change.

Nothing was changed. To apply it: fyr-agent apply --yes (with the same source).
`),
    r.out,
  );
  assert.equal(await readFile(join(c.paths.root, 'etc/dhcp/dhcpd.conf')), before);
  const json = JSON.parse((await run(c, { bundle: c.area, json: true })).out);
  assert.equal(Object.keys(json), ['from', 'plan', 'files']);
  assert.equal(json.plan.counts, { add: 1, remove: 0, change: 0 });
  assert.is(json.files.write.length, 9);
});

test('a refused site exits 1 with one line per reason, and plans nothing', async (c) => {
  const other = await unpacked(
    join(c.dir, 'other'),
    await siteArea(join(c.dir, 'o'), 'ipmi-nat', { edit: (t) => t.replace('name: plant', 'name: mill'), release: 'x' }),
  );
  const r = await run(c, { bundle: other });
  assert.is(r.code, 1);
  assert.is(
    r.err,
    `fyr-agent: bundle ${other} cannot be applied here:
  the new site is for cluster mill.corp.example.net, this bastion keeps plant.corp.example.net: apply takes this cluster's own site file only
  the new site was built for release x, this bastion runs test-release (OpenShift 4.17.2): build the edited site with this bastion's release ISO (fyr build --release)
`,
  );
  assert.is(r.out, '');
});

test('--yes: staged, and the keeper asked with the staged directory and the render hash', async (c) => {
  let asked: OperationOptions | undefined;
  await mkdir(join(c.paths.root, 'run/fyr'), { recursive: true });
  const server = await serveRequests(c.paths.keeperSocket, async (kind, progress, options) => {
    asked = { kind, ...options };
    progress('writing 6 file(s), removing 0');
    return { status: 'done', id: 'x', summary: 'applied site abc' };
  });
  try {
    const r = await run(c, { bundle: c.area, yes: true });
    assert.is(r.code, 0, r.err);
    assert.is(r.err, 'apply: writing 6 file(s), removing 0\n');
    assert.ok(r.out.endsWith('fyr-agent: applied site abc\n'), r.out);
  } finally {
    server.close();
  }
  assert.equal(Object.keys(asked!), ['kind', 'staged', 'renderHash']);
  assert.is(asked!.kind, 'apply');
  const staged = String(asked!.staged);
  assert.is(staged, join(c.paths.stateDir, 'apply', String(asked!.renderHash).slice(0, 16)));
  assert.ok((await readFile(join(staged, 'area/manifest.json'))).length > 0);
});

test('usage and input errors: 2 for both sources, 3 for a source that is not a site', async (c) => {
  assert.is((await run(c, { bundle: c.area, 'site-iso': 'x.iso' })).code, 2);
  const file = join(c.dir, 'file');
  await writeFile(file, 'x');
  const r = await run(c, { bundle: file });
  assert.is(r.code, 3);
  assert.is(
    r.err,
    `fyr-agent: ${file}: a file, not a directory; --bundle wants the unpacked site area (for an ISO, --site-iso)\n`,
  );
});

test('fyr-agent --help lists apply; the program exits 2 for both sources', async () => {
  const agent = (args: string[]) =>
    execa(process.execPath, ['--import', 'tsx', 'src/agent/main.ts', ...args], { reject: false });
  const help = await agent(['--help']);
  assert.match(help.stdout, 'fyr-agent apply [--site-iso FILE | --bundle DIR] [--yes] [--json]');
  assert.match(help.stdout, '--unlock-code-file FILE');
  // The apply lines keep to the width of the rest of the help.
  for (const line of help.stdout
    .split('\n')
    .filter((l) => /apply|--site-iso|--bundle|--yes|--unlock-code-file/.test(l)))
    assert.ok(line.length <= 91, line);
  const both = await agent(['apply', '--site-iso', 'a', '--bundle', 'b']);
  assert.is(both.exitCode, 2);
  assert.is(both.stderr, 'fyr-agent: apply takes --site-iso or --bundle, not both');
});

test.run();
