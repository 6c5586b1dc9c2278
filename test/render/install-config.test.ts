// The install-config carries the site's cluster networks (cluster.networks), or the
// installer's defaults when the site names none; openshift-install reads them as YAML.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { exampleSite, renderFile } from '../helpers/render.js';

async function networking(example: string) {
  const r = await renderFile(exampleSite(example));
  const text = r.files.find((f) => f.path === 'bundle/var/lib/fyr/install-config.yaml')?.content ?? '';
  return (parse(text) as { networking: Record<string, unknown> }).networking;
}

test('render :: install-config :: the site’s cluster networks, as it gives them', async () => {
  assert.equal(await networking('ipmi-nat'), {
    networkType: 'OVNKubernetes',
    machineNetwork: [{ cidr: '172.20.0.0/24' }],
    clusterNetwork: [{ cidr: '10.192.0.0/14', hostPrefix: 24 }],
    serviceNetwork: ['172.24.0.0/16'],
  });
});

test('render :: install-config :: the installer’s defaults when the site names none', async () => {
  const n = await networking('edge');
  assert.equal(n.clusterNetwork, [{ cidr: '10.128.0.0/14', hostPrefix: 23 }]);
  assert.equal(n.serviceNetwork, ['172.30.0.0/16']);
  assert.is(n.networkType, 'OVNKubernetes');
});

test.run();
