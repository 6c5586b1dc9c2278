// The bundled fyr-agent as a program: help, version, usage errors, bad input files. It runs
// with no node_modules next to it, as on the bastion.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { packageVersion } from '../../src/util/package-info.js';
import { AGENT } from '../helpers/agent-lab.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const main = suite<{ dir: string; agent: string }>('agent :: fyr-agent program', { dir: '', agent: '' });
main.before(async (c) => {
  c.dir = await makeTmpdir();
  // Alone in a directory: the bundle needs nothing beside it.
  c.agent = join(c.dir, 'fyr-agent.mjs');
  await copyFile(AGENT, c.agent);
});
main.after(async (c) => removeTmpdir(c.dir));

const agent = (c: { agent: string; dir: string }, args: string[]) =>
  execa(process.execPath, [c.agent, ...args], { reject: false, cwd: c.dir });

main('--help and --version', async (c) => {
  const help = await agent(c, ['--help']);
  assert.is(help.exitCode, 0);
  assert.match(help.stdout, 'fyr-agent status [--json]');
  assert.match(help.stdout, '--status-listen ADDR');
  const version = await agent(c, ['--version']);
  assert.is(version.stdout.trim(), packageVersion());
});

main('usage errors exit 2 with one line and no stack trace', async (c) => {
  for (const args of [['frobnicate'], ['--no-such-option'], ['run', '--power-parallel', 'zero']]) {
    const r = await agent(c, args);
    assert.is(r.exitCode, 2, args.join(' '));
    assert.match(r.stderr, /^fyr-agent: /);
    assert.not.match(r.stderr, '    at ');
  }
});

main('missing or broken input files exit 3 and name the file', async (c) => {
  const root = join(c.dir, 'root');
  await mkdir(join(root, 'etc/fyr'), { recursive: true });
  let r = await agent(c, ['run', '--root', root, '--status-listen', 'off']);
  assert.is(r.exitCode, 3);
  assert.match(r.stderr, `${root}/etc/fyr/`);
  assert.match(r.stderr, 'cannot read the');
  await writeFile(join(root, 'etc/fyr/site.json'), '{"cluster": ');
  await writeFile(
    join(root, 'etc/fyr/bmc-secrets.json'),
    '{"format":"fyr-agent-secrets/1","bmc":{"cp-0":"s3cret-value"}}',
  );
  // A whole release.json: the files are read side by side, and only site.json may be at fault.
  await writeFile(
    join(root, 'etc/fyr/release.json'),
    JSON.stringify({
      format: 'fyr-release/1',
      fyr: 'test',
      release: { name: 'test', openshift: '4.18.9' },
      volumeId: 'FYR-TEST',
      base: { volumeId: 'RHEL-9-4-0-BaseOS-x86_64', layout: 'el9', size: 0 },
      sourceDateEpoch: 0,
      payload: [],
      agent: { path: '/fyr/agent/fyr-agent.mjs', version: 'test', size: 0, sha256: '0'.repeat(64) },
      embed: {
        kickstart: { path: '/ks.cfg', offset: 0, length: 0 },
        site: { path: '/fyr/site.tar', offset: 0, length: 0 },
      },
      md5: null,
    }),
  );
  await writeFile(join(root, 'etc/fyr/manifest.json'), '{"format":"fyr-render/1","os":"rhel9","files":[]}');
  r = await agent(c, ['run', '--root', root, '--status-listen', 'off']);
  assert.is(r.exitCode, 3);
  assert.match(r.stderr, 'site.json: the site is not JSON');
  assert.not.match(r.stderr, 's3cret-value');
  assert.not.match(r.stderr, '    at ');
  // The render manifest says which OS the bastion runs (which DHCP server to start).
  await writeFile(
    join(root, 'etc/fyr/site.json'),
    '{"cluster":{"fqdn":"a.b"},"nodes":[],"network":{"lan":{"bastion":"192.168.8.1"}}}',
  );
  await writeFile(join(root, 'etc/fyr/manifest.json'), '{"format":"fyr-render/1","os":"rhel8","files":[]}');
  r = await agent(c, ['run', '--root', root, '--status-listen', 'off']);
  assert.is(r.exitCode, 3);
  assert.match(r.stderr, 'manifest.json: the render manifest names os "rhel8"; this agent runs on rhel9 or rhel10');
});

main('status before the agent ever ran says so; a damaged state file is named, not thrown', async (c) => {
  const r = await agent(c, ['status', '--root', join(c.dir, 'nowhere')]);
  assert.is(r.exitCode, 1);
  assert.match(r.stderr, 'the agent has not started yet');
  const root = join(c.dir, 'damaged');
  await mkdir(join(root, 'var/lib/fyr'), { recursive: true });
  await writeFile(join(root, 'var/lib/fyr/state.json'), '{"format": "fyr-agent-st');
  const damaged = await agent(c, ['status', '--root', root]);
  assert.is(damaged.exitCode, 3);
  assert.match(damaged.stderr, `${root}/var/lib/fyr/state.json: the state file is damaged`);
  assert.not.match(damaged.stderr, '    at ');
});

main.run();
