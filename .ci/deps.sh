#!/usr/bin/env bash
# Installs what fyr needs on a fresh Debian or RHEL machine, and only what is missing:
# Node.js >= 20 with npm, and the system programs listed below. With --node, only Node.js and
# npm (make test installs the rest while npm ci and the build run).
set -euo pipefail

NODE_MAJOR_MIN=20
# Programs the build and the tests run, as "command debian-package rhel-package".
# The daemons are only run by the tests (on loopback and in network namespaces); installing
# them must not start them, see policy-rc.d below.
PROGRAMS=(
  "git git git"
  "make make make"
  "ip iproute2 iproute"
  "named bind9 bind"
  "named-checkconf bind9utils bind"
  "dig bind9-dnsutils bind-utils"
  "dhcpd isc-dhcp-server dhcp-server"
  "dhclient isc-dhcp-client dhcp-client"
  "kea-dhcp4 kea-dhcp4-server kea"
  "systemd-creds systemd systemd"
  "haproxy haproxy haproxy"
  "chronyd chrony chrony"
  "in.tftpd tftpd-hpa tftp-server"
  "tftp tftp-hpa tftp"
  "virt-xml-validate libvirt-clients libvirt-client"
  "xmllint libxml2-utils libxml2"
  "xorriso xorriso xorriso"
  "implantisomd5 isomd5sum isomd5sum"
  "checkisomd5 isomd5sum isomd5sum"
  "isoinfo genisoimage genisoimage"
  "sgdisk gdisk gdisk"
  "mcopy mtools mtools"
  "mkfs.vfat dosfstools dosfstools"
  "grub-mkimage grub-common grub2-tools"
  "qemu-system-x86_64 qemu-system-x86 qemu-kvm"
  "cpio cpio cpio"
  "xz xz-utils xz"
  "lsblk util-linux util-linux"
  "blockdev util-linux util-linux"
  "losetup mount util-linux"
  "mkfs.ext4 e2fsprogs e2fsprogs"
  "openssl openssl openssl"
  "ipmi_sim openipmi OpenIPMI-lanserv"
  "ipmitool ipmitool ipmitool"
  "apache2 apache2-bin httpd"
  "htpasswd apache2-utils httpd-tools"
  "socat socat socat"
  "curl curl curl"
  "jose jose jose"
  "sysctl procps procps-ng"
  "unshare util-linux util-linux"
  "setsid util-linux util-linux"
  "gzip gzip gzip"
  "chromium chromium chromium"
  "docker-registry docker-registry docker-distribution"
  "skopeo skopeo skopeo"
  "gpg gnupg gnupg2"
  "etcd etcd-server etcd"
  "etcdctl etcd-client etcd"
  "podman podman podman"
  "debootstrap debootstrap debootstrap"
)
# Files the agent tests run, as "path debian-package" (not on PATH).
AGENT_FILES=(
  "/usr/libexec/tangd tang"
  "/usr/libexec/tangd-keygen tang"
)
# Files the ISO fixtures are built from and the virtual site's VMs run (Debian paths; the
# fixtures are made of Debian parts), as "path debian-package". The lab's boot loaders and
# kernel are unpacked from packages by make fixtures (apt-get download), never installed.
FILES=(
  "/usr/lib/ISOLINUX/isolinux.bin isolinux"
  "/usr/lib/ISOLINUX/isohdpfx.bin isolinux"
  "/usr/lib/syslinux/modules/bios/menu.c32 syslinux-common"
  "/usr/lib/grub/x86_64-efi/linuxefi.mod grub-efi-amd64-bin"
  "/usr/lib/grub/i386-pc/boot_hybrid.img grub-pc-bin"
  "/usr/share/OVMF/OVMF_CODE_4M.fd ovmf"
  "/usr/share/OVMF/OVMF_VARS_4M.fd ovmf"
  "/usr/lib/ipxe/qemu/efi-virtio.rom ipxe-qemu"
  "/usr/share/seabios/bios-256k.bin seabios"
  "/bin/busybox busybox-static"
)
# Daemons live in sbin, which a non-root PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi

if command -v apt-get >/dev/null 2>&1; then
  FAMILY=debian
elif command -v dnf >/dev/null 2>&1; then
  FAMILY=rhel
else
  FAMILY=unknown
fi

apt_updated=0
install_packages() {
  case "$FAMILY" in
    debian)
      if [ "$apt_updated" -eq 0 ]; then "${SUDO[@]}" apt-get update -qq; apt_updated=1; fi
      # NOTE: Debian starts a daemon when its package is installed; named, dhcpd or haproxy
      # running on this machine would take the ports the tests use. policy-rc.d (exit 101)
      # forbids that for the duration of the install, unless the machine already has one.
      local policy=/usr/sbin/policy-rc.d added=0
      if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
        "${SUDO[@]}" chmod 755 "$policy"
        added=1
      fi
      local status=0
      "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" || status=$?
      if [ "$added" -eq 1 ]; then "${SUDO[@]}" rm -f "$policy"; fi
      return "$status" ;;
    rhel)
      "${SUDO[@]}" dnf install -y -q "$@" ;;
    *)
      echo "deps: cannot install $* here: neither apt-get nor dnf was found" >&2
      exit 1 ;;
  esac
}

node_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  node -p 'process.versions.node.split(".")[0]'
}

if [ "$(node_major)" -lt "$NODE_MAJOR_MIN" ] || ! command -v npm >/dev/null 2>&1; then
  echo "deps: installing Node.js >= $NODE_MAJOR_MIN and npm"
  if [ "$FAMILY" = rhel ]; then
    # RHEL 9 AppStream carries Node 20 and 22 as module streams; RHEL 10 ships 22 by default.
    "${SUDO[@]}" dnf module -y -q enable nodejs:22 >/dev/null 2>&1 || true
  fi
  install_packages nodejs npm
  if [ "$(node_major)" -lt "$NODE_MAJOR_MIN" ]; then
    echo "deps: this system's Node.js is $(node --version 2>/dev/null || echo missing); fyr needs >= $NODE_MAJOR_MIN." >&2
    echo "deps: install Node.js $NODE_MAJOR_MIN or newer (e.g. from NodeSource or nvm) and run make again." >&2
    exit 1
  fi
fi

if [ "${1:-}" = --node ]; then exit 0; fi

missing=()
for entry in "${PROGRAMS[@]}"; do
  read -r cmd deb rpm <<<"$entry"
  if ! command -v "$cmd" >/dev/null 2>&1; then
    if [ "$FAMILY" = rhel ]; then missing+=("$rpm"); else missing+=("$deb"); fi
  fi
done
if [ "$FAMILY" = debian ]; then
  for entry in "${FILES[@]}"; do
    read -r path deb <<<"$entry"
    [ -e "$path" ] || missing+=("$deb")
  done
  for entry in "${AGENT_FILES[@]}"; do
    read -r path deb <<<"$entry"
    [ -e "$path" ] || missing+=("$deb")
  done
  # The fixture initrd needs a static busybox; Debian's plain busybox is dynamic.
  if [ -e /bin/busybox ] && ! dpkg -s busybox-static >/dev/null 2>&1; then missing+=(busybox-static); fi
fi
if [ "${#missing[@]}" -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "deps: installing ${missing[*]}"
  install_packages "${missing[@]}"
fi
echo "deps: ok (node $(node --version), npm $(npm --version 2>/dev/null))"
