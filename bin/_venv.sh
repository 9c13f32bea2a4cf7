# Sourced by bin/dev and bin/test: make .venv with Python 3.11+ and install the pinned requirements when they change.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
REQS="${1:-requirements.txt}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), "Homeward needs Python 3.11 or newer"'
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-$(basename "$REQS")"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$REQS"
  touch "$stamp"
fi
export PATH="$ROOT/.venv/bin:$PATH"
