// The hostile corpus in a process of its own, so its peak memory is its own: runs the ISO
// mutants, the content directories and the site files, then prints one JSON line of counts with
// the process's peak RSS. Run by corpus.test.ts, which builds the release first; alone:
// node --import tsx test/hostile/run-corpus.ts RELEASE.iso [MUTANTS]
import { contentCorpus } from './content-corpus.js';
import { isoCorpus } from './iso-corpus.js';
import { siteCorpus } from './site-corpus.js';
import { makeTmpdir, removeTmpdir } from '../helpers/tmpdir.js';

const release = process.argv[2]!;
const mutants = Number(process.argv[3] ?? 60);
const dir = await makeTmpdir();
try {
  const started = Date.now();
  const rss = () => Math.round(process.resourceUsage().maxRSS / 1024);
  const atStart = rss();
  const iso = await isoCorpus(dir, release, mutants);
  const afterIso = rss();
  const isoMs = Date.now() - started;
  const content = await contentCorpus(dir);
  const afterContent = rss();
  const site = await siteCorpus(dir);
  const peakRssMb = rss();
  console.log(
    JSON.stringify({
      iso,
      content,
      site,
      peakRssMb,
      rssSteps: [atStart, afterIso, afterContent],
      isoMs,
      ms: Date.now() - started,
    }),
  );
} finally {
  await removeTmpdir(dir);
}
