// The operator packages fyr content mirrors: --operator NAME[:CHANNEL] (repeatable) and
// --operators FILE, a YAML file with the site file's `operators` list; a file that also gives
// `storage.type` (a site file) adds that storage type's packages, and a site file that names
// none adds those of the type the site gets by default, so `--operators site.yaml` mirrors what
// the site needs. Names and channels are checked with the site schema's own patterns; every
// problem is one line of one OPERATOR_INVALID error.
import { FyrError } from '../errors.js';
import type { OperatorRequest } from '../formats/operator-catalog.js';
import { operators as operatorsSchema } from '../site/schema-storage.js';
import { loadYamlFile, UnreadableFileError } from '../site/source.js';
import { formatPath, type PathSegment } from '../site/path.js';
import {
  defaultStorageType,
  nodeStorageDevices,
  runsWorkloads,
  STORAGE_PACKAGES,
  type NodeRole,
  type StorageType,
} from '../site/storage.js';

const NAME = operatorsSchema.items.properties.name;
const CHANNEL = operatorsSchema.items.properties.channel;
const NAME_RE = new RegExp(NAME.pattern);
const CHANNEL_RE = new RegExp(CHANNEL.pattern);
const STORAGE_TYPES = Object.keys(STORAGE_PACKAGES) as StorageType[];

// What is wrong with a name or channel, in words; undefined when it is fine.
function nameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || !NAME_RE.test(name))
    return `${JSON.stringify(name)} is not an operator package name (expected ${NAME['x-expected']})`;
  return undefined;
}
function channelProblem(channel: unknown): string | undefined {
  if (typeof channel !== 'string' || !CHANNEL_RE.test(channel))
    return `${JSON.stringify(channel)} is not a channel name (expected ${CHANNEL['x-expected']})`;
  return undefined;
}

// One --operator value: NAME or NAME:CHANNEL.
export function parseOperatorArg(value: string): OperatorRequest | string {
  const at = value.indexOf(':');
  const name = at < 0 ? value : value.slice(0, at);
  const channel = at < 0 ? undefined : value.slice(at + 1);
  const bad = nameProblem(name) ?? (channel === undefined ? undefined : channelProblem(channel));
  if (bad) return `--operator ${value}: ${bad}`;
  return channel === undefined ? { name } : { name, channel };
}

// The storage type a file asks for: storage.type, else (a site file, with nodes) the type the
// site gets by default (site/storage.ts), else none.
function fileStorageType(data: Record<string, unknown>): StorageType | undefined {
  const storage = data.storage as { type?: unknown; devices?: unknown } | undefined;
  if (typeof storage?.type === 'string') return storage.type as StorageType;
  if (!Array.isArray(data.nodes) || data.nodes.length === 0) return undefined;
  const nodes = (data.nodes as Array<{ role?: unknown; storageDevices?: unknown }>).map((n) => ({
    role: (n?.role === 'worker' ? 'worker' : 'control-plane') as NodeRole,
    ...(Array.isArray(n?.storageDevices) ? { storageDevices: n.storageDevices as string[] } : {}),
  }));
  const siteDevices = Array.isArray(storage?.devices) ? (storage.devices as string[]) : [];
  const hasWorkers = nodes.some((n) => n.role === 'worker');
  const withDevices = nodes.filter(
    (n) => runsWorkloads(n.role, hasWorkers) && nodeStorageDevices(n, siteDevices, hasWorkers).length > 0,
  ).length;
  return defaultStorageType(nodes.length, withDevices);
}

