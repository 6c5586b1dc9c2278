// Values the schema accepts but that are dangerous in some output format (quotes, "$", "%",
// spaces, parentheses, ":" and "/"), put wherever the site allows free text. Every rendered
// file must keep its structure: same lines, same leading token on each, and the kickstart
// must read each value back exactly.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseBlueprintToml } from '../../src/composer/blueprint-toml.js';
import { validateSiteFile } from '../../src/site/index.js';
import { lintKickstart, sectionLines, shellSplit } from '../helpers/kickstart-lint.js';
import { exampleSite, renderFile, variantSite } from '../helpers/render.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHBbMblic+oi7gH7z1YWX9UO7iNcB7jq7AtutWhPelpc';
const HOSTILE = {
  sshComment: 'x -- end: /etc/passwd @host + more  words',
  rootHash: '$6$a$b$c,d=e/f.g$h$rebootx',
  passphrase: '%end()[x]*?~!^@:=,./+-',
  keyboard: 'us(dvorak)',
};

const hostile = suite<{ dir?: string; file: string }>('render :: hostile values', { file: '' });
hostile.before(async (ctx) => {
  ctx.dir = await makeTmpdir();
  ctx.file = await variantSite('ipmi-nat', ctx.dir, {
    site: (t) =>
      t
        .replace(`${KEY} tech@field-laptop`, `"${KEY} ${HOSTILE.sshComment}"`)
        .replace('keyboard: no', `keyboard: "${HOSTILE.keyboard}"`)
        .replace('encryption: passphrase', 'encryption: tpm2'),
    secrets: (t) =>
      t
        .replace(/^root-password-hash: .*$/m, `root-password-hash: '${HOSTILE.rootHash}'`)
        .replace(/^bastion-luks: .*$/m, `bastion-luks: '${HOSTILE.passphrase}'`),
  });
});
hostile.after(async (ctx) => removeTmpdir(ctx.dir));

hostile('the hostile site is valid', async (ctx) => {
  const r = await validateSiteFile(ctx.file);
  assert.equal(r.errors, []);
});

// Line count and first token of each line: what a value breaking out would change.
const shape = (text: string) => text.split('\n').map((l) => (l.trim().split(/\s+/)[0] ?? '').replace(/[=:].*$/, ''));

hostile('every file keeps the shape of the benign render', async (ctx) => {
  const benign = await renderFile(exampleSite('ipmi-nat'));
  const evil = await renderFile(ctx.file);
  assert.equal(
    evil.files.map((f) => f.path),
    benign.files.map((f) => f.path),
  );
  // The benign site uses a passphrase, the hostile one TPM2 with that passphrase as recovery:
  // the kickstart is compared through its parsed commands below instead.
  for (const [i, file] of evil.files.entries()) {
    if (file.path === 'ks.cfg' || file.path === 'manifest.json') continue;
    assert.equal(shape(file.content), shape(benign.files[i]?.content ?? ''), file.path);
  }
});

hostile('unsealed, the kickstart reads every value back exactly, and no % line comes from data', async (ctx) => {
  const ks =
    (await renderFile(ctx.file, { os: 'rhel9', source: 'liveimg', sealed: false })).files.find(
      (f) => f.path === 'ks.cfg',
    )?.content ?? '';
  assert.equal(lintKickstart(ks, 'rhel9'), []);
  assert.equal(sectionLines(ks), [
    '%pre --erroronfail',
    '%end',
    '%post --nochroot --erroronfail --log=/mnt/sysimage/root/fyr-ks-post.log',
    '%end',
    '%post --erroronfail',
    '%end',
  ]);
  const lines = ks.split('\n');
  const words = (prefix: string) => shellSplit(lines.find((l) => l.startsWith(prefix)) ?? '') ?? [];
  assert.equal(words('sshkey --username=root'), ['sshkey', '--username=root', `${KEY} ${HOSTILE.sshComment}`]);
  assert.equal(words('rootpw'), ['rootpw', '--iscrypted', HOSTILE.rootHash]);
  assert.equal(words('keyboard'), ['keyboard', `--vckeymap=${HOSTILE.keyboard}`, `--xlayouts=${HOSTILE.keyboard}`]);
  assert.equal(words('part /').at(-1), `--passphrase=${HOSTILE.passphrase}`);
  // In %pre the passphrase is one single-quoted shell word.
  assert.ok(lines.includes(`printf '%s' '${HOSTILE.passphrase}' > /tmp/fyr-luks.key`));
});

hostile('sealed, the secrets for the agent hold every value exactly, and no file holds any', async (ctx) => {
  const r = await renderFile(ctx.file);
  assert.equal(r.secrets?.accounts?.[0], { user: 'root', hash: HOSTILE.rootHash });
  assert.is(r.secrets?.luksRecovery, HOSTILE.passphrase);
  for (const f of r.files)
    for (const value of [HOSTILE.rootHash, HOSTILE.passphrase]) assert.not.ok(f.content.includes(value), f.path);
});

hostile('structured files still parse to the same values', async (ctx) => {
  const files = new Map((await renderFile(ctx.file)).files.map((f) => [f.path, f.content]));
  const site = JSON.parse(files.get('bundle/etc/fyr/site.json') ?? '');
  assert.equal(site.sshKeys, [`${KEY} ${HOSTILE.sshComment}`]);
  assert.is(site.bastion.keyboard, HOSTILE.keyboard);
  assert.not.match(files.get('bundle/etc/fyr/site.json') ?? '', HOSTILE.rootHash);
  parseBlueprintToml(files.get('blueprint.toml') ?? '');
  const installConfig = files.get('bundle/var/lib/fyr/install-config.yaml') ?? '';
  assert.ok(installConfig.includes(`sshKey: ${JSON.stringify(`${KEY} ${HOSTILE.sshComment}`)}`));
});

hostile.run();
