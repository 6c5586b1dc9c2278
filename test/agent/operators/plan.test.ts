// What the catalog, storage and operators phases install for a site: storage's packages first,
// pinned to the CSV the release carries, in their documented namespaces; the site's other
// operators after; a default storage type the release cannot serve is skipped, an explicit one
// (or an operator, or a channel) the release lacks is an error naming the fyr content option.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { OperatorCatalog } from '../../../src/formats/operator-catalog.js';
import { operatorNamespace } from '../../../src/agent/operators/objects.js';
import { operatorPlan, PlanError } from '../../../src/agent/operators/plan.js';
import type { Site } from '../../../src/site/model.js';

const test = suite('agent :: operators :: plan');

const CATALOG: OperatorCatalog = {
  source: 'registry.redhat.io/redhat/redhat-operator-index:v4.18',
  mirror: 'redhat/redhat-operator-index:v4.18',
  catalogSource: 'cs-redhat-operator-index-v4-18',
  packages: [
    { name: 'lvms-operator', channel: 'stable-4.18', csv: 'lvms-operator.v4.18.3', version: '4.18.3', requested: true },
    { name: 'web-terminal', channel: 'fast', csv: 'web-terminal.v1.12.1', version: '1.12.1', requested: true },
    {
      name: 'devworkspace-operator',
      channel: 'fast',
      csv: 'devworkspace-operator.v0.31.2',
      version: '0.31.2',
      requested: false,
    },
  ],
};

type PlanSite = Pick<Site, 'storage' | 'operators'>;
const site = (type: 'lvms' | 'odf' | 'none', defaulted: boolean, operators: PlanSite['operators'] = []): PlanSite => ({
  storage: { type, defaulted, profile: 'balanced', nodes: [] },
  operators,
});

test('storage first, pinned to the carried CSV, in its namespace; then the other operators', () => {
  const p = operatorPlan(site('lvms', false, [{ name: 'web-terminal' }]), CATALOG, '4.18.9');
  assert.equal(p.empty, false);
  assert.equal(p.storage, [
    { pkg: 'lvms-operator', channel: 'stable-4.18', csv: 'lvms-operator.v4.18.3', namespace: 'openshift-storage' },
  ]);
  assert.equal(p.operators, [
    { pkg: 'web-terminal', channel: 'fast', csv: 'web-terminal.v1.12.1', namespace: 'openshift-operators' },
  ]);
});

test('LVM Storage moved namespace with 4.20', () => {
  assert.is(operatorNamespace('lvms-operator', '4.19.3'), 'openshift-storage');
  assert.is(operatorNamespace('lvms-operator', '4.20.0'), 'openshift-lvm-storage');
  assert.is(operatorNamespace('odf-operator', '4.20.0'), 'openshift-storage');
  assert.is(operatorNamespace('local-storage-operator', '4.18.0'), 'openshift-local-storage');
});

test('a default storage type the release cannot serve is skipped, saying why', () => {
  const p = operatorPlan(site('lvms', true), undefined, '4.18.9');
  assert.equal(p.storage, []);
  assert.ok(p.empty);
  assert.match(p.storageSkipped ?? '', /default for this site, but the release carries no lvms-operator/);
});

test('an explicit storage type the release lacks is an error naming fyr content --operator', () => {
  assert.throws(
    () => operatorPlan(site('odf', false), CATALOG, '4.18.9'),
    (e: Error) =>
      e instanceof PlanError &&
      /storage odf needs local-storage-operator, odf-operator.*fyr content --operator local-storage-operator/.test(
        e.message,
      ),
  );
});

test('an operator or a channel the release does not carry is an error', () => {
  assert.throws(
    () => operatorPlan(site('none', false, [{ name: 'kubevirt-hyperconverged' }]), CATALOG, '4.18.9'),
    /operator kubevirt-hyperconverged is not in this release's catalog/,
  );
  assert.throws(
    () => operatorPlan(site('none', false, [{ name: 'web-terminal', channel: 'stable' }]), CATALOG, '4.18.9'),
    /web-terminal: the site asks for channel stable, the release carries fast/,
  );
});

test('nothing asked: an empty plan; a storage package named again under operators is installed once', () => {
  assert.ok(operatorPlan(site('none', false), CATALOG, '4.18.9').empty);
  const p = operatorPlan(site('lvms', false, [{ name: 'lvms-operator' }]), CATALOG, '4.18.9');
  assert.is(p.storage.length, 1);
  assert.equal(p.operators, []);
});

test.run();
