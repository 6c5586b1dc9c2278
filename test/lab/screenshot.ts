// A screenshot of the agent's status page in Debian's headless Chromium, run in the bastion's
// namespace (the page listens on the LAN address there). The flags keep Chromium off the
// network it is not allowed to reach (no component updates, no background requests).
import { mkdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';

export const CHROMIUM = '/usr/bin/chromium';

// The browser window, in CSS pixels: the picture is this size.
export interface WindowSize {
  width: number;
  height: number;
}
export const LAB_WINDOW: WindowSize = { width: 1100, height: 900 };

export function chromiumArgs(profile: string, url: string, file: string, size: WindowSize = LAB_WINDOW): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
    `--window-size=${size.width},${size.height}`,
    `--screenshot=${file}`,
    url,
  ];
}

// Whether the page answered and the picture was written (the agent may be restarting).
// ns: the namespace the page is reachable from (undefined: this one).
export async function screenshot(
  ns: string | undefined,
  url: string,
  file: string,
  size: WindowSize = LAB_WINDOW,
): Promise<boolean> {
  await mkdir(dirname(file), { recursive: true });
  const inNs = (argv: string[]): [string, string[]] =>
    ns ? ['ip', ['netns', 'exec', ns, ...argv]] : [argv[0]!, argv.slice(1)];
  const up = await execa(...inNs(['curl', '-sf', '-o', '/dev/null', '--max-time', '2', url]), { reject: false });
  if (up.exitCode !== 0) return false;
  // One profile per picture, so pictures can be taken side by side.
  const profile = join(dirname(file), `.chromium-${process.pid}-${basename(file)}`);
  try {
    await execa(...inNs([CHROMIUM, ...chromiumArgs(profile, url, file, size)]), { timeout: 60_000 });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
  return stat(file).then(
    (s) => s.size > 0,
    () => false,
  );
}
