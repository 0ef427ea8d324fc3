#!/bin/sh
# Installs what the simulator lab (test/sim) builds from: Go and govmomi's sources,
# both as Debian packages, and the OpenLDAP server and tools the directory tests start
# (test/ldap). Needs root; otherwise says exactly what to install.
set -eu

PACKAGES="golang-go golang-github-vmware-govmomi-dev slapd ldap-utils"
GOVMOMI_SIMULATOR=/usr/share/gocode/src/github.com/vmware/govmomi/simulator

missing=""
command -v go >/dev/null 2>&1 || missing="golang-go"
[ -d "$GOVMOMI_SIMULATOR" ] || missing="$missing golang-github-vmware-govmomi-dev"
[ -x /usr/sbin/slapd ] || missing="$missing slapd"
command -v ldapsearch >/dev/null 2>&1 || missing="$missing ldap-utils"

if [ -z "$missing" ]; then
  echo "Simulator lab and test directory dependencies are installed."
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "The simulator lab and the directory tests need Debian packages:$missing" >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y $PACKAGES" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y --no-install-recommends $PACKAGES
# The tests start their own slapd on a free port; Debian's service would hold port 389.
if [ -x /etc/init.d/slapd ]; then
  /etc/init.d/slapd stop >/dev/null 2>&1 || true
  update-rc.d slapd disable >/dev/null 2>&1 || true
fi
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable --now slapd >/dev/null 2>&1 || true
fi
