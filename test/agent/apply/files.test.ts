// The bastion's files an edited site changes, on a real root in a temporary directory: the old
// render laid out as the kickstart lays it, the new one's changed files written, checked by the
// real dhcpd, named-checkconf and haproxy, removed ones deleted, and all of it rolled back.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  backUp,
  bastionChanges,
  bastionContent,
  configChecks,
  installFiles,
  isAgentFile,
  rollBack,
} from '../../../src/agent/apply/files.js';
import { siteFromFiles, type NewSite } from '../../../src/agent/apply/source.js';
import { exists } from '../../../src/agent/files.js';
import { makeTmpdir, removeTmpdir } from '../../helpers/tmpdir.js';
import { siteArea } from './fixture.js';

interface Ctx {
  dir: string;
  root: string;
  old: NewSite;
  next: NewSite;
}
const test = suite<Ctx>('apply :: files', {} as Ctx);

// worker-1 out, worker-2 in.
const EDIT = (t: string) =>
  t.replace(/ {2}- name: worker-1\n(?: {4}.*\n)+/, '').replace(
    'diskEncryption:',
    `  - name: worker-2
    role: worker
    mac: "b8:ca:3a:6e:10:05"
    ip: 172.20.0.22
    installDisk: /dev/sda
    bmc: { type: ipmi, address: 172.20.0.122, username: ADMIN, password: { secret: ipmi } }

diskEncryption:`,
  );

test.before(async (c) => {
  c.dir = await makeTmpdir();
  c.root = join(c.dir, 'root');
  c.old = siteFromFiles(await siteArea(c.dir, 'ipmi-nat'), 'old');
  c.next = siteFromFiles(await siteArea(join(c.dir, 'next'), 'ipmi-nat', { edit: EDIT }), 'new');
  // As the kickstart lays the bundle onto the bastion.
  for (const f of c.old.files.filter((f) => f.path.startsWith('bundle/'))) {
    const to = join(c.root, f.path.slice('bundle'.length));
    await mkdir(dirname(to), { recursive: true });
    await writeFile(to, f.content, { mode: f.mode });
  }
});
test.after(async (c) => removeTmpdir(c.dir));

test('which files change, which go, which daemons read them', (c) => {
  const changes = bastionChanges(c.old.manifest.files, c.next.manifest.files, 'rhel9');
  assert.equal(
    changes.write.map((w) => [w.path, w.mode.toString(8), w.old === undefined ? 'new' : 'changed']),
    [
      ['/etc/dhcp/dhcpd.conf', '644', 'changed'],
      ['/etc/fyr/bmc-secrets.json', '600', 'changed'],
      ['/etc/fyr/site.json', '644', 'changed'],
      ['/etc/haproxy/haproxy.cfg', '644', 'changed'],
      ['/var/lib/tftpboot/pxelinux.cfg/01-b8-ca-3a-6e-10-05', '644', 'new'],
      ['/var/lib/tftpboot/uefi/grub.cfg-01-b8-ca-3a-6e-10-05', '644', 'new'],
      ['/var/named/0.20.172.in-addr.arpa.zone', '640', 'changed'],
      ['/var/named/plant.corp.example.net.zone', '640', 'changed'],
    ],
  );
  assert.equal(
    changes.remove.map((r) => r.path),
    ['/var/lib/tftpboot/pxelinux.cfg/01-b8-ca-3a-6e-10-04', '/var/lib/tftpboot/uefi/grub.cfg-01-b8-ca-3a-6e-10-04'],
  );
  assert.equal(
    changes.reloads.map((r) => [r.unit, r.how, r.because]),
    [
      ['dhcpd', 'reload', ['/etc/dhcp/dhcpd.conf']],
      ['haproxy', 'reload', ['/etc/haproxy/haproxy.cfg']],
      ['named', 'reload', ['/var/named/0.20.172.in-addr.arpa.zone', '/var/named/plant.corp.example.net.zone']],
    ],
  );
  assert.ok(isAgentFile('/etc/fyr/site.json'));
  assert.not.ok(isAgentFile('/etc/fyrx'));
  const same = bastionChanges(c.old.manifest.files, c.old.manifest.files, 'rhel9');
  assert.equal(same, { write: [], remove: [], reloads: [] });
  // RHEL 10: Kea's config, and the tangd drop-in after systemd has read it.
  assert.equal(
    bastionChanges(
      [],
      [
        { path: 'bundle/etc/kea/kea-dhcp4.conf', mode: '0644', size: 1, sha256: 'a' },
        { path: 'bundle/etc/systemd/system/tangd.socket.d/fyr.conf', mode: '0644', size: 1, sha256: 'b' },
        { path: 'bundle/etc/firewalld/zones/fyr-lan.xml', mode: '0644', size: 1, sha256: 'c' },
      ],
      'rhel10',
    ).reloads.map((r) => `${r.unit}:${r.how}`),
    ['systemd:daemon-reload', 'kea-dhcp4:reload', 'tangd.socket:reload', 'firewalld:firewalld'],
  );
});

