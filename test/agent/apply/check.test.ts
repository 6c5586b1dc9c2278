// What makes an edited site one this bastion may apply, and how its secrets are opened: a
// site rendered from an edited example, checked against the bastion's (the example as it was).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { changedPasswords, checkNewSite, openSecrets, type Installed } from '../../../src/agent/apply/check.js';
import { ApplyInputError, siteFromFiles } from '../../../src/agent/apply/source.js';
import { makeTmpdir, removeTmpdir } from '../../helpers/tmpdir.js';
import { CODE, release, siteArea } from './fixture.js';

const test = suite<{ dir: string; installed: Installed }>('apply :: check', {
  dir: '',
  installed: undefined as unknown as Installed,
});
test.before.each(async (c) => {
  c.dir = await makeTmpdir();
  const old = siteFromFiles(await siteArea(c.dir, 'ipmi-nat'), 'old');
  c.installed = { site: old.site, os: 'rhel9', sealed: false, release: release() };
});
test.after.each(async (c) => removeTmpdir(c.dir));

const refusals = async (c: { dir: string; installed: Installed }, o: Parameters<typeof siteArea>[2], rel = release()) =>
  checkNewSite(c.installed, siteFromFiles(await siteArea(c.dir, 'ipmi-nat', o), 'new', rel));

test('the same cluster, release, OS, bastion and networks: nothing refused', async (c) => {
  assert.equal(await refusals(c, { edit: (t) => t.replace('ip: 172.20.0.21', 'ip: 172.20.0.23') }), []);
});

test('another cluster, release, OS, bastion or network: one line each', async (c) => {
  const lines = await refusals(
    c,
    {
      edit: (t) =>
        t
          .replace('name: plant', 'name: mill')
          .replace('hostname: bastion', 'hostname: gate')
          .replace('bastion: 172.20.0.1', 'bastion: 172.20.0.4')
          .replace('address: 10.40.12.20/24', 'address: 10.40.12.21/24'),
      os: 'rhel10',
    },
    release('test-release-2'),
  );
  assert.equal(lines, [
    "the new site is for cluster mill.corp.example.net, this bastion keeps plant.corp.example.net: apply takes this cluster's own site file only",
    "the new site comes with release test-release-2 (OpenShift 4.17.2), this bastion runs test-release (OpenShift 4.17.2): build the edited site with this bastion's release ISO (fyr build --release)",
    'the new site is rendered for rhel10, this bastion runs rhel9: build it with --os rhel9',
    'bastion.hostname: bastion → gate: apply does not rename the bastion',
    "network.lan: ens1f1.120 172.20.0.0/24, bastion 172.20.0.1 → ens1f1.120 172.20.0.0/24, bastion 172.20.0.4: the bastion's LAN and addresses are fixed at install",
    "network.wan: ens1f0 10.40.12.20/24 via 10.40.12.1 → ens1f0 10.40.12.21/24 via 10.40.12.1: the bastion's WAN address is fixed at install (a change could cut it off)",
  ]);
});

test('the same release name from another build is refused; an unpacked area is checked by its name', async (c) => {
  assert.equal(await refusals(c, {}, release('test-release', { sourceDateEpoch: 1_765_000_100 })), [
    "the new site's release test-release is another build (2025-12-06T05:48:20Z) than this bastion's (2025-12-06T05:46:40Z): build the edited site with this bastion's release ISO (fyr build --release)",
  ]);
  const area = siteFromFiles(await siteArea(c.dir, 'ipmi-nat', { release: 'other' }), 'new');
  assert.equal(checkNewSite(c.installed, area), [
    "the new site was built for release other, this bastion runs test-release (OpenShift 4.17.2): build the edited site with this bastion's release ISO (fyr build --release)",
  ]);
  const noMeta = siteFromFiles(
    (await siteArea(c.dir, 'ipmi-nat')).filter((f) => f.path !== 'fyr-site.json'),
    'new',
  );
  assert.equal(checkNewSite(c.installed, noMeta), [
    'the new site names no release (no fyr-site.json); give its site ISO or the whole unpacked site area',
  ]);
});

test('secrets travel as they did: sealed onto an unsealed bastion is refused, and back', async (c) => {
  assert.equal(await refusals(c, { sealed: true }), [
    "the new site's secrets are sealed, this bastion's site was built with --no-seal: build it with --no-seal too",
  ]);
  c.installed.sealed = true;
  assert.equal(await refusals(c, {}), [
    "the new site's secrets are in clear (built with --no-seal), this bastion's are sealed: build it sealed",
  ]);
});

test('sealed: opened with the code it was sealed to, a wrong one refused; passwords compared by name only', async (c) => {
  const next = siteFromFiles(
    await siteArea(c.dir, 'ipmi-nat', {
      sealed: true,
      secrets: (t) => t.replace('"example-ipmi-pw"', '"rotated-ipmi-pw"'),
    }),
    'new',
  );
  const secrets = await openSecrets(next, async () => CODE);
  assert.is(secrets.bmc['worker-0'], 'rotated-ipmi-pw');
  try {
    await openSecrets(next, async () => '11111-22222-33333-44444-55555-66666-77777-88888');
    assert.unreachable('a wrong code opened it');
  } catch (err) {
    assert.instance(err, ApplyInputError);
    assert.is(
      (err as Error).message,
      "that unlock code does not open the new site's secrets: give the code fyr build showed (or took with --unlock-code-file) for this build",
    );
  }
  const held = await openSecrets(siteFromFiles(await siteArea(c.dir, 'ipmi-nat'), 'old'), () =>
    Promise.reject(new Error('unsealed')),
  );
  assert.equal(changedPasswords(held, secrets), ['master-0', 'master-1', 'master-2', 'worker-0', 'worker-1']);
  assert.equal(changedPasswords(held, held), []);
});

test('a node without its BMC password in the secrets is refused', async (c) => {
  const files = await siteArea(c.dir, 'ipmi-nat');
  const next = siteFromFiles(files, 'new');
  const secrets = files.find((f) => f.path === 'bundle/etc/fyr/bmc-secrets.json')!;
  const parsed = JSON.parse(secrets.content.toString('utf8'));
  delete parsed.bmc['worker-1'];
  // Read as the bundle holds it (the manifest check is source.ts's, tested there).
  secrets.content = Buffer.from(JSON.stringify(parsed));
  try {
    await openSecrets(next, () => Promise.reject(new Error('unsealed')));
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).message, "new: no BMC password for worker-1 in the new site's secrets");
  }
});

test.run();
