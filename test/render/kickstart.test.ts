// Every rendered kickstart (each example, RHEL 9 and 10, both install sources) uses only
// commands and options its release accepts, with balanced sections.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lintKickstart, sectionLines } from '../helpers/kickstart-lint.js';
import { EXAMPLES, exampleSite, renderFile, variantSite } from '../helpers/render.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const kickstart = async (example: string, os: 'rhel9' | 'rhel10', source: 'liveimg' | 'dvd', sealed = true) =>
  (await renderFile(exampleSite(example), { os, source, sealed })).files.find((f) => f.path === 'ks.cfg')?.content ??
  '';

const rendered = suite('render :: kickstart :: rendered files');
for (const example of EXAMPLES) {
  for (const os of ['rhel9', 'rhel10'] as const) {
    for (const source of ['liveimg', 'dvd'] as const) {
      rendered(`${example} ${os} ${source}`, async () => {
        const text = await kickstart(example, os, source);
        assert.equal(lintKickstart(text, os), []);
        assert.ok(
          text.includes(
            source === 'liveimg'
              ? 'liveimg --url=file:///run/install/repo/liveimg.tar.gz'
              : 'url --url=file:///run/install/repo/BaseOS',
          ),
        );
        assert.is(text.includes('%packages'), source === 'dvd', '%packages only for the DVD source');
        assert.match(text, '%post --nochroot --erroronfail');
        assert.match(text, 'tar -xf "$media"/\'fyr/site.tar\' -C "$site"');
        assert.match(text, 'cp -a -- "$site/bundle/." "$root/"');
        assert.match(text, "systemctl enable 'fyr-agent.service'");
        assert.match(text, /^selinux --enforcing$/m);
        assert.match(text, /^firewall --enabled /m);
        // Sealed (the default): no hash, no passphrase; the agent sets them after unlock.
        assert.match(text, /^rootpw --lock$/m);
        assert.not.match(text, '$6$');
        assert.not.match(text, /--passphrase=(?!%s)/, 'only the random key made in %pre');
        assert.not.match(text, /--plaintext/);
        const clear = await kickstart(example, os, source, false);
        assert.equal(lintKickstart(clear, os), [], 'unsealed');
        assert.match(clear, /^rootpw --iscrypted "\$6\$/m);
      });
    }
  }
}
rendered(
  'sealed: locked accounts, the installer asks for a LUKS passphrase, TPM2 starts from a random key',
  async () => {
    const pass = await kickstart('ipmi-nat', 'rhel9', 'liveimg');
    assert.match(pass, /^part \/ --fstype=xfs --grow --ondisk=\S+ --encrypted --luks-version=luks2$/m);
    assert.not.match(pass, 'example-luks-passphrase-1');
    const edge = await kickstart('edge', 'rhel9', 'liveimg');
    assert.match(edge, /^user --name=fyr --groups=wheel --lock$/m);
    assert.match(edge, '%include /tmp/fyr-disk.ks');
    assert.match(edge, '"$root"\'/etc/fyr/secrets.age\'');
  },
);
rendered('unsealed: tpm2 binds with clevis, passphrase sets it, none has no LUKS', async () => {
  const tpm = await kickstart('edge', 'rhel9', 'liveimg', false);
  assert.match(tpm, '%include /tmp/fyr-disk.ks');
  assert.match(tpm, 'clevis luks bind -y -k - -d "$dev" tpm2');
  assert.match(tpm, 'cryptsetup luksRemoveKey');
  const pass = await kickstart('ipmi-nat', 'rhel9', 'liveimg', false);
  assert.match(pass, /^part \/ .* --encrypted --luks-version=luks2 --passphrase=example-luks-passphrase-1$/m);
  assert.not.match(pass, 'clevis');
  const dir = await makeTmpdir();
  try {
    const file = await variantSite('single-node', dir, {
      site: (t) => t.replace('encryption: tpm2', 'encryption: none'),
    });
    const none = (await renderFile(file)).files.find((f) => f.path === 'ks.cfg')?.content ?? '';
    assert.equal(lintKickstart(none, 'rhel9'), []);
    assert.not.match(none, '--encrypted');
    assert.not.match(none, 'clevis');
    assert.match(none, /^part \/ --fstype=xfs --grow --ondisk=\S+$/m);
  } finally {
    await removeTmpdir(dir);
  }
});
rendered('WAN static and DHCP, LAN static with VLAN, hostname', async () => {
  const nat = await kickstart('ipmi-nat', 'rhel9', 'liveimg');
  assert.match(
    nat,
    'network --device=ens1f0 --bootproto=static --ip=10.40.12.20 --netmask=255.255.255.0 --gateway=10.40.12.1 --nameserver=10.40.0.53,10.40.1.53',
  );
  assert.match(
    nat,
    'network --device=ens1f1 --vlanid=120 --bootproto=static --ip=172.20.0.1 --netmask=255.255.255.0 --nodefroute',
  );
  assert.match(nat, 'network --hostname=bastion.plant.corp.example.net');
  const edge = await kickstart('edge', 'rhel9', 'liveimg');
  assert.match(edge, 'network --device=eno1 --bootproto=dhcp');
});
rendered.run();

// ---

// The checker must catch what ksvalidator catches, or passing it means nothing.
const checker = suite('render :: kickstart :: checker rejects bad files');
const CASES: [string, string, RegExp][] = [
  ['removed command', 'text\ninstall\n', /install has been removed/],
  ['removed in RHEL 10', 'autostep\n', /autostep has been removed in RHEL 10/],
  ['authconfig, removed in RHEL 10', 'authconfig --enableshadow\n', /authconfig has been removed in RHEL 10/],
  ['vnc, deprecated in RHEL 10', 'vnc --password=x\n', /vnc has been removed in RHEL 10/],
  [
    'timezone --isUtc, gone in RHEL 10',
    'timezone UTC --isUtc\n',
    /unrecognized arguments: --isUtc \(timezone, RHEL10\)/,
  ],
  ['timezone --ntpservers, gone in RHEL 10', 'timezone UTC --ntpservers=a\n', /--ntpservers \(timezone, RHEL10\)/],
  ['%anaconda', '%anaconda\npwpolicy root\n%end\n', /%anaconda has been removed/],
  ['unknown command', 'txet\n', /Unknown command: txet/],
  ['unknown option', 'bootloader --upgrade\n', /unrecognized arguments: --upgrade/],
  ['unterminated section', '%post\necho hi\n', /Section %post does not end with %end/],
  ['nested section', '%pre\n%post\n%end\n', /starts inside %pre/],
  ['stray %end', 'text\n%end\n', /%end outside a section/],
  ['unknown section', '%postt\n%end\n', /unknown section or directive %postt/],
  ['unbalanced quotes', 'rootpw --iscrypted "abc\n', /unbalanced quotes/],
];
for (const [name, text, expected] of CASES) {
  checker(name, () => {
    const issues = lintKickstart(text, 'rhel10');
    assert.ok(
      issues.some((i) => expected.test(i.message)),
      JSON.stringify(issues),
    );
  });
}
checker('what RHEL 9 still accepts is only refused for RHEL 10', () => {
  for (const text of ['autostep\n', 'authconfig\n', 'timezone UTC --isUtc --nontp\n', 'vnc --password=x\n']) {
    assert.equal(lintKickstart(text, 'rhel9'), [], text);
    assert.ok(lintKickstart(text, 'rhel10').length >= 1, text);
  }
  assert.match(JSON.stringify(lintKickstart('timezone UTC --bogus\n', 'rhel9')), '--bogus (timezone, RHEL9)');
});
checker('section structure of a render', async () => {
  assert.equal(sectionLines(await kickstart('single-node', 'rhel9', 'liveimg')), [
    '%include /tmp/fyr-disk.ks',
    '%pre --erroronfail',
    '%end',
    '%post --nochroot --erroronfail --log=/mnt/sysimage/root/fyr-ks-post.log',
    '%end',
    '%post --erroronfail',
    '%end',
  ]);
});
checker.run();
