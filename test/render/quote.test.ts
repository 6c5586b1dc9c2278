// Each format's quoting helper against literal expectations, and the engine's refusal of
// unquoted output.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { q, Quoted, UnsafeValueError } from '../../src/render/index.js';

const quote = suite('render :: quote');

const CASES: [keyof typeof q, string, string][] = [
  ['ks', 'plain-word_1.2:/x=y@z', 'plain-word_1.2:/x=y@z'],
  ['ks', 'ssh-ed25519 AAAA key@host', '"ssh-ed25519 AAAA key@host"'],
  ['ks', 'a"b\\c', '"a\\"b\\\\c"'],
  ['ks', '%end', '"%end"'],
  ['ks', '$6$salt$hash', '"$6$salt$hash"'],
  ['sh', "it's", "'it'\\''s'"],
  ['sh', '$(reboot)', "'$(reboot)'"],
  ['grub', 'coreos.inst.install_dev=/dev/sda', "'coreos.inst.install_dev=/dev/sda'"],
  ['named', 'a"b', '"a\\"b"'],
  ['dhcp', 'cp-0', '"cp-0"'],
  ['xml', `<a href="x">&'`, '&lt;a href=&quot;x&quot;&gt;&amp;&apos;'],
  ['toml', 'say "hi" \\o/', '"say \\"hi\\" \\\\o/"'],
  ['json', 'line "x"', '"line \\"x\\""'],
  ['keyfile', 'a\\b', 'a\\\\b'],
  ['dns', '*.apps', '*.apps'],
  ['dns', 'bastion.edge.example.com.', 'bastion.edge.example.com.'],
  ['word', '192.168.8.1', '192.168.8.1'],
];
for (const [helper, input, expected] of CASES) {
  quote(`${helper} ${JSON.stringify(input)}`, () => {
    const out = q[helper](input);
    assert.instance(out, Quoted);
    assert.is(out.text, expected);
  });
}

const REFUSED: [keyof typeof q, string][] = [
  ['ks', 'two\nlines'],
  ['sh', 'a\u0000b'],
  ['named', 'x\ny'],
  ['dns', 'has space.example.com'],
  ['dns', 'UPPER.example.com'],
  ['word', 'two words'],
  ['pxe', 'a b'],
  ['karg', 'x;reboot'],
  ['chrony', 'ntp.example.com iburst'],
  ['keyfile', ' leading'],
  ['toml', 'bell\u0007'],
  ['xml', 'x\u001by'],
];
for (const [helper, input] of REFUSED) {
  quote(`${helper} refuses ${JSON.stringify(input)}`, () => {
    assert.throws(
      () => q[helper](input),
      (err: unknown) => err instanceof UnsafeValueError,
    );
  });
}
quote.run();
