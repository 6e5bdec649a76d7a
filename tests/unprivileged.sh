#!/usr/bin/env bash
# `make grading-unprivileged`: the hostile battery again, with the grader run by an
# unprivileged user, as on a TA's laptop (the sandbox must hold there too). As root (CI)
# it runs as the system user rnn-course-ta, created if missing.
set -euo pipefail
PY=$1
BATTERY=(-m pytest -p no:cacheprovider -q tests/test_hostile.py)
if [ "$(id -u)" != 0 ]; then
    exec "$PY" "${BATTERY[@]}"
fi
TA=rnn-course-ta
id -u "$TA" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$TA"
if ! runuser -u "$TA" -- "$PY" -c "" 2>/dev/null; then
    echo "grading-unprivileged: user $TA cannot run $PY: a folder above it is closed to other" \
         "users (for a Python under /root: chmod o+x /root, as .ci/run does)" >&2
    exit 1
fi
home=$(mktemp -d)
chown "$TA" "$home"
trap 'rm -rf "$home"' EXIT
runuser -u "$TA" -- env -i PATH="$(dirname "$PY"):/usr/bin:/bin" HOME="$home" TMPDIR="$home" \
    LANG=C.UTF-8 "$PY" "${BATTERY[@]}"
