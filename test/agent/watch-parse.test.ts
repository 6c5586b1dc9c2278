// Node progress read off dhcpd's log and leases and httpd's access log, from literal lines in
// the formats those daemons write.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAccessLog, parseDhcpLog, parseLeases, stepOf } from '../../src/agent/watch-parse.js';

test('watch :: dhcpd log: DHCPACK to a MAC, DHCPDISCOVER and DHCPREQUEST from one', () => {
  const log = [
    'DHCPDISCOVER from 52:54:00:00:00:10 via br-fyr',
    'DHCPOFFER on 192.168.8.10 to 52:54:00:00:00:10 via br-fyr',
    'DHCPREQUEST for 192.168.8.10 (192.168.8.1) from 52:54:00:00:00:10 via br-fyr',
    'DHCPACK on 192.168.8.10 to 52:54:00:00:00:10 via br-fyr',
    'Nov 22 00:01:02 bastion dhcpd[812]: DHCPACK on 192.168.8.150 to 52:54:00:DE:AD:01 (stray) via br-fyr',
    'Server starting service.',
  ].join('\n');
  assert.equal(parseDhcpLog(log), [
    { mac: '52:54:00:00:00:10', acked: false },
    { mac: '52:54:00:00:00:10', acked: false },
    { mac: '52:54:00:00:00:10', ip: '192.168.8.10', acked: true },
    { mac: '52:54:00:de:ad:01', ip: '192.168.8.150', acked: true },
  ]);
});

test('watch :: leases file: pool leases with their MACs', () => {
  const leases = `# The format of this file is documented in the dhcpd.leases(5) manual page.
lease 192.168.8.100 {
  starts 0 2026/11/22 00:01:02;
  binding state active;
  hardware ethernet 52:54:00:de:ad:01;
  client-hostname "stray";
}
server-duid "\\000\\001";
`;
  assert.equal(parseLeases(leases), [{ mac: '52:54:00:de:ad:01', ip: '192.168.8.100' }]);
});

test('watch :: access log (combined): client, path, status', () => {
  const log = [
    '192.168.8.10 - - [22/Nov/2026:00:01:02 +0000] "GET /rhcos/kernel HTTP/1.1" 200 11534336 "-" "iPXE/1.21"',
    '192.168.8.10 - - [22/Nov/2026:00:01:03 +0000] "GET /ignition/master.ign?x=1 HTTP/1.1" 200 1800 "-" "Ignition/2.17"',
    '192.168.8.11 - - [22/Nov/2026:00:01:04 +0000] "GET /rhcos/rootfs.img HTTP/1.1" 404 196 "-" "curl/7.76"',
    'garbage',
  ].join('\n');
  assert.equal(parseAccessLog(log), [
    { ip: '192.168.8.10', path: '/rhcos/kernel', status: 200 },
    { ip: '192.168.8.10', path: '/ignition/master.ign', status: 200 },
    { ip: '192.168.8.11', path: '/rhcos/rootfs.img', status: 404 },
  ]);
  assert.is(stepOf('/rhcos/kernel'), 'kernel');
  assert.is(stepOf('/rhcos/initramfs.img'), 'initramfs');
  assert.is(stepOf('/rhcos/rootfs.img'), 'rootfs');
  assert.is(stepOf('/ignition/worker.ign'), 'ignition');
  assert.is(stepOf('/fyr-health.txt'), undefined);
});

test.run();
