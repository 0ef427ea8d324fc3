#!/bin/sh
# Installs what the simulator lab (test/sim) builds from: Go and govmomi's sources,
# both as Debian packages. Needs root; otherwise says exactly what to install.
set -eu

PACKAGES="golang-go golang-github-vmware-govmomi-dev"
GOVMOMI_SIMULATOR=/usr/share/gocode/src/github.com/vmware/govmomi/simulator

missing=""
command -v go >/dev/null 2>&1 || missing="golang-go"
[ -d "$GOVMOMI_SIMULATOR" ] || missing="$missing golang-github-vmware-govmomi-dev"

if [ -z "$missing" ]; then
  echo "Simulator lab dependencies are installed."
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "The simulator lab needs Debian packages:$missing" >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y $PACKAGES" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y --no-install-recommends $PACKAGES
