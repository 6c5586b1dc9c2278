// The rendered DNS, DHCP and TFTP configs, served for real by named, dhcpd and in.tftpd inside
// network namespaces, and queried by dig, dhclient and tftp from the cluster side.
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RenderResult } from '../../src/render/index.js';
import { linkNamespaces, waitFor, withNetns, type Netns } from '../helpers/netns.js';
import { exampleSite, renderTo } from '../helpers/render.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

interface Ctx {
  dir?: string;
  bundle: string;
  result?: RenderResult;
  site: {
    fqdn: string;
    bastion: string;
    prefix: number;
    nodes: { name: string; mac: string; ip: string; macFile: string }[];
    bootstrap: { mac: string; ip: string };
  };
}

const live = suite<Ctx>('render :: live services :: edge', {
  bundle: '',
  site: { fqdn: '', bastion: '', prefix: 0, nodes: [], bootstrap: { mac: '', ip: '' } },
});

live.before(async (ctx) => {
  ctx.dir = await makeTmpdir();
  const { out, result } = await renderTo(exampleSite('edge'), ctx.dir);
  ctx.bundle = join(out, 'bundle');
  ctx.result = result;
  const site = JSON.parse(await readFile(join(ctx.bundle, 'etc/fyr/site.json'), 'utf8'));
  ctx.site = {
    fqdn: site.cluster.fqdn,
    bastion: site.network.lan.bastion,
    prefix: site.network.lan.prefix,
    nodes: site.nodes.map((n: { name: string; mac: string; ip: string }) => ({
      ...n,
      macFile: `01-${n.mac.replaceAll(':', '-')}`,
    })),
    bootstrap: site.bootstrap,
  };
});
live.after(async (ctx) => removeTmpdir(ctx.dir));

// The bastion side: one namespace whose LAN bridge has the bastion's address.
async function bastionLan(ctx: Ctx, server: Netns, client: Netns, clientMac?: string): Promise<void> {
  await linkNamespaces(
    { ns: server, ifname: 'br-fyr', cidr: `${ctx.site.bastion}/${ctx.site.prefix}` },
    { ns: client, ifname: 'pxe0', ...(clientMac ? { mac: clientMac } : {}) },
  );
}

live('named answers api, *.apps, every node and every PTR', async (ctx) => {
  // named chroots into a copy of the bundle, so it reads the rendered files at their bastion paths.
  const root = join(ctx.dir ?? '', 'named-root');
  await cp(ctx.bundle, root, { recursive: true });
  await mkdir(join(root, 'run/named'), { recursive: true });
  await mkdir(join(root, 'dev'), { recursive: true });
  for (const [name, minor] of [
    ['null', '3'],
    ['random', '8'],
    ['urandom', '9'],
  ] as const)
    await execa('mknod', ['-m', '666', join(root, 'dev', name), 'c', '1', minor]);
  await withNetns(['dns-srv', 'dns-cli'], async ([srv, cli]) => {
    if (!srv || !cli) throw new Error('namespaces');
    await bastionLan(ctx, srv, cli);
    await cli.exec('ip', ['addr', 'add', `192.168.8.50/${ctx.site.prefix}`, 'dev', 'pxe0']);
    srv.spawn('named', ['-g', '-4', '-t', root, '-c', '/etc/named.conf']);
    const dig = async (...q: string[]) =>
      (await cli.exec('dig', [`@${ctx.site.bastion}`, '+short', '+time=1', '+tries=1', ...q])).stdout.trim();
    await waitFor(
      async () => ((await dig('api.' + ctx.site.fqdn)) === ctx.site.bastion ? true : undefined),
      15_000,
      'named to answer',
    );
    assert.is(await dig(`api-int.${ctx.site.fqdn}`), ctx.site.bastion);
    const random = `x${Date.now().toString(36)}.apps.${ctx.site.fqdn}`;
    assert.is(await dig(random), ctx.site.bastion, 'wildcard *.apps');
    assert.is(await dig(`bastion.${ctx.site.fqdn}`), ctx.site.bastion);
    assert.is(await dig(`bootstrap.${ctx.site.fqdn}`), ctx.site.bootstrap.ip);
    for (const node of ctx.site.nodes) {
      assert.is(await dig(`${node.name}.${ctx.site.fqdn}`), node.ip, node.name);
      assert.is(await dig('-x', node.ip), `${node.name}.${ctx.site.fqdn}.`, `PTR of ${node.ip}`);
    }
    assert.is(await dig('-x', ctx.site.bastion), `bastion.${ctx.site.fqdn}.`);
    // Not in the zone: NXDOMAIN, empty answer.
    assert.is(await dig(`nosuchhost.${ctx.site.fqdn}`), '');
  });
});

// dhclient with the PXE client architecture (option 93) it should announce; returns its lease.
async function lease(ctx: Ctx, cli: Netns, arch: number, tag: string): Promise<string> {
  const conf = join(ctx.dir ?? '', `dhclient-${tag}.conf`);
  const leases = join(ctx.dir ?? '', `dhclient-${tag}.leases`);
  await writeFile(conf, `option architecture-type code 93 = unsigned integer 16;\nsend architecture-type ${arch};\n`);
  const r = await cli.exec(
    'dhclient',
    [
      '-4',
      '-1',
      '-v',
      '-cf',
      conf,
      '-sf',
      '/bin/true',
      '-lf',
      leases,
      '-pf',
      join(ctx.dir ?? '', `dhclient-${tag}.pid`),
      'pxe0',
    ],
    { timeout: 30_000 },
  );
  assert.is(r.exitCode, 0, `dhclient failed:\n${r.stderr}`);
  await cli.exec('dhclient', ['-x', '-pf', join(ctx.dir ?? '', `dhclient-${tag}.pid`)]);
  return readFile(leases, 'utf8');
}

