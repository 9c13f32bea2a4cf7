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
  # pip compiles every package's .py to .pyc one file after another (minutes on a first start: Babel, PyThaiNLP,
  # Pillow…); compileall does the same on every CPU at once. -qq: a package's deliberately broken test file is not
  # an error, as pip does not treat it as one either.
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-compile -r "$REQS"
  .venv/bin/python -m compileall -qq -j 0 "$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" || true
  touch "$stamp"
fi
export PATH="$ROOT/.venv/bin:$PATH"
