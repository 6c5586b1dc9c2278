#!/usr/bin/env bash
# The programs fyr runs, installed into the container image (the Containerfile RUNs this) or on
# any Debian or RHEL machine that has Node.js >= 20: only those missing, then each checked on PATH.
# --clean: remove the package lists afterwards (an image layer keeps no apt or dnf cache).
# oc and oc-mirror come from no distribution (mirror.openshift.com's client tarballs): only
# `fyr content` runs them, and docs/install.md says how to add them.
set -euo pipefail

NODE_MAJOR_MIN=20
# "command debian-package rhel-package", one a line.
PROGRAMS=(
  "xorriso xorriso xorriso"
  "osirrox xorriso xorriso"
  "mcopy mtools mtools"
  "mdir mtools mtools"
  "mtype mtools mtools"
  "checkisomd5 isomd5sum isomd5sum"
  "implantisomd5 isomd5sum isomd5sum"
  "gpg gnupg gnupg2"
  "skopeo skopeo skopeo"
  "docker-registry docker-registry docker-distribution"
  "lsblk util-linux util-linux"
  "blockdev util-linux util-linux"
  "openssl openssl openssl"
)
# Files fyr reads, as "path debian-package rhel-package": the CA bundle for fyr content's downloads.
FILES=(
  "/etc/ssl/certs/ca-certificates.crt ca-certificates ca-certificates"
)

clean=0
for arg in "$@"; do
  case "$arg" in
    --clean) clean=1 ;;
    *) echo "container-install: unknown argument $arg (only --clean)" >&2; exit 2 ;;
  esac
done

# RHEL's distribution registry is /usr/bin/registry; fyr looks for both names.
has() { command -v "$1" >/dev/null 2>&1 || { [ "$1" = docker-registry ] && command -v registry >/dev/null 2>&1; }; }

if command -v apt-get >/dev/null 2>&1; then
  family=debian
elif command -v dnf >/dev/null 2>&1; then
  family=rhel
else
  echo "container-install: neither apt-get nor dnf is here; install by hand: ${PROGRAMS[*]}" >&2
  exit 1
fi

node_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  node -p 'process.versions.node.split(".")[0]'
}

missing=()
for entry in "${PROGRAMS[@]}"; do
  read -r cmd deb rpm <<<"$entry"
  has "$cmd" && continue
  if [ "$family" = rhel ]; then missing+=("$rpm"); else missing+=("$deb"); fi
done
for entry in "${FILES[@]}"; do
  read -r path deb rpm <<<"$entry"
  [ -e "$path" ] && continue
  if [ "$family" = rhel ]; then missing+=("$rpm"); else missing+=("$deb"); fi
done
if [ "$(node_major)" -lt "$NODE_MAJOR_MIN" ]; then
  # Debian 13 and RHEL 10 carry Node.js >= 20; RHEL 9 as a module stream. Debian 12's is 18:
  # start from an image with Node.js 20 (the Containerfile's node:20-bookworm-slim).
  if [ "$family" = rhel ]; then dnf module -y -q enable nodejs:22 >/dev/null 2>&1 || true; fi
  missing+=(nodejs npm)
fi

if [ "${#missing[@]}" -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "container-install: installing ${missing[*]}"
  if [ "$family" = debian ]; then
    apt-get update -qq
    # NOTE: docker-registry's package starts its daemon where an init system runs; policy-rc.d
    # (exit 101) forbids that, unless the machine already has one.
    policy=/usr/sbin/policy-rc.d added=0
    if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added=1; fi
    status=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" || status=$?
    if [ "$added" -eq 1 ]; then rm -f "$policy"; fi
    [ "$status" -eq 0 ] || exit "$status"
    if [ "$clean" -eq 1 ]; then apt-get clean && rm -rf /var/lib/apt/lists/*; fi
  else
    dnf install -y -q "${missing[@]}"
    if [ "$clean" -eq 1 ]; then dnf clean all; fi
  fi
fi

# Every program fyr runs is here now, or the install failed.
absent=()
for entry in "${PROGRAMS[@]}"; do
  read -r cmd _ <<<"$entry"
  has "$cmd" || absent+=("$cmd")
done
for entry in "${FILES[@]}"; do
  read -r path _ <<<"$entry"
  [ -e "$path" ] || absent+=("$path")
done
if [ "$(node_major)" -lt "$NODE_MAJOR_MIN" ]; then absent+=("node >= $NODE_MAJOR_MIN (found $(node --version 2>/dev/null || echo none))"); fi
if [ "${#absent[@]}" -gt 0 ]; then
  echo "container-install: still missing after the install: ${absent[*]}" >&2
  exit 1
fi
echo "container-install: ok (node $(node --version); ${#PROGRAMS[@]} programs)"
