#!/bin/sh
# Installs what `deno task report` needs (Debian/Ubuntu, as root), only what is missing:
#   jupyter-nbconvert + jupyter-client for the system python (/usr/bin/python3), and
#   with --browser, chromium for tests/e2e/report-browser_test.ts.
# Safe to run again: it checks before installing.
#
#   sh scripts/setup-jupyter.sh            # Jupyter only
#   sh scripts/setup-jupyter.sh --browser  # Jupyter + chromium
set -eu

updated=""
apt_install() {
  if [ "$(id -u)" != "0" ]; then
    echo "setup-jupyter: need root to install $*; run: sudo apt-get install -y --no-install-recommends $*" >&2
    exit 1
  fi
  if [ -z "$updated" ]; then
    apt-get update
    updated=yes
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

setup_jupyter() {
  if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import nbclient, nbconvert, jupyter_client" 2>/dev/null; then
    echo "setup-jupyter: nbclient + nbconvert already installed for /usr/bin/python3"
  else
    apt_install python3 jupyter-nbconvert jupyter-client
  fi
}

setup_browser() {
  if [ -x /usr/bin/chromium ]; then
    echo "setup-jupyter: /usr/bin/chromium already installed"
  else
    apt_install chromium
  fi
}

setup_jupyter
case "${1:-}" in
  --browser) setup_browser ;;
  "") ;;
  *) echo "usage: sh scripts/setup-jupyter.sh [--browser]" >&2; exit 2 ;;
esac

# The kernel is repo-local (.jupyter/kernels/deno/kernel.json); nothing to install for Deno.
echo "setup-jupyter: ready (run: deno task report)"
