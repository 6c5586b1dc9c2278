// Times as the agent shows them (the status page, fyr-agent status and backups): durations a
// person reads at a glance ("3 m 12 s", "1 h 05 m", "2 d 3 h") and dates in UTC to the minute
// (the bastion's clock zone is not in the state).

const pad = (n: number) => String(n).padStart(2, '0');

// A duration in its two largest units, rounded down ("3 m 12 s", "1 h 05 m", "2 d 3 h"), the
// second left out when it is zero ("10 m", "1 d"); negative ones count as none.
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const two = (big: string, small: number, unit: string, padded: boolean) =>
    small === 0 ? big : `${big} ${padded ? pad(small) : small} ${unit}`;
  if (s < 60) return `${s} s`;
  if (s < 3600) return two(`${Math.floor(s / 60)} m`, s % 60, 's', true);
  if (s < 86400) return two(`${Math.floor(s / 3600)} h`, Math.floor((s % 3600) / 60), 'm', true);
  return two(`${Math.floor(s / 86400)} d`, Math.floor((s % 86400) / 3600), 'h', false);
}

// An ISO timestamp as "2026-11-22 00:05 UTC"; what does not parse is shown as it is.
export function formatDate(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return `${t.toISOString().slice(0, 10)} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())} UTC`;
}

// Whole seconds from one ISO timestamp to a later time (negative when it is later).
export function secondsSince(iso: string, now: Date): number {
  const t = new Date(iso).getTime();
  return Number.isNaN(t) ? 0 : Math.round((now.getTime() - t) / 1000);
}
