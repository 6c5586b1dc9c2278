// Manifest files as oc apply -f reads them: k8s.io/cli-runtime pkg/resource/visitor.go
// StreamVisitor over apimachinery's YAMLOrJSONDecoder (pkg/util/yaml/decoder.go: a stream of
// JSON values, or YAML documents split on "---" lines, each converted by sigs.k8s.io/yaml, that
// is go-yaml v2: YAML 1.1 scalars, timestamps kept as strings), then kubectl's validation
// (kubectl pkg/validation: apiVersion and kind set). The first error ends the stream.
import { decodeNext, JsonSyntaxError } from './gojson.mjs';

const STOP_VALIDATE = 'if you choose to ignore these errors, turn validation off with --validate=false';

// go-yaml v2's YAML 1.1 resolution without timestamps or base-60 numbers.
const goYamlTags = (tags) =>
  tags.filter((t) => t.tag !== 'tag:yaml.org,2002:timestamp' && !String(t.format ?? '').includes('TIME'));

// go-yaml v2's wording for the mistakes people make, from the yaml package's error codes.
// Scanner errors name the line of the problem; parser errors the (zero-based) line before it.
function goYamlError(err) {
  const line = err.linePos?.[0]?.line ?? 1;
  const msg = String(err.message).split(' at line ')[0];
  const scanner = (text) => `yaml: line ${line}: ${text}`;
  const parser = (text) => (line - 1 > 0 ? `yaml: line ${line - 1}: ${text}` : `yaml: ${text}`);
  if (err.code === 'BLOCK_AS_IMPLICIT_KEY' || /^Nested mappings/.test(msg))
    return scanner('mapping values are not allowed in this context');
  if (err.code === 'TAB_AS_INDENT') return scanner('found character that cannot start any token');
  if (/^Missing closing .?quote/.test(msg)) return scanner('found unexpected end of stream');
  if (/Flow map must end with a \}/.test(msg)) return parser("did not find expected ',' or '}'");
  if (/Flow sequence .*end with a \]/.test(msg)) return parser("did not find expected ',' or ']'");
  if (err.code === 'BAD_INDENT') return parser('did not find expected key');
  return scanner(msg.charAt(0).toLowerCase() + msg.slice(1));
}

// sigs.k8s.io/yaml YAMLToJSON of one document: {value} (undefined for an empty document) or
// {error} ("yaml: line N: …").
export function yamlToJson(YAML, text) {
  const docs = YAML.parseAllDocuments(text, { version: '1.1', uniqueKeys: false, customTags: goYamlTags });
  const doc = Array.isArray(docs) ? docs[0] : docs;
  if (!doc) return { value: undefined };
  if (doc.errors.length > 0) return { error: goYamlError(doc.errors[0]) };
  const value = doc.toJS({ maxAliasCount: -1 });
  // JSON has string keys only; YAML's true, 1 and null keys become "true", "1", "null".
  return { value: JSON.parse(JSON.stringify(value ?? null)) };
}

// apimachinery YAMLReader: documents separated by lines starting with "---" (a comment may
// follow; anything else is an error), each without its separator line.
function yamlDocuments(text) {
  const docs = [];
  let buffer = '';
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  for (const line of lines) {
    if (line.startsWith('---')) {
      const trimmed = line.slice(3).trim();
      if (trimmed.length > 0 && !trimmed.startsWith('#'))
        return { docs, error: `invalid Yaml document separator: ${trimmed}` };
      if (buffer.length > 0) docs.push(buffer);
      buffer = '';
      continue;
    }
    buffer += line;
  }
  if (buffer.length > 0) docs.push(buffer);
  return { docs };
}

// kubectl's client-side check before anything is sent (pkg/validation getObjectKind).
function validate(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return ['invalid object to validate'];
  const errs = [];
  const { apiVersion, kind } = value;
  if (apiVersion === undefined || apiVersion === null) errs.push('apiVersion not set');
  else if (typeof apiVersion !== 'string') errs.push("apiVersion isn't string type");
  else if (apiVersion.split('/').length > 2) errs.push(`unexpected GroupVersion string: ${apiVersion}`);
  if (kind === undefined || kind === null) errs.push('kind not set');
  else if (typeof kind !== 'string') errs.push("kind isn't string type");
  return errs;
}
// utilerrors.NewAggregate(...).Error(): one message, or "[a, b]".
const aggregate = (errs) => (errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);

// Reads one -f source (a path, or "STDIN"): {objects, error}. objects are the documents up to
// the first parse or validation error, which ends the stream as it does kubectl's.
export function readManifests(YAML, source, text) {
  const values = [];
  const finish = (error) => {
    const objects = [];
    for (const v of values) {
      if (v === null || v === undefined) continue; // empty documents and "null" are skipped
      const errs = validate(v);
      if (errs.length > 0)
        return {
          objects,
          error: `error validating "${source}": error validating data: ${aggregate(errs)}; ${STOP_VALIDATE}`,
        };
      objects.push(v);
    }
    return { objects, error: error && `error parsing ${source}: ${error}` };
  };
  const buf = Buffer.from(text);
  let rest = text;
  // A stream whose first byte past whitespace is "{" is read as JSON values first.
  if (/^\s*\{/.test(text)) {
    let pos = 0;
    for (;;) {
      const r = decodeNext(buf, pos);
      if (r.eof) return finish();
      if (r.error) {
        const err = r.error;
        // More than one JSON value: unambiguously JSON, so its error stands.
        if (values.length > 1) return finish(err.message);
        const first = err instanceof JsonSyntaxError ? `json: offset ${err.offset}: ${err.message}` : err.message;
        // Else the rest may still be YAML (eat whitespace up to the first newline).
        rest = buf
          .subarray(pos)
          .toString()
          .replace(/^[ \t\r]*\n?/, '');
        const { docs, error } = yamlDocuments(rest);
        if (docs.length === 0) return finish(error && first); // YAML sees the end: io.EOF
        const head = yamlToJson(YAML, docs[0]);
        if (head.error) return finish(first);
        values.push(head.value);
        return yamlRest(docs.slice(1), error);
      }
      values.push(JSON.parse(buf.subarray(pos, r.end).toString()));
      pos = r.end;
    }
  }
  const { docs, error } = yamlDocuments(rest);
  return yamlRest(docs, error);

  function yamlRest(docs, separatorError) {
    for (const d of docs) {
      const r = yamlToJson(YAML, d);
      if (r.error) return finish(`error converting YAML to JSON: ${r.error}`);
      values.push(r.value);
    }
    return finish(separatorError);
  }
}
