#!/usr/bin/env bash
# Debian packages weaklink needs, per make target. Installs only what is missing (apt-get update first).
#   bash scripts/system-deps.sh demo   python3-venv is required; chromium (PDF briefings), poppler-utils and
#                                      CJK fonts are optional: installed as root, else named in one warning line
#   bash scripts/system-deps.sh test   everything the test suite uses is required (the browser and PDF tests,
#                                      PostgreSQL and Java for the backend tier)
# With --check as second argument nothing is installed: it reports as for a user who is not root.
set -euo pipefail
target="${1:-test}"
mode="${2:-install}"
case "$target/$mode" in demo/install|test/install|demo/--check|test/--check) ;;
  *) echo "usage: $0 demo|test [--check]" >&2; exit 2 ;; esac
required=()
optional=()
python3 -c "import venv, ensurepip" 2>/dev/null || required+=(python3-venv)
extras=()
command -v chromium >/dev/null || extras+=(chromium)          # PDF briefings and the browser tests
command -v pdftoppm >/dev/null || extras+=(poppler-utils)     # looking at PDF pages as images
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || extras+=(fonts-noto-cjk)  # Chinese, Japanese, Korean text
if [ "$target" = test ]; then required+=("${extras[@]}"); else optional+=("${extras[@]}"); fi
if [ "$target" = test ]; then                                 # the backend tier (tests/test_backends.py)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || required+=(postgresql)
  command -v java >/dev/null || required+=(openjdk-17-jre-headless)   # Spark in local mode
fi
if [ "$(id -u)" -ne 0 ] || [ "$mode" = --check ]; then
  if [ ${#optional[@]} -gt 0 ]; then
    echo "note: optional Debian packages missing: ${optional[*]} (only PDF briefings need chromium; install with sudo apt-get install)" >&2
  fi
  if [ ${#required[@]} -gt 0 ]; then
    echo "missing Debian packages for 'make $target': ${required[*]} (run as root, or install them with sudo apt-get install)" >&2
    exit 1
  fi
  exit 0
fi
packages=("${required[@]}" "${optional[@]}")
if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"
