// Node progress read off dhcpd's and Kea's logs and lease files and httpd's access log, from
// literal lines in the formats those daemons write (Kea's as 2.2 and 2.6 write them).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  parseAccessLog,
  parseDhcpLog,
  parseKeaLeases,
  parseKeaLog,
  parseLeases,
  stepOf,
} from '../../src/agent/watch-parse.js';

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

test('watch :: Kea log: ALLOC is the ACK; OFFER (2.6), ADVERT (2.2) and a 2.6 DISCOVER are sightings', () => {
  const at = '2026-12-01 22:42:08.000 INFO  [kea-dhcp4.leases/18733.140429047886336]';
  const log = [
    `2026-12-01 22:42:07.100 INFO  [kea-dhcp4.packets/18733.1] DHCP4_PACKET_RECEIVED [hwtype=1 52:54:00:00:00:10], cid=[no info], tid=0x1: DHCPDISCOVER (type 1) received from 0.0.0.0 to 255.255.255.255 on interface br-fyr`,
    `${at} DHCP4_LEASE_OFFER [hwtype=1 52:54:00:00:00:10], cid=[no info], tid=0x1: lease 192.168.8.10 will be offered`,
    `${at} DHCP4_LEASE_ADVERT [hwtype=1 52:54:00:00:00:11], cid=[01:52:54:00:00:00:11], tid=0x2: lease 192.168.8.11 will be advertised`,
    `${at} DHCP4_LEASE_ALLOC [hwtype=1 52:54:00:00:00:10], cid=[no info], tid=0x1: lease 192.168.8.10 has been allocated for 3600 seconds`,
    // The journal's own prefix, upper-case hex, and a line that only names a MAC.
    `Dec 01 22:42:09 bastion kea-dhcp4[812]: ${at} DHCP4_LEASE_ALLOC [hwtype=1 52:54:00:DE:AD:01], cid=[no info], tid=0x3: lease 192.168.8.150 has been allocated for 3600 seconds`,
    `${at} DHCP4_RESPONSE_DATA [hwtype=1 52:54:00:00:00:10], cid=[no info], tid=0x1: responding with packet DHCPACK (type 5)`,
    `${at} DHCP4_STARTED Kea DHCPv4 server version 2.6.3 started`,
  ].join('\n');
  assert.equal(parseKeaLog(log), [
    { mac: '52:54:00:00:00:10', acked: false },
    { mac: '52:54:00:00:00:10', ip: '192.168.8.10', acked: false },
    { mac: '52:54:00:00:00:11', ip: '192.168.8.11', acked: false },
    { mac: '52:54:00:00:00:10', ip: '192.168.8.10', acked: true },
    { mac: '52:54:00:de:ad:01', ip: '192.168.8.150', acked: true },
  ]);
  assert.equal(parseDhcpLog(log), [], "dhcpd's parser sees nothing in Kea's lines");
});

test('watch :: Kea lease file: columns by the header, the last row per address, deleted rows dropped', () => {
  const csv = [
    'address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id',
    '192.168.8.100,52:54:00:de:ad:01,,3600,1796168527,1,0,0,stray&#x2c;one,0,,0',
    '192.168.8.101,52:54:00:de:ad:02,,3600,1796168527,1,0,0,,0,,0',
    '192.168.8.100,52:54:00:DE:AD:03,,3600,1796168600,1,0,0,,0,,0',
    '192.168.8.101,52:54:00:de:ad:02,,0,1796168700,1,0,0,,0,,0',
    '',
  ].join('\n');
  assert.equal(parseKeaLeases(csv), [{ mac: '52:54:00:de:ad:03', ip: '192.168.8.100' }]);
  // 2.2 has no pool_id column; the order of columns comes from the header.
  assert.equal(parseKeaLeases('hwaddr,address,valid_lifetime\n52:54:00:de:ad:04,192.168.8.102,3600\n'), [
    { mac: '52:54:00:de:ad:04', ip: '192.168.8.102' },
  ]);
  assert.equal(parseKeaLeases('lease 192.168.8.100 {\n}\n'), [], 'not a Kea lease file');
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
