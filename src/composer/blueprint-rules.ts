// The rules osbuild-composer applies to a blueprint for the image-installer image type, as
// found in github.com/osbuild/blueprint and github.com/osbuild/images: field names and types, supported customizations, file and directory path policies.
// Checked before a blueprint is pushed, because composer may drop what it does not support.
import { posix } from 'node:path';

export interface BlueprintIssue {
  path: string;
  message: string;
}

const TOP_LEVEL = new Set([
  'name',
  'description',
  'version',
  'packages',
  'modules',
  'enabled_modules',
  'groups',
  'containers',
  'customizations',
  'distro',
]);
// blueprint.supported_options of image-installer (osbuild/images data/distrodefs/rhel-9/imagetypes.yaml).
const CUSTOMIZATIONS = new Set([
  'dnf',
  'installer',
  'cacerts',
  'directories',
  'files',
  'firewall',
  'user',
  'sshkey',
  'group',
  'fips',
  'timezone',
  'hostname',
  'kernel',
  'locale',
  'openscap',
  'repositories',
  'rpm',
  'services',
  'rhsm',
]);
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const MODE = /^0?[0-7]{3}$/;
// osbuild/images pkg/policies/policies.go: denied prefixes for custom files and directories.
const DENIED_DIRS = [
  '/bin',
  '/boot',
  '/dev',
  '/efi',
  '/lib',
  '/lib64',
  '/lost+found',
  '/proc',
  '/run',
  '/sbin',
  '/sys',
  '/sysroot',
  '/tmp',
  '/usr',
  '/var/run',
  '/var/tmp',
];
const DENIED_FILES = [...DENIED_DIRS, '/etc/fstab', '/etc/group', '/etc/passwd', '/etc/shadow'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function pathAllowed(path: string, denied: readonly string[]): boolean {
  if (path === '/usr/local' || path.startsWith('/usr/local/')) return true;
  return !denied.some((d) => path === d || path.startsWith(`${d}/`));
}

function checkNodes(kind: 'directories' | 'files', list: unknown, issues: BlueprintIssue[]): void {
  if (!Array.isArray(list)) {
    issues.push({ path: `customizations.${kind}`, message: 'must be an array of tables' });
    return;
  }
  const seen = new Set<string>();
  list.forEach((node, i) => {
    const at = `customizations.${kind}[${i}]`;
    if (!isObject(node) || typeof node.path !== 'string') {
      issues.push({ path: at, message: 'needs a path' });
      return;
    }
    const p = node.path;
    if (!p.startsWith('/')) issues.push({ path: `${at}.path`, message: `path "${p}" must be absolute` });
    else if (posix.normalize(p) !== p || (p.length > 1 && p.endsWith('/')))
      issues.push({ path: `${at}.path`, message: `path "${p}" must be canonical` });
    else if (!pathAllowed(p, kind === 'files' ? DENIED_FILES : DENIED_DIRS))
      issues.push({ path: `${at}.path`, message: `path "${p}" is not allowed` });
    if (seen.has(p)) issues.push({ path: `${at}.path`, message: `duplicate path "${p}"` });
    seen.add(p);
    if (node.mode !== undefined && (typeof node.mode !== 'string' || !MODE.test(node.mode)))
      issues.push({ path: `${at}.mode`, message: 'mode must be an octal string such as "0755"' });
    if (kind === 'files' && node.data !== undefined && node.uri !== undefined)
      issues.push({ path: at, message: 'data and uri are mutually exclusive' });
  });
}

// Every way a parsed blueprint breaks composer's rules for image-installer; [] when none.
export function checkBlueprint(bp: Record<string, unknown>): BlueprintIssue[] {
  const issues: BlueprintIssue[] = [];
  for (const key of Object.keys(bp))
    if (!TOP_LEVEL.has(key)) issues.push({ path: key, message: 'not supported by image-installer' });
  if (typeof bp.name !== 'string' || !/^[a-zA-Z0-9._-]+$/.test(bp.name))
    issues.push({ path: 'name', message: 'required: letters, digits, ".", "_" and "-"' });
  if (bp.version !== undefined && (typeof bp.version !== 'string' || !SEMVER.test(bp.version)))
    issues.push({ path: 'version', message: "Invalid 'version', must use Semantic Versioning" });
  if (bp.description !== undefined && typeof bp.description !== 'string')
    issues.push({ path: 'description', message: 'must be a string' });
  for (const list of ['packages', 'modules'] as const) {
    const value = bp[list];
    if (value === undefined) continue;
    if (!Array.isArray(value)) {
      issues.push({ path: list, message: 'must be an array of tables' });
      continue;
    }
    value.forEach((p, i) => {
      if (!isObject(p) || typeof p.name !== 'string' || p.name === '')
        issues.push({
          path: `${list}[${i}]`,
          message: `All package entries need to contain the name of the package. Entry #${i} has no name.`,
        });
      else if (p.version !== undefined && typeof p.version !== 'string')
        issues.push({ path: `${list}[${i}].version`, message: 'must be a string glob' });
    });
  }
  const c = bp.customizations;
  if (c === undefined) return issues;
  if (!isObject(c)) return [...issues, { path: 'customizations', message: 'must be a table' }];
  for (const key of Object.keys(c))
    if (!CUSTOMIZATIONS.has(key)) issues.push({ path: `customizations.${key}`, message: 'not supported' });
  if (c.services !== undefined) {
    const s = c.services;
    if (!isObject(s)) issues.push({ path: 'customizations.services', message: 'must be a table' });
    else
      for (const [k, v] of Object.entries(s))
        if (!['enabled', 'disabled', 'masked'].includes(k) || !isStringArray(v))
          issues.push({
            path: `customizations.services.${k}`,
            message: 'expected enabled, disabled or masked: lists of unit names',
          });
  }
  if (c.firewall !== undefined) {
    const f = c.firewall;
    if (!isObject(f)) issues.push({ path: 'customizations.firewall', message: 'must be a table' });
    else {
      if (
        f.ports !== undefined &&
        (!isStringArray(f.ports) || !f.ports.every((p) => /^[0-9a-z-]+(-[0-9]+)?:(tcp|udp|any)$/.test(p)))
      )
        issues.push({ path: 'customizations.firewall.ports', message: 'expected "port:protocol" strings' });
      if (
        f.services !== undefined &&
        (!isObject(f.services) ||
          !Object.entries(f.services).every(([k, v]) => ['enabled', 'disabled'].includes(k) && isStringArray(v)))
      )
        issues.push({ path: 'customizations.firewall.services', message: 'expected enabled and disabled lists' });
    }
  }
  if (c.directories !== undefined) checkNodes('directories', c.directories, issues);
  if (c.files !== undefined) checkNodes('files', c.files, issues);
  return issues;
}
