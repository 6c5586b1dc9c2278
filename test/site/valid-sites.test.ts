// Valid sites: every example passes, and normalization fills defaults and unifies notations.
import { inspect } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateSiteFile } from '../../src/site/index.js';

for (const name of ['edge', 'ipmi-nat', 'single-node']) {
  test(`site :: valid :: examples/${name} has no errors or warnings`, async () => {
    const r = await validateSiteFile(`examples/${name}/site.yaml`);
    assert.equal(r.errors, []);
    assert.equal(r.warnings, []);
    assert.ok(r.site);
  });
}

test('site :: normalize :: defaults come from the schema', async () => {
  const { site } = await validateSiteFile('test/fixtures/sites/valid/base.yaml');
  assert.ok(site);
  assert.is(site.network.gateway, 'pat');
  assert.equal(site.network.wan, { interface: 'eno1', mode: 'dhcp', dns: [] });
  assert.is(site.bastion.hostname, 'bastion');
  assert.is(site.bastion.encryption, 'tpm2');
  assert.is(site.bastion.timezone, 'UTC');
  assert.is(site.diskEncryption.tang, true);
  assert.is(site.nodes[0]?.bmc.port, 443);
  assert.is(site.nodes[0]?.bmc.verifyTls, false);
  assert.equal(site.ntp.upstreams, []);
  // No keeper or backups sections at all
  assert.equal(site.keeper, { healthEverySeconds: 300, powerOn: 'auto' });
  assert.equal(site.backups, { enabled: true, everySeconds: 6 * 3600, keep: 14 });
});

test('site :: normalize :: keeper durations in seconds, at their bounds, and a partial section', async () => {
  const r = await validateSiteFile('test/fixtures/sites/valid/keeper-bounds.yaml');
  assert.equal(r.errors, []);
  assert.ok(r.site);
  assert.equal(r.site.keeper, { healthEverySeconds: 24 * 3600, powerOn: 'auto' });
  assert.equal(r.site.backups, { enabled: false, everySeconds: 3600, keep: 14 });
});

test('site :: normalize :: names, addresses and MAC notations', async () => {
  const { site } = await validateSiteFile('examples/ipmi-nat/site.yaml');
  assert.ok(site);
  assert.is(site.cluster.fqdn, 'plant.corp.example.net');
  assert.is(site.bastion.fqdn, 'bastion.plant.corp.example.net');
  assert.is(site.nodes[0]?.fqdn, 'master-0.plant.corp.example.net');
  // dashes, Cisco dots and bare hex all become lowercase colon form
  assert.equal(
    site.nodes.map((n) => n.mac),
    ['b8:ca:3a:6e:10:00', 'b8:ca:3a:6e:10:01', 'b8:ca:3a:6e:10:02', 'b8:ca:3a:6e:10:03', 'b8:ca:3a:6e:10:04'],
  );
  assert.is(site.nodes[0]?.bmc.port, 623);
  assert.equal(site.network.wan, {
    interface: 'ens1f0',
    mode: 'static',
    address: '10.40.12.20',
    prefix: 24,
    gateway: '10.40.12.1',
    dns: ['10.40.0.53', '10.40.1.53'],
  });
  const lan = site.network.lan;
  assert.equal(
    [lan.network, lan.prefix, lan.netmask, lan.broadcast, lan.vlan],
    ['172.20.0.0', 24, '255.255.255.0', '172.20.0.255', 120],
  );
  assert.equal(lan.pool, { start: '172.20.0.200', end: '172.20.0.250' });
  assert.equal(site.nodes[3]?.rootDeviceHints, { wwn: '0x5000c500a0b1c2d3', rotational: false });
});

test('site :: secrets :: values are reachable by name but never serialized or inspected', async () => {
  const { site } = await validateSiteFile('examples/ipmi-nat/site.yaml');
  assert.ok(site);
  assert.is(site.secrets.reveal('ipmi'), 'example-ipmi-pw');
  const dumped = JSON.stringify(site) + inspect(site, { depth: 10 });
  assert.not.ok(dumped.includes('example-ipmi-pw'), 'value leaked');
  assert.not.ok(dumped.includes('example-luks-passphrase'), 'value leaked');
  assert.ok(dumped.includes('[secrets redacted]'));
});

test('site :: warnings :: kept apart from errors; the site is still returned', async () => {
  const r = await validateSiteFile('test/fixtures/sites/invalid/missing-secrets-file.yaml', { skipSecrets: true });
  assert.equal(r.errors, []);
  assert.equal(
    r.warnings.map((w) => w.code),
    ['SECRETS_SKIPPED'],
  );
  assert.ok(r.site);
});

test('site :: --secrets overrides the file the site names', async () => {
  const r = await validateSiteFile('test/fixtures/sites/invalid/missing-secrets-file.yaml', {
    secretsFile: 'test/fixtures/sites/invalid/secrets.yaml',
  });
  assert.equal(r.errors, []);
});

test.run();