// --operators FILE: its requests, or the problems, each "FILE:LINE:COL: path: message".
export async function readOperatorsFile(file: string): Promise<{ requests: OperatorRequest[]; problems: string[] }> {
  let loaded;
  try {
    loaded = await loadYamlFile(file, file);
  } catch (err) {
    const why = err instanceof UnreadableFileError ? err.message : String(err);
    return { requests: [], problems: [`--operators ${file}: cannot read it (${why})`] };
  }
  if (!loaded.ok)
    return {
      requests: [],
      problems: loaded.problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`),
    };
  const source = loaded.source;
  const problems: string[] = [];
  const problem = (path: PathSegment[], message: string) => {
    const { line, col } = source.locate(path);
    problems.push(`${file}:${line}:${col}: ${path.length > 0 ? `${formatPath(path)}: ` : ''}${message}`);
  };
  const data = source.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    problem([], 'expected a YAML mapping with an `operators` list (or a site file)');
    return { requests: [], problems };
  }
  const doc = data as Record<string, unknown>;
  const requests: OperatorRequest[] = [];
  const given = (doc.storage as { type?: unknown } | undefined)?.type;
  if (given !== undefined && !STORAGE_TYPES.includes(given as StorageType))
    problem(
      ['storage', 'type'],
      `${JSON.stringify(given)} is not a storage type (expected ${STORAGE_TYPES.join(', ')})`,
    );
  else {
    const type = fileStorageType(doc);
    for (const name of type ? STORAGE_PACKAGES[type] : []) requests.push({ name });
  }
  const list = doc.operators;
  if (list !== undefined && !Array.isArray(list)) problem(['operators'], 'expected a list of {name, channel}');
  for (const [i, entry] of (Array.isArray(list) ? list : []).entries()) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problem(['operators', i], 'expected {name, channel} (channel optional)');
      continue;
    }
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e).filter((k) => k !== 'name' && k !== 'channel'))
      problem(['operators', i, key], `unknown field "${key}" (expected name and channel)`);
    const badName = nameProblem(e.name);
    if (badName) problem(['operators', i, 'name'], badName);
    const badChannel = e.channel === undefined ? undefined : channelProblem(e.channel);
    if (badChannel) problem(['operators', i, 'channel'], badChannel);
    if (!badName && !badChannel)
      requests.push(
        e.channel === undefined ? { name: e.name as string } : { name: e.name as string, channel: e.channel as string },
      );
  }
  if (list === undefined && given === undefined && !Array.isArray(doc.nodes))
    problem([], 'has no `operators` list and no `storage.type`: nothing to mirror');
  return { requests, problems };
}

// Every package asked for, once, in the order first asked: a package named with a channel
// and without keeps the channel; two different channels of one package are a problem (a
// catalog pins one head per package here).
export function mergeRequests(lists: ReadonlyArray<readonly OperatorRequest[]>): {
  requests: OperatorRequest[];
  problems: string[];
} {
  const byName = new Map<string, OperatorRequest>();
  const problems: string[] = [];
  for (const r of lists.flat()) {
    const seen = byName.get(r.name);
    if (!seen) byName.set(r.name, { ...r });
    else if (r.channel && seen.channel && r.channel !== seen.channel)
      problems.push(`${r.name} is asked for on two channels, ${seen.channel} and ${r.channel}: give one`);
    else if (r.channel) seen.channel = r.channel;
  }
  return { requests: [...byName.values()], problems };
}

// The packages fyr content mirrors, from its options; OPERATOR_INVALID lists every problem.
export async function operatorRequests(o: {
  operator: readonly string[];
  files: readonly string[];
}): Promise<OperatorRequest[]> {
  const problems: string[] = [];
  const lists: OperatorRequest[][] = [];
  const fromArgs: OperatorRequest[] = [];
  for (const value of o.operator) {
    const r = parseOperatorArg(value);
    if (typeof r === 'string') problems.push(r);
    else fromArgs.push(r);
  }
  lists.push(fromArgs);
  for (const file of o.files) {
    const read = await readOperatorsFile(file);
    problems.push(...read.problems);
    lists.push(read.requests);
  }
  const merged = mergeRequests(lists);
  problems.push(...merged.problems);
  if (problems.length === 1) throw new FyrError('OPERATOR_INVALID', problems[0]!);
  if (problems.length > 1)
    throw new FyrError('OPERATOR_INVALID', `${problems.length} problems with the operators to mirror`, {
      details: problems,
    });
  return merged.requests;
}
