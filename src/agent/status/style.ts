// The page's look: its stylesheet (light and dark, wide and narrow), and the pieces of markup
// both halves of the page build from: escaping, the badges, the cards, the links.
import type { Level } from './keeper-view.js';

// Text as HTML: every character that could open markup or end an attribute, as a reference.
export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export type Tone = Level | 'muted';
export const badge = (tone: Tone, word: string) => `<span class="badge t-${tone}">${esc(word)}</span>`;
// A link only for a web address; anything else is shown as text.
export const link = (url: string) => (/^https?:\/\//.test(url) ? `<a href="${esc(url)}">${esc(url)}</a>` : esc(url));
export const card = (title: string, body: string, extra = '') =>
  `<section class="card${extra}"><h2>${esc(title)}</h2>${body}</section>`;

// The whole stylesheet, inline in the page's head.
export const CSS = `
:root{--fg:#1f2328;--muted:#59636e;--bg:#f3f5f7;--card:#fff;--line:#d8dee4;
--ok:#1a7f37;--ok-bg:#dafbe1;--info:#0860ca;--info-bg:#ddf4ff;--warning:#8a5a00;--warning-bg:#fff4c2;
--error:#c21d2a;--error-bg:#ffebe9;--muted-bg:#eef1f4}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9da7b3;--bg:#0d1117;--card:#161b22;--line:#30363d;
--ok:#4ac26b;--ok-bg:#12261e;--info:#58a6ff;--info-bg:#121d2f;--warning:#d29922;--warning-bg:#2b2111;
--error:#ff7b72;--error-bg:#2d1619;--muted-bg:#21262d}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
.wrap{max-width:1120px;margin:0 auto;padding:0 16px}
header{background:var(--card);border-bottom:1px solid var(--line);padding:10px 0}
h1{font-size:1.2rem;margin:0;overflow-wrap:anywhere}
.meta{color:var(--muted);font-size:.85rem;margin:2px 0 0}
a{color:var(--info)}
.banner{margin:16px 0;padding:14px 18px;border:1px solid var(--tone);border-left-width:8px;border-radius:8px;background:var(--tone-bg)}
.banner h2{margin:6px 0 4px;font-size:1.35rem;line-height:1.25;overflow-wrap:anywhere}
.banner p{margin:4px 0}
.banner .lead{font-size:1.1rem}
.banner ul{margin:6px 0 0;padding-left:1.2em}
.banner li{margin:3px 0;overflow-wrap:anywhere}
.todo{font-size:1.05rem}
.t-ok{--tone:var(--ok);--tone-bg:var(--ok-bg)}.t-info{--tone:var(--info);--tone-bg:var(--info-bg)}
.t-warning{--tone:var(--warning);--tone-bg:var(--warning-bg)}.t-error{--tone:var(--error);--tone-bg:var(--error-bg)}
.t-muted{--tone:var(--muted);--tone-bg:var(--muted-bg)}
.badge{display:inline-block;padding:0 8px;border:1px solid var(--tone);border-radius:10px;background:var(--tone-bg);color:var(--tone);font-weight:700;font-size:.75rem;letter-spacing:.04em;line-height:1.6;vertical-align:1px;max-width:100%}
.grid{display:grid;gap:14px;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));margin:14px 0}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px;min-width:0}
.card h2{font-size:.78rem;text-transform:uppercase;letter-spacing:.08em;color:var(--muted);margin:0 0 8px}
.card p{margin:6px 0}
.wide{grid-column:1/-1}
.cols{display:grid;gap:14px;grid-template-columns:minmax(0,1fr);margin:14px 0}
@media (min-width:900px){.cols{grid-template-columns:minmax(0,5fr) minmax(0,6fr)}}
.stack{display:grid;gap:14px;align-content:start;min-width:0}
.nw{white-space:nowrap}
tr.sub td{border-top:0;padding-top:0}
.card.t-warning,.card.t-error{border-color:var(--tone);box-shadow:inset 4px 0 0 var(--tone)}
.big{font-size:1.15rem;font-weight:600}
.small{font-size:.85rem;color:var(--muted)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
td,th{padding:5px 8px 5px 0;text-align:left;vertical-align:top;border-top:1px solid var(--line)}
th{font-size:.78rem;color:var(--muted);font-weight:600;border-top:0}
td.num{white-space:nowrap;font-variant-numeric:tabular-nums}
tr.t-running td{background:var(--info-bg)}tr.t-failed td{background:var(--error-bg)}
.steps{display:flex;gap:2px;margin:10px 0 4px;padding:0;list-style:none}
.steps li{flex:1;height:8px;border-radius:2px;background:var(--tone)}
.steps li.t-muted{background:var(--line)}
.seen{white-space:nowrap;margin-right:6px;font-size:.85rem}.seen.no{color:var(--muted)}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:8px 0;padding:8px 10px;background:var(--card);border:1px solid var(--line);border-radius:6px;font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:0}
dt{color:var(--muted)}dd{margin:0;min-width:0;overflow-wrap:anywhere}
ul.plain{list-style:none;margin:0;padding:0}ul.plain li{padding:5px 0;border-top:1px solid var(--line);overflow-wrap:anywhere}
ul.plain li:first-child{border-top:0}
details{margin:14px 0 24px}
summary{cursor:pointer;font-weight:600;padding:8px 0}
footer{color:var(--muted);font-size:.8rem;padding:8px 0 24px}
@media (max-width:640px){body{font-size:14px}.wrap{padding:0 10px}.grid{grid-template-columns:1fr}
.banner{padding:12px}.banner h2{font-size:1.15rem}.narrow-hide{display:none}}
`;
