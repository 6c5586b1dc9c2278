// fyr-agent --help: every subcommand and option, as main.ts parses them.
export const HELP = `fyr-agent: provisions a fyr site from its bastion, resumably.

Usage:
  fyr-agent [run] [options]     run (or resume) the phases until the cluster is installed,
                                then keep the site: health looks, the site's own CSRs
                                approved, etcd backups on the bastion
  fyr-agent status [--json]     print the phases, every node's progress and the last error;
                                once installed, the cluster's health and what to do next
  fyr-agent unlock              give the waiting agent the site's unlock code (asked for
                                without echo on a terminal, else read from stdin)
  fyr-agent backup              take an etcd backup now (the running keeper takes it; this
                                waits and prints its progress)
  fyr-agent backups [--json]    list the etcd backups kept on the bastion
  fyr-agent shutdown [--for D] [--force] [--bastion]
                                shut the whole site down in the documented order: refuses
                                when the cluster's certificates would expire within the
                                outage D (default 30d) unless --force; cordon, drain the
                                workers, each node shut down from inside and confirmed off
                                through its BMC (a hard power-off only after a timeout);
                                --bastion powers the bastion off last
  fyr-agent power-on            power the site on: control planes first (from disk), the
                                API, their CSRs, then the workers, uncordon, until stable;
                                done by itself at boot after a shutdown (keeper.powerOn)
  fyr-agent apply [--site-iso FILE | --bundle DIR] [--yes] [--json]
                                check the edited site (from the stick, a site ISO or an
                                unpacked site area) and print its plan (--json: as JSON);
                                --yes applies it
  fyr-agent upgrade [--media DIR] [--yes] [--json]
                                find the attached upgrade stick (or read the one mounted
                                at DIR), check it (every file, its path from the running
                                version) and print the plan; --yes
                                takes an etcd backup, merges its registry tree, and moves
                                the cluster hop by hop (oc adm upgrade, by digest)

Options:
  --root DIR              prefix of every bastion path (default /)
  --site FILE             site file written by fyr render (default ROOT/etc/fyr/site.json)
  --state DIR             state directory (default ROOT/var/lib/fyr)
  --media DIR             the install media's files (default: mount the media by its label);
                          upgrade: where the upgrade stick is mounted (default: the
                          attached ISO whose release.json has a path from the running
                          version, mounted read-only under ROOT/run/fyr/media/)
  --services KIND         systemd (default) or supervisor:FILE (a JSON file naming each
                          daemon's command line; for machines without systemd, e.g. tests)
  --status-listen ADDR    host:port of the status page, or "off" (default LAN address:8090)
  --power-parallel N      nodes powered on at once (default 3)
  --poll-ms N             how often the logs are read while watching nodes (default 5000)
  --watch-timeout-min N   how long nodes may take from power-on to ignition (default 120)
  --exit-when-installed   stop once installed instead of keeping the site
  --health-every-s N      keeper: look at the cluster every N seconds (default: the site's
                          keeper.healthEvery, 5m)
  --backup-every-s N      keeper: an etcd backup every N seconds (default: the site's
                          backups.every, 6h; shorter only for labs and tests)
  --first-backup-after-s N  keeper: the first backup N seconds after the install (default
                          86400: the bootstrap certificates rotate in the first 24 h)
  --power-off-timeout-s N  shutdown: a node's BMC cuts its power N s after it was told to
                          shut down and is still on (default 600)
  --node-back-timeout-s N  power-on: how long the API and each node may take (default 1800)
  --stable-period-s N     power-on: the quiet time the cluster must hold (default 300)
  --json                  status: print JSON (the same as GET /api/status)
  --site-iso FILE         apply: the site ISO (a file or the stick's device)
  --bundle DIR            apply: the unpacked site area (tar -xf site.tar -C DIR)
  --yes                   apply: apply the plan (without it nothing is changed)
  --unlock-code-file FILE apply: the unlock code of a sealed site (else asked for)
  -h, --help              this help
  --version               the agent's version

A sealed site waits in the locked phase for its unlock code: typed at the bastion's console
(the system's password prompt) or sent over SSH with fyr-agent unlock. Once unlocked it is
not asked for again.

Once installed the agent stays up as the site's keeper (same unit, same state file). Day-2
operations run one at a time, each journalled in the state file: killed anywhere, the next
start finishes it without repeating a step. Backups are kept in STATE/backups/<id>/ (0700);
docs/day2.md says how to restore from one.

On a failure the agent records the phase, the reason and the command in its state file,
keeps serving the status page, and resumes from that phase when started again
(systemctl restart fyr-agent). Exit codes: 0 done, 1 failed, 2 usage, 3 bad input files.
`;
