// The Kea DHCPv4 config of RHEL 10 bastions, read as data: what it serves (reservations, options,
// boot files per firmware) and the Kea 2.6 rules that Debian's older Kea does not enforce, so
// `kea-dhcp4 -t` here cannot prove them: an explicit subnet id, and a lease file and control
// socket named by bare file names (2.6.3 refuses any other place).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KEA_CONFIG, parseKeaConfig } from '../helpers/kea.js';
import { EXAMPLES, exampleSite, renderFile, variantSite } from '../helpers/render.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const render = async (file: string, os: 'rhel9' | 'rhel10' = 'rhel10') =>
  (await renderFile(file, { os, source: 'liveimg' })).files;

const kea = suite('render :: kea config');

for (const example of EXAMPLES) {
  kea(`${example}: the Kea 2.6 rules hold by construction`, async () => {
    const files = await render(exampleSite(example));
    const text = files.find((f) => f.path === KEA_CONFIG)?.content;
    assert.ok(text, 'rhel10 renders a Kea config');
    assert.not.ok(
      files.some((f) => f.path === 'bundle/etc/dhcp/dhcpd.conf'),
      'and no dhcpd.conf, which nothing would read',
    );
    const d = parseKeaConfig(text).Dhcp4;
    const ids = d.subnet4.map((s: { id: unknown }) => s.id);
    assert.ok(
      ids.every((id: unknown) => Number.isInteger(id) && (id as number) > 0),
      `every subnet has an id: ${ids}`,
    );
    assert.is(new Set(ids).size, ids.length, 'subnet ids are unique');
    assert.is(d['lease-database'].type, 'memfile');
    assert.is(d['lease-database'].name, 'kea-leases4.csv', 'a bare lease file name');
    assert.is(d['control-socket']['socket-name'], 'kea4-ctrl-socket', 'a bare socket name');
    assert.is(d['hooks-libraries'], undefined, 'no hook libraries (2.6.3 loads them only from its own directory)');
    for (const logger of d.loggers)
      for (const o of logger.output_options)
        assert.ok(['stdout', 'stderr'].includes(o.output) || o.output.startsWith('syslog'), o.output);
    assert.equal(d['interfaces-config'].interfaces, ['br-fyr'], 'the LAN bridge only');
    assert.is(d.authoritative, true);
  });
}

kea('what it serves: every reservation with its host name, NTP always, shim for UEFI, pxelinux otherwise', async () => {
  const dir = await makeTmpdir();
  try {
    // A BMC whose MAC the site gives gets a reservation too.
    const file = await variantSite('ipmi-nat', dir, {
      site: (t) =>
        t.replace(
          'bmc: { type: ipmi, address: 172.20.0.110,',
          'bmc: { type: ipmi, address: 172.20.0.110, mac: "b8:ca:3a:6e:20:00",',
        ),
    });
    const files = await render(file);
    const site = JSON.parse(files.find((f) => f.path === 'bundle/etc/fyr/site.json')?.content ?? '{}');
    const d = parseKeaConfig(files.find((f) => f.path === KEA_CONFIG)?.content ?? '').Dhcp4;
    const [subnet] = d.subnet4;
    assert.is(subnet.subnet, '172.20.0.0/24');
    assert.equal(subnet.pools, [{ pool: '172.20.0.200 - 172.20.0.250' }]);
    assert.is(subnet.pools[0]['client-class'], undefined, 'unknown MACs get pool addresses too');
    assert.is(subnet['next-server'], '172.20.0.1');
    assert.is(subnet['boot-file-name'], 'lpxelinux.0');
    assert.equal(d['client-classes'], [
      {
        name: 'fyr-uefi-x64',
        test: 'option[93].hex == 0x0007 or option[93].hex == 0x0009',
        'boot-file-name': 'uefi/shimx64.efi',
      },
    ]);
    const option = (list: Array<{ name: string; data?: string }>, name: string) => list.find((o) => o.name === name);
    assert.equal(option(d['option-data'], 'ntp-servers'), {
      name: 'ntp-servers',
      data: '172.20.0.1',
      'always-send': true,
    });
    assert.is(option(d['option-data'], 'domain-name-servers')?.data, '172.20.0.1');
    assert.is(option(d['option-data'], 'domain-name')?.data, site.cluster.fqdn);
    assert.is(option(subnet['option-data'], 'routers')?.data, '172.20.0.1');
    const expected = [
      ...site.nodes.map((n: { name: string; mac: string; ip: string }) => [n.mac, n.ip, n.name]),
      [site.bootstrap.mac, site.bootstrap.ip, 'bootstrap'],
      ['00:1b:21:3a:4f:01', '172.20.0.2', 'tor-switch'],
      ['b8:ca:3a:6e:20:00', '172.20.0.110', 'master-0-bmc'],
    ];
    assert.equal(
      subnet.reservations.map((r: any) => [r['hw-address'], r['ip-address'], r.hostname]),
      expected,
    );
    for (const r of subnet.reservations)
      assert.equal(r['option-data'], [{ name: 'host-name', data: r.hostname, 'always-send': true }], r.hostname);
  } finally {
    await removeTmpdir(dir);
  }
});

kea('RHEL 9 keeps dhcpd.conf and has no Kea config', async () => {
  const files = await render(exampleSite('edge'), 'rhel9');
  assert.ok(files.some((f) => f.path === 'bundle/etc/dhcp/dhcpd.conf'));
  assert.not.ok(files.some((f) => f.path === KEA_CONFIG));
});

kea.run();
