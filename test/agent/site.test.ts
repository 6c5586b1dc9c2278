// What the agent reads of the site: a site.json written before the keeper's settings existed
// gets the same defaults fyr render writes for a site file that leaves them out.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KEEPER_DEFAULTS, readSite } from '../../src/agent/site.js';
import { validateSiteFile } from '../../src/site/index.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const test = suite('agent :: site');

test("an older site.json without keeper or backups gets the schema's defaults", async () => {
  const result = await validateSiteFile('examples/single-node/site.yaml');
  assert.ok(result.site, 'the example validates');
  const site = result.site!;
  assert.equal({ keeper: site.keeper, backups: site.backups }, KEEPER_DEFAULTS);
  const dir = await makeTmpdir();
  try {
    await mkdir(dir, { recursive: true });
    const { keeper: _k, backups: _b, secrets: _s, ...older } = site;
    await writeFile(join(dir, 'site.json'), JSON.stringify({ ...older, bootstrap: { mac: 'x', ip: 'y' } }));
    const read = await readSite(join(dir, 'site.json'));
    assert.equal({ keeper: read.keeper, backups: read.backups }, KEEPER_DEFAULTS);
  } finally {
    await removeTmpdir(dir);
  }
});

test('an older site.json without storage or operators gets neither', async () => {
  const site = (await validateSiteFile('examples/edge/site.yaml')).site!;
  const dir = await makeTmpdir();
  try {
    const { storage: _st, operators: _o, secrets: _s, ...older } = site;
    await writeFile(join(dir, 'site.json'), JSON.stringify({ ...older, bootstrap: { mac: 'x', ip: 'y' } }));
    const read = await readSite(join(dir, 'site.json'));
    assert.equal(read.storage, { type: 'none', defaulted: true, profile: 'balanced', nodes: [] });
    assert.equal(read.operators, []);
    // The edge example names no storage: the same as what fyr render writes for it.
    assert.equal({ type: site.storage.type, nodes: site.storage.nodes }, { type: 'none', nodes: [] });
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
