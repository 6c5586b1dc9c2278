// Small helpers of the fake cluster: API timestamps, generated names, Go durations and the
// printing conventions of oc (kubectl's JSON printer, its tables and ages).
import { randomInt } from 'node:crypto';

// metav1.Time marshals as RFC3339 in UTC, whole seconds.
export const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

// k8s.io/apimachinery/pkg/util/rand: the alphabet of generateName suffixes (csr-xxxxx,
// node-debug-xxxxx), without vowels and confusable characters.
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
export const randSuffix = (n = 5) => Array.from({ length: n }, () => ALPHANUMS[randomInt(ALPHANUMS.length)]).join('');

// Go's time.ParseDuration for what oc's flags take ("5m", "1h30m", "500ms", "10s").
const UNITS = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
export function parseGoDuration(text) {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let ms = 0;
  let m;
  let end = 0;
  while ((m = re.exec(text))) {
    ms += Number(m[1]) * UNITS[m[2]];
    end = re.lastIndex;
  }
  if (end === 0 || end !== text.length) throw new Error(`time: invalid duration "${text}"`);
  return ms;
}

// Go's time.Duration.String() for whole seconds and up ("0s", "10s", "5m0s", "1h0m0s").
export function formatGoDuration(ms) {
  let s = Math.round(ms / 1000);
  if (s === 0) return '0s';
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

// k8s.io/apimachinery/pkg/util/duration.HumanDuration: the AGE and SINCE columns.
export function humanDuration(ms) {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${days / 365}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

// Go's encoding/json escapes <, > and & (and U+2028/9) in strings; kubectl prints objects read
// as unstructured maps, so keys come out sorted.
function goEscape(text) {
  return text
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
const sortKeys = (_k, v) =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, v[k]]),
      )
    : v;
// kubectl's JSONPrinter: json.MarshalIndent(obj, "", "    ") and a newline.
export const printJson = (obj) => `${goEscape(JSON.stringify(obj, sortKeys, 4))}\n`;
// json.Marshal, as the jsonpath printer uses for maps and slices.
export const compactJson = (obj) => goEscape(JSON.stringify(obj, sortKeys));

// kubectl's table printer: a tabwriter with three spaces of padding between columns.
export function table(headers, rows, noHeaders = false) {
  const all = noHeaders ? rows : [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  return all
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? String(cell) : String(cell).padEnd(widths[i] + 3)))
        .join('')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

// Tests scale the cluster's slow clocks (wait-for-stable-cluster's periods, the installer's
// 30 s operator stability threshold, oc debug's pod wait) down by this factor.
export function timeScale() {
  const n = Number(process.env.FYR_DOUBLE_TIME_SCALE ?? '1');
  return Number.isFinite(n) && n > 0 ? n : 1;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
