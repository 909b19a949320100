#!/usr/bin/env bash
# Debian packages weaklink needs. Installs only what is missing (apt-get update first).
set -euo pipefail
packages=()
python3 -c "import venv, ensurepip" 2>/dev/null || packages+=(python3-venv)
command -v chromium >/dev/null || packages+=(chromium)          # PDF briefings and the browser tests
command -v pdftoppm >/dev/null || packages+=(poppler-utils)     # looking at PDF pages as images
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || packages+=(fonts-noto-cjk)  # Chinese, Japanese, Korean text
if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${packages[*]} (run as root, or install them with sudo apt-get install)" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"
