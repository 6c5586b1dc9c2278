// What the catalog, storage and operators phases do for a site: which packages are subscribed
// where, on which channel, pinned to which CSV (the one the release carries). Pure: the
// release's catalog record and the site decide it; fyr build refused a site that needs a
// package the release lacks, so a gap here is a site built by hand or a release swapped under it.
import { missingPackages, type OperatorCatalog } from '../../formats/operator-catalog.js';
import type { Site } from '../../site/model.js';
import { STORAGE_PACKAGES } from '../../site/storage.js';
import { operatorNamespace, type Subscribed } from './objects.js';

export interface OperatorPlan {
  // Nothing to install: the catalog is left alone too.
  empty: boolean;
  storage: Subscribed[];
  // The site's other operators, installed after storage.
  operators: Subscribed[];
  // Why storage is skipped (a default storage type whose operator the release does not carry).
  storageSkipped?: string;
}

export class PlanError extends Error {}
PlanError.prototype.name = 'PlanError';

type PlanSite = Pick<Site, 'storage' | 'operators'>;

export function operatorPlan(site: PlanSite, catalog: OperatorCatalog | undefined, openshift: string): OperatorPlan {
  const storagePkgs = STORAGE_PACKAGES[site.storage.type].map((name) => ({ name }));
  let storageSkipped: string | undefined;
  const missingStorage = missingPackages(catalog, storagePkgs);
  if (missingStorage.length > 0) {
    const names = missingStorage.map((m) => m.name).join(', ');
    if (!site.storage.defaulted)
      throw new PlanError(
        `storage ${site.storage.type} needs ${names}, which this release does not carry (fyr content --operator ${missingStorage[0]!.name})`,
      );
    storageSkipped = `storage ${site.storage.type} is the default for this site, but the release carries no ${names}: no storage is installed`;
  }
  const missing = missingPackages(catalog, site.operators);
  if (missing.length > 0)
    throw new PlanError(
      missing
        .map((m) =>
          m.carried
            ? `operator ${m.name}: the site asks for channel ${m.channel}, the release carries ${m.carried}`
            : `operator ${m.name}${m.channel ? ` (${m.channel})` : ''} is not in this release's catalog`,
        )
        .join('; '),
    );
  const subscribed = (name: string): Subscribed => {
    const p = catalog!.packages.find((q) => q.name === name)!;
    return { pkg: name, channel: p.channel, csv: p.csv, namespace: operatorNamespace(name, openshift) };
  };
  const storage = storageSkipped ? [] : storagePkgs.map((p) => subscribed(p.name));
  // A storage package named again under operators is installed once, with storage.
  const operators = site.operators.filter((o) => !storage.some((s) => s.pkg === o.name)).map((o) => subscribed(o.name));
  return {
    empty: storage.length === 0 && operators.length === 0,
    storage,
    operators,
    ...(storageSkipped ? { storageSkipped } : {}),
  };
}
