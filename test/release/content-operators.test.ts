// fyr-content.json's operators, as fyr release's loader reads them: checked against the schema
// (formats/operator-catalog.ts), carried through to the Content fyr release copies into
// release.json, and refused without the registry tree and the CatalogSource they need.
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidInputError } from '../../src/errors.js';
import { loadContent } from '../../src/release/content.js';
import { makeContent } from '../helpers/content.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const OPERATORS = {
  source: 'registry.redhat.io/redhat/redhat-operator-index:v4.18',
  mirror: 'redhat/redhat-operator-index:v4.18',
  catalogSource: 'cs-redhat-operator-index-v4-18',
  packages: [
    { name: 'lvms-operator', channel: 'stable-4.18', csv: 'lvms-operator.v4.18.3', version: '4.18.3', requested: true },
  ],
};

async function problems(dir: string): Promise<string[]> {
  try {
    await loadContent(dir);
  } catch (err) {
    assert.instance(err, InvalidInputError);
    return (err as InvalidInputError).problems.map((p) => `${p.path} ${p.code}`);
  }
  return [];
}

test('content :: operators need the registry tree and their CatalogSource; a bad field is at its path', async () => {
  const dir = await makeTmpdir();
  try {
    const { manifest } = await makeContent(dir);
    const data = JSON.parse(readFileSync(manifest, 'utf8'));
    writeFileSync(manifest, JSON.stringify({ ...data, operators: OPERATORS }));
    assert.equal(await problems(dir), ['operators CONTENT_TREE_INVALID', 'operators CONTENT_ROLE_MISSING']);
    const bad = { ...OPERATORS, packages: [{ ...OPERATORS.packages[0], channel: 'a b', requested: 'yes' }] };
    writeFileSync(manifest, JSON.stringify({ ...data, operators: bad }));
    assert.equal(await problems(dir), [
      'operators.packages[0].channel SCHEMA_FORMAT',
      'operators.packages[0].requested SCHEMA_TYPE',
    ]);
  } finally {
    await removeTmpdir(dir);
  }
});

test.run();
