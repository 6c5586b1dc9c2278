// Small pure helpers: IPv4 arithmetic, MAC notations, durations, data paths, did-you-mean, unsafe values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { contains, formatIpv4, netmaskOf, networkOf, overlaps, parseCidr, parseIpv4 } from '../../src/site/ipv4.js';
import { durationSeconds, parseDuration } from '../../src/site/duration.js';
import { normalizeMac } from '../../src/site/mac.js';
import { formatPath, fromPointer } from '../../src/site/path.js';
import { didYouMean } from '../../src/util/did-you-mean.js';
import { unsafeReason } from '../../src/site/unsafe.js';

test('ipv4 :: parse and format round-trip', () => {
  assert.is(parseIpv4('192.168.8.1'), 0xc0a80801);
  assert.is(formatIpv4(0xc0a80801), '192.168.8.1');
  assert.is(formatIpv4(0xffffffff), '255.255.255.255');
  for (const bad of ['192.168.8', '1.2.3.256', '01.2.3.4', 'a.b.c.d', '1.2.3.4.5'])
    assert.is(parseIpv4(bad), undefined, bad);
});

test('ipv4 :: networks, masks, containment, overlap', () => {
  const net = networkOf(parseIpv4('192.168.8.77')!, 24);
  assert.equal([formatIpv4(net.network), formatIpv4(net.broadcast)], ['192.168.8.0', '192.168.8.255']);
  assert.equal(
    [netmaskOf(24), netmaskOf(27), netmaskOf(0), netmaskOf(32)],
    ['255.255.255.0', '255.255.255.224', '0.0.0.0', '255.255.255.255'],
  );
  assert.ok(contains(net, parseIpv4('192.168.8.200')!));
  assert.not.ok(contains(net, parseIpv4('192.168.9.1')!));
  assert.ok(overlaps(net, networkOf(parseIpv4('192.168.0.0')!, 16)));
  assert.not.ok(overlaps(net, networkOf(parseIpv4('192.168.9.0')!, 24)));
  assert.equal(parseCidr('10.0.0.5/8'), { address: 0x0a000005, prefix: 8 });
  assert.is(parseCidr('10.0.0.5/33'), undefined);
});

test('mac :: every accepted notation normalizes to lowercase colons', () => {
  for (const text of ['52:54:00:AB:cd:10', '52-54-00-ab-CD-10', '5254.00ab.cd10', '525400ABCD10']) {
    assert.is(normalizeMac(text), '52:54:00:ab:cd:10', text);
  }
});

test('duration :: a whole number and one unit, in seconds', () => {
  assert.is(parseDuration('1m'), 60);
  assert.is(parseDuration('90m'), 5400);
  assert.is(parseDuration('6h'), 21_600);
  assert.is(parseDuration('1d'), 86_400);
  assert.is(parseDuration('9999d'), 9999 * 86_400);
  for (const bad of ['', '6', '0h', '06h', '-1h', '6 h', '6H', '1h30m', '1.5h', '90s', '10000m', ' 6h', '6h\n'])
    assert.is(parseDuration(bad), undefined, JSON.stringify(bad));
  assert.is(durationSeconds('24h'), 86_400);
  assert.throws(() => durationSeconds('6x'), /not a duration: "6x"/);
});

test('path :: dotted paths from segments and JSON pointers', () => {
  assert.is(formatPath(['nodes', 2, 'bmc', 'address']), 'nodes[2].bmc.address');
  assert.is(formatPath([]), '');
  assert.is(formatPath(['odd key']), '["odd key"]');
  assert.equal(fromPointer('/nodes/2/mac', { nodes: [{}, {}, {}] }), ['nodes', 2, 'mac']);
  assert.equal(fromPointer('/a~1b/0', { 'a/b': {} }), ['a/b', '0']);
});

test('did-you-mean :: close typos only', () => {
  assert.is(didYouMean('instalDisk', ['installDisk', 'ip']), 'installDisk');
  assert.is(didYouMean('pta', ['pat', 'nat']), 'pat');
  assert.is(didYouMean('zebra', ['pat', 'nat']), undefined);
});

test('unsafe :: characters that could break out of generated files', () => {
  assert.is(unsafeReason('eno1'), undefined);
  assert.is(unsafeReason('ST1000 NM0033'), undefined);
  assert.match(unsafeReason('a\nb')!, 'a newline');
  assert.match(unsafeReason('x`id`')!, 'a backtick');
  assert.match(unsafeReason('a;b')!, 'a semicolon');
  assert.match(unsafeReason('a\u001b[31m')!, 'U+001B');
  assert.match(unsafeReason('%post')!, 'section line');
  assert.match(unsafeReason('--force')!, 'as an option');
});

test.run();