test('the checks, as argv', () => {
  const paths = [
    '/etc/dhcp/dhcpd.conf',
    '/etc/kea/kea-dhcp4.conf',
    '/var/named/x.zone',
    '/etc/haproxy/haproxy.cfg',
    '/etc/chrony.conf',
  ];
  assert.equal(configChecks('/', paths, 'rhel9'), [
    ['dhcpd', ['-t', '-4', '-cf', '/etc/dhcp/dhcpd.conf']],
    ['named-checkconf', ['-t', '/', '-z', '/etc/named.conf']],
    ['haproxy', ['-c', '-f', '/etc/haproxy/haproxy.cfg']],
    ['chronyd', ['-p', '-f', '/etc/chrony.conf']],
  ]);
  assert.equal(configChecks('/r', paths.slice(1, 2), 'rhel10'), [['kea-dhcp4', ['-t', '/r/etc/kea/kea-dhcp4.conf']]]);
  assert.equal(configChecks('/', ['/var/lib/tftpboot/pxelinux.cfg/default'], 'rhel9'), []);
});

test('written, checked by the real programs, removed, then rolled back to the old bytes', async (c) => {
  const changes = bastionChanges(c.old.manifest.files, c.next.manifest.files, 'rhel9');
  const write = changes.write.filter((w) => !isAgentFile(w.path));
  const remove = changes.remove.map((r) => r.path);
  const paths = [...write.map((w) => w.path), ...remove];
  const before = new Map<string, Buffer | undefined>();
  for (const p of paths) before.set(p, await readFile(join(c.root, p)).catch(() => undefined));
  const backups = join(c.dir, 'backup');
  await backUp(c.root, backups, paths);
  const content = (p: string) => bastionContent(p, c.next.files.find((f) => f.path === `bundle${p}`)!.content);
  await installFiles(
    c.root,
    write.map((w) => ({ path: w.path, mode: w.mode, content: content(w.path) })),
    remove,
  );
  // The programs the bastion's daemons are: each accepts the new config.
  for (const [program, args] of configChecks(c.root, paths, 'rhel9')) {
    const r = await execa(program, args, { reject: false, all: true });
    assert.is(r.exitCode, 0, `${program} ${args.join(' ')}:\n${r.all}`);
  }
  const dhcpd = await readFile(join(c.root, 'etc/dhcp/dhcpd.conf'), 'utf8');
  assert.match(dhcpd, /b8:ca:3a:6e:10:05/);
  assert.not.match(dhcpd, /b8:ca:3a:6e:10:04/);
  assert.is((await stat(join(c.root, 'var/named/plant.corp.example.net.zone'))).mode & 0o777, 0o640);
  const haproxy = await readFile(join(c.root, 'etc/haproxy/haproxy.cfg'), 'utf8');
  assert.match(haproxy, /172\.20\.0\.22/);
  assert.not.match(haproxy, /server bootstrap/, 'the bootstrap servers stay out after the install');
  assert.not.ok(await exists(join(c.root, 'var/lib/tftpboot/uefi/grub.cfg-01-b8-ca-3a-6e-10-04')));
  // A second backUp (a resumed operation) keeps the first one's old files.
  await backUp(c.root, backups, paths);
  assert.equal((await rollBack(c.root, backups)).sort(), [...paths].sort());
  for (const [p, bytes] of before) {
    if (bytes === undefined) assert.not.ok(await exists(join(c.root, p)), `${p} was not there before`);
    else assert.equal(await readFile(join(c.root, p)), bytes, p);
  }
  assert.is((await stat(join(c.root, 'var/named/plant.corp.example.net.zone'))).mode & 0o777, 0o640);
});

test('a config the program refuses is caught by its check', async (c) => {
  const dhcpd = join(c.root, 'etc/dhcp/dhcpd.conf');
  const good = await readFile(dhcpd, 'utf8');
  await writeFile(dhcpd, good.replace('fixed-address 172.20.0.20;', 'fixed-address 172.20.0.20'));
  try {
    const [[program, args]] = configChecks(c.root, ['/etc/dhcp/dhcpd.conf'], 'rhel9') as [[string, string[]]];
    const r = await execa(program, args, { reject: false });
    assert.is.not(r.exitCode, 0);
  } finally {
    await writeFile(dhcpd, good);
  }
});

test.run();
