// The CLI surface: help, version, usage errors, exit codes, JSON, colour.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COMMANDS } from '../../src/cli/run.js';
import { runCli, spawnCli, STACK_FRAME } from '../helpers/cli.js';

const EDGE = 'examples/edge/site.yaml';

test('cli :: --help lists every command, within 80 columns', async () => {
  const r = await runCli(['--help']);
  assert.is(r.code, 0);
  for (const c of COMMANDS) assert.match(r.stdout, `  ${c.name} `);
  for (const line of r.stdout.split('\n')) assert.ok(line.length <= 80, `too wide: ${line}`);
});

for (const name of ['validate', 'init', 'schema']) {
  test(`cli :: ${name} --help and help ${name} agree, within 80 columns`, async () => {
    const a = await runCli([name, '--help']);
    const b = await runCli(['help', name]);
    assert.is(a.code, 0);
    assert.is(a.stdout, b.stdout);
    assert.match(a.stdout, `Usage: fyr ${name}`);
    assert.match(a.stdout, '--json');
    for (const line of a.stdout.split('\n')) assert.ok(line.length <= 80, `too wide: ${line}`);
  });
}

test('cli :: --version prints the package version', async () => {
  const r = await runCli(['--version']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /^fyr \d+\.\d+\.\d+\n$/);
  const j = await runCli(['--version', '--json']);
  assert.match(JSON.parse(j.stdout).version, /^\d+\.\d+\.\d+$/);
  // The executable answers it without loading a command (main.ts).
  for (const argv of [['--version'], ['-V'], ['version']]) {
    const d = await spawnCli(argv);
    assert.is(d.code, 0);
    assert.is(d.stdout, r.stdout.trimEnd(), argv.join(' ')); // execa drops the last newline
  }
  assert.equal(JSON.parse((await spawnCli(['--version', '--json'])).stdout), JSON.parse(j.stdout));
});

test('cli :: no arguments prints help on stderr and exits 2', async () => {
  const r = await runCli([]);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'Usage: fyr <command>');
});

test('cli :: a misspelt command suggests the right one, exit 2', async () => {
  const r = await runCli(['valdate', EDGE]);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'unknown command "valdate" (did you mean "validate"?) [USAGE]');
});

test('cli :: unknown option, missing and extra arguments are usage errors', async () => {
  assert.match((await runCli(['validate', '--bogus', EDGE])).stderr, 'validate: unknown option "--bogus"');
  assert.match((await runCli(['validate'])).stderr, 'validate: missing argument');
  assert.match((await runCli(['validate', EDGE, 'extra.yaml'])).stderr, 'validate: unexpected argument "extra.yaml"');
  assert.match((await runCli(['validate', EDGE, '--secrets'])).stderr, 'validate: option "--secrets" needs a value');
  for (const argv of [
    ['validate', '--bogus', EDGE],
    ['validate'],
    ['validate', EDGE, 'x'],
    ['validate', EDGE, '--secrets'],
  ]) {
    assert.is((await runCli(argv)).code, 2, argv.join(' '));
  }
});

test('cli :: usage errors with --json are JSON on stdout', async () => {
  const r = await runCli(['validate', '--json']);
  assert.is(r.code, 2);
  const doc = JSON.parse(r.stdout);
  assert.equal([doc.ok, doc.error.code], [false, 'USAGE']);
});

test('cli :: a missing site file is exit 1 with SITE_UNREADABLE', async () => {
  const r = await runCli(['validate', 'no/such/site.yaml']);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'fyr: error: cannot read site file no/such/site.yaml: no such file [SITE_UNREADABLE]');
  const d = await runCli(['validate', 'examples']);
  assert.match(d.stderr, 'is a directory, not a regular file');
});

test('cli :: validate prints the site summary', async () => {
  const r = await runCli(['validate', EDGE]);
  assert.is(r.code, 0);
  assert.is(r.stderr, '');
  for (const text of [
    'edge.example.com (OpenShift 4.16.3)',
    'Gateway   pat',
    'bastion.edge.example.com 192.168.8.1',
    'cp-0  control-plane  192.168.8.10',
    'BMC redfish 192.168.8.210',
  ]) {
    assert.match(r.stdout, text);
  }
});

test('cli :: validate --json gives the summary as data', async () => {
  const r = await runCli(['validate', EDGE, '--json']);
  const doc = JSON.parse(r.stdout);
  assert.is(doc.ok, true);
  assert.is(doc.site.cluster, 'edge.example.com');
  assert.equal(
    doc.site.nodes.map((n: { name: string }) => n.name),
    ['cp-0', 'cp-1', 'cp-2'],
  );
  assert.equal(doc.errors, []);
});

test('cli :: --quiet prints nothing for a valid site', async () => {
  const r = await runCli(['validate', EDGE, '-q']);
  assert.equal([r.code, r.stdout, r.stderr], [0, '', '']);
});

test('cli :: --no-secrets checks the site alone, with a warning', async () => {
  const r = await runCli(['validate', 'test/fixtures/sites/invalid/missing-secrets-file.yaml', '--no-secrets']);
  assert.is(r.code, 0);
  assert.match(r.stderr, 'warning: secrets were not checked (--no-secrets)');
  assert.match(r.stderr, '[SECRETS_SKIPPED]');
});

test('cli :: colour only when allowed, never with NO_COLOR', async () => {
  const r = await runCli(['validate', 'test/fixtures/sites/invalid/bad-ip.yaml']);
  assert.not.match(r.stderr, '\u001b[');
});

test('cli :: an unexpected exception is a short bug banner with exit 70, stack only on request', async () => {
  const { run } = await import('../../src/cli/run.js');
  let stderr = '';
  const io = {
    stdout: () => undefined,
    stderr: (t: string) => {
      stderr += t;
    },
    color: { stdout: false, stderr: false },
    env: {},
  };
  const original = COMMANDS[0]!.run;
  (COMMANDS[0] as { run: typeof original }).run = async () => {
    throw new TypeError('boom');
  };
  try {
    const code = await run(['validate', EDGE], io);
    assert.is(code, 70);
    assert.match(stderr, 'fyr: internal error (this is a bug in fyr): boom');
    assert.not.match(stderr, STACK_FRAME);
    assert.match(stderr, 'Set FYR_DEBUG=1 to see the stack trace');
    // With FYR_DEBUG set, the stack is there and the banner does not ask for what is set.
    stderr = '';
    assert.is(await run(['validate', EDGE], { ...io, env: { FYR_DEBUG: '1' } }), 70);
    assert.match(stderr, STACK_FRAME);
    assert.not.match(stderr, 'Set FYR_DEBUG=1');
    // A full disk that no catalogue error wraps is NO_SPACE naming the file, not a bug.
    (COMMANDS[0] as { run: typeof original }).run = async () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/x/y' });
    };
    stderr = '';
    assert.is(await run(['validate', EDGE], io), 1);
    assert.match(stderr, /no space left writing \/x\/y.*\[NO_SPACE\]/);
  } finally {
    (COMMANDS[0] as { run: typeof original }).run = original;
  }
});

test.run();
