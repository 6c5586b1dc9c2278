// The systemd service manager's command lines and answers, with the exec replaced by one that
// records calls and plays systemctl's exit codes (is-active: 0 active, 3 inactive).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Exec } from '../../src/agent/exec.js';
import { supervisorManager, systemdManager } from '../../src/agent/services.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

function recorder(exitCodes: Record<string, number> = {}): { exec: Exec; calls: string[][] } {
  const calls: string[][] = [];
  const exec: Exec = async (file, args, options) => {
    calls.push([file, ...args]);
    const exitCode = exitCodes[args.join(' ')] ?? 0;
    if (exitCode !== 0 && !(options?.okCodes ?? []).includes(exitCode))
      throw new Error(`${file} exited with ${exitCode}`);
    return {
      exitCode,
      stdout: file === 'journalctl' ? 'DHCPACK on 192.168.8.10 to 52:54:00:00:00:10 via br-fyr\n' : '',
      stderr: '',
    };
  };
  return { exec, calls };
}

test('services :: systemd: enable --now, reload-or-restart, disable --now, is-active, journalctl', async () => {
  const r = recorder({ 'is-active --quiet haproxy': 3 });
  const m = systemdManager(r.exec);
  await m.start('named');
  await m.reload('haproxy');
  await m.stop('tftp.socket');
  assert.is(await m.isActive('named'), true);
  assert.is(await m.isActive('haproxy'), false, 'exit 3 means inactive, not a failure');
  assert.match(await m.logs('dhcpd'), 'DHCPACK on 192.168.8.10');
  assert.is(m.skipped('cockpit.socket'), undefined);
  assert.equal(r.calls, [
    ['systemctl', 'enable', '--now', 'named'],
    ['systemctl', 'reload-or-restart', 'haproxy'],
    ['systemctl', 'disable', '--now', 'tftp.socket'],
    ['systemctl', 'is-active', '--quiet', 'named'],
    ['systemctl', 'is-active', '--quiet', 'haproxy'],
    ['journalctl', '--unit', 'dhcpd', '--output', 'cat', '--no-pager', '--lines', '20000'],
  ]);
});

test('services :: systemd: a unit that fails to start is an error', async () => {
  const m = systemdManager(recorder({ 'enable --now named': 1 }).exec);
  const err = await m.start('named').then(
    () => undefined,
    (e: Error) => e,
  );
  assert.match(String(err?.message), 'systemctl exited with 1');
});

// The supervisor (labs and tests): a daemon started through a wrapper that execs it later is
// active as soon as it is started (reloads check it at once), and a daemon that dies is not.
test('services :: supervisor: a wrapped daemon is active right after start; a dead one is not', async () => {
  const dir = await makeTmpdir();
  // The wrapper's own command line must not name the program, as `sh -c 'exec kea-dhcp4'` does.
  const m = supervisorManager({
    format: 'fyr-supervisor/1',
    runDir: dir,
    services: {
      late: { argv: ['sh', '-c', 'sleep 0.5; exec $(printf ta)il -f /dev/null'], match: 'tail' },
      dies: { argv: ['sh', '-c', 'sleep 0.3; exit 1'], match: 'never-runs' },
    },
  });
  try {
    await m.start('late');
    assert.is(await m.isActive('late'), true);
    await m.reload('late');
    assert.is(await m.isActive('late'), true, 'active after its reload');
    await m.start('dies');
    assert.is(await m.isActive('dies'), false);
    await m.stop('late');
    assert.is(await m.isActive('late'), false);
  } finally {
    await m.stop('late').catch(() => undefined);
    await removeTmpdir(dir);
  }
});

test.run();
