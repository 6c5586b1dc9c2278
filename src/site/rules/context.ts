// What every rule gets: the normalized site, the input as written, and a way to report.
import type { PathSegment } from '../path.js';
import type { SiteProblemCode } from '../problem-codes.js';
import type { Site } from '../model.js';
import type { SiteInput } from '../schema.js';

export interface Finding {
  code: SiteProblemCode;
  path: PathSegment[];
  message: string;
  expected?: string;
  severity?: 'error' | 'warning';
  // The path is in the secrets file rather than the site file.
  inSecrets?: boolean;
}

export interface RuleContext {
  site: Site;
  input: SiteInput;
  report(finding: Finding): void;
}

// A rule is named after the invariant it enforces and reports every violation it finds.
export type Rule = (ctx: RuleContext) => void;