async function withDhcp(ctx: Ctx, mac: string, fn: (cli: Netns) => Promise<void>): Promise<void> {
  await withNetns(['dhcp-srv', 'dhcp-cli'], async ([srv, cli]) => {
    if (!srv || !cli) throw new Error('namespaces');
    await bastionLan(ctx, srv, cli, mac);
    const leases = join(ctx.dir ?? '', `dhcpd-${mac.replaceAll(':', '')}.leases`);
    await writeFile(leases, '');
    srv.spawn('dhcpd', [
      '-f',
      '-d',
      '-4',
      '-cf',
      join(ctx.bundle, 'etc/dhcp/dhcpd.conf'),
      '-lf',
      leases,
      '-pf',
      join(ctx.dir ?? '', 'dhcpd.pid'),
      'br-fyr',
    ]);
    await fn(cli);
  });
}

live('dhcpd gives each node its reserved address and the boot file for its firmware', async (ctx) => {
  for (const [i, node] of ctx.site.nodes.entries()) {
    await withDhcp(ctx, node.mac, async (cli) => {
      // Alternate firmware: BIOS (arch 0) gets pxelinux, x86-64 UEFI (arch 7) gets shim.
      const arch = i % 2 === 0 ? 0 : 7;
      const text = await lease(ctx, cli, arch, node.name);
      assert.match(text, `fixed-address ${node.ip};`, `${node.name} reservation`);
      assert.match(
        text,
        arch === 0 ? 'filename "lpxelinux.0";' : 'filename "uefi/shimx64.efi";',
        `${node.name} boot file`,
      );
      assert.match(text, `option host-name "${node.name}";`);
      assert.match(text, `option domain-name-servers ${ctx.site.bastion};`);
    });
  }
});

live('dhcpd gives the bootstrap VM its address, and an unknown MAC a pool address', async (ctx) => {
  await withDhcp(ctx, ctx.site.bootstrap.mac, async (cli) => {
    assert.match(await lease(ctx, cli, 7, 'bootstrap'), `fixed-address ${ctx.site.bootstrap.ip};`);
  });
  await withDhcp(ctx, '02:00:00:aa:bb:cc', async (cli) => {
    const text = await lease(ctx, cli, 0, 'unknown');
    const address = /fixed-address (192\.168\.8\.(\d+));/.exec(text);
    assert.ok(address, text);
    const last = Number(address[2]);
    assert.ok(last >= 100 && last <= 199, `pool address, got ${address[1]}`);
    assert.not.match(text, 'host-name');
  });
});

live('in.tftpd serves the per-MAC menus and the local-boot default', async (ctx) => {
  await withNetns(['tftp'], async ([ns]) => {
    if (!ns) throw new Error('namespace');
    // A veth of the namespace's own: tftpd resolves its bind address with AI_ADDRCONFIG, which
    // ignores loopback-only hosts.
    await linkNamespaces(
      { ns, ifname: 'br-fyr', cidr: `${ctx.site.bastion}/${ctx.site.prefix}` },
      { ns, ifname: 'peer0' },
    );
    ns.spawn('in.tftpd', [
      '-L',
      '-u',
      'root',
      '-s',
      join(ctx.bundle, 'var/lib/tftpboot'),
      '-a',
      `${ctx.site.bastion}:69`,
    ]);
    const get = async (remote: string): Promise<string> => {
      const local = join(ctx.dir ?? '', `tftp-${remote.replaceAll('/', '_')}`);
      const r = await ns.exec('tftp', ['-m', 'octet', ctx.site.bastion, '69', '-c', 'get', remote, local]);
      if (r.exitCode !== 0 || /timed out|Error/.test(r.stdout + r.stderr))
        throw new Error(`tftp get ${remote}: ${r.stdout}${r.stderr}`);
      return readFile(local, 'utf8');
    };
    const node = ctx.site.nodes[0];
    if (!node) throw new Error('no node');
    const bios = await waitFor(() => get(`pxelinux.cfg/${node.macFile}`), 10_000, 'tftpd');
    assert.match(bios, `coreos.inst.ignition_url=http://${ctx.site.bastion}:8080/ignition/master.ign`);
    assert.match(bios, 'coreos.inst.install_dev=/dev/nvme0n1');
    const uefi = await get(`uefi/grub.cfg-${node.macFile}`);
    assert.match(uefi, `'coreos.live.rootfs_url=http://${ctx.site.bastion}:8080/rhcos/rootfs.img'`);
    const fallback = await get('pxelinux.cfg/default');
    assert.match(fallback, 'LOCALBOOT 0');
    assert.not.match(fallback, 'coreos.inst');
    assert.not.match(await get('uefi/grub.cfg'), 'coreos.inst');
  });
});

live.run();
