// A screenshot of the agent's status page in Debian's headless Chromium, run in the bastion's
// namespace (the page listens on the LAN address there). The flags keep Chromium off the
// network it is not allowed to reach (no component updates, no background requests).
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

export const CHROMIUM = '/usr/bin/chromium';

export function chromiumArgs(profile: string, url: string, file: string): string[] {
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
    '--window-size=1100,900',
    `--screenshot=${file}`,
    url,
  ];
}

export async function screenshot(ns: string, url: string, file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const profile = join(dirname(file), `.chromium-${process.pid}`);
  try {
    await execa('ip', ['netns', 'exec', ns, CHROMIUM, ...chromiumArgs(profile, url, file)], { timeout: 60_000 });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
