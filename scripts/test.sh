#!/usr/bin/env bash
# Runs the whole suite on SQLite, then on PostgreSQL when one answers, then the task tests on RQ.
#   DATABASE_URL              PostgreSQL to test against (default postgres://postgres@127.0.0.1:5432/test)
#   SENTINELLE_REQUIRE_POSTGRES=1   fail (not skip) when PostgreSQL does not answer (CI sets it)
#   SENTINELLE_REQUIRE_BROWSER=1    fail (not skip) when Chromium is absent (CI sets it)
#   SENTINELLE_REQUIRE_COMPILED=1   fail when linkkit's compiled build is not in use (CI sets it)
#   SENTINELLE_REQUIRE_REDIS=1      fail (not skip) when Redis does not answer at 127.0.0.1:6379 (CI sets it)
#   PYTEST_ARGS               extra arguments for pytest
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
PG_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
read -r -a EXTRA <<< "${PYTEST_ARGS:-}"

if [ ! -x "${SENTINELLE_CHROMIUM:-/usr/bin/chromium}" ]; then
  if [ "${SENTINELLE_REQUIRE_BROWSER:-0}" = "1" ]; then
    echo "ERROR: Chromium is required (SENTINELLE_REQUIRE_BROWSER=1) but ${SENTINELLE_CHROMIUM:-/usr/bin/chromium} is absent." >&2
    exit 1
  fi
  printf '\n%s\n%s\n%s\n\n' \
    "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" \
    "!!  Chromium is absent: the BROWSER TESTS WILL BE SKIPPED.               !!" \
    "!!  Install it with: apt-get install -y chromium   (CI always runs them) !!" >&2
fi

IMPLEMENTATION=$("$BIN/python" -c 'import sentinelle.linkkit as k; print(k.implementation())')
echo "linkkit: $IMPLEMENTATION"
if [ "$IMPLEMENTATION" != "compiled" ]; then
  if [ "${SENTINELLE_REQUIRE_COMPILED:-0}" = "1" ]; then
    echo "ERROR: linkkit's compiled build is required (SENTINELLE_REQUIRE_COMPILED=1): run make build." >&2
    exit 1
  fi
  echo "!!! linkkit is not compiled: the suite tests its Python sources only. !!!" >&2
fi

# A real SQLite file (WAL, as the product runs) rather than an in-memory one, so that tests
# which race threads against each other see the same locking as production.
SQLITE_DIR=$(mktemp -d)
trap 'rm -rf "$SQLITE_DIR"' EXIT
echo "=== Test suite on SQLite ==="
env -u DATABASE_URL SENTINELLE_TEST_SQLITE_NAME="$SQLITE_DIR/test.sqlite3" "$BIN/pytest" "${EXTRA[@]}"

pg_answers() {
  "$BIN/python" - "$PG_URL" <<'PY'
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
except Exception as exc:  # noqa: BLE001 - any failure means "does not answer"
    print(f"PostgreSQL at {sys.argv[1]} does not answer: {exc}", file=sys.stderr)
    sys.exit(1)
PY
}

if pg_answers; then
  echo "=== Test suite on PostgreSQL ($PG_URL) ==="
  DATABASE_URL="$PG_URL" "$BIN/pytest" "${EXTRA[@]}"
elif [ "${SENTINELLE_REQUIRE_POSTGRES:-0}" = "1" ]; then
  echo "ERROR: PostgreSQL is required (SENTINELLE_REQUIRE_POSTGRES=1) but does not answer." >&2
  exit 1
else
  echo "!!! PostgreSQL does not answer: the PostgreSQL run was SKIPPED. !!!" >&2
fi

# The task tests once more on the RQ backend (django-tasks-rq) against the real Redis: the suites
# above ran them on the database backend. PostgreSQL when it answers, as production pairs them.
echo "=== The task tests on the RQ backend (Redis) ==="
if pg_answers 2>/dev/null; then
  DATABASE_URL="$PG_URL" SENTINELLE_TASK_BACKEND=rq "$BIN/pytest" tests/test_tasks.py -m tasks "${EXTRA[@]}"
else
  env -u DATABASE_URL SENTINELLE_TEST_SQLITE_NAME="$SQLITE_DIR/rq.sqlite3" SENTINELLE_TASK_BACKEND=rq \
    "$BIN/pytest" tests/test_tasks.py -m tasks "${EXTRA[@]}"
fi

# The suites above ran linkkit's compiled build (when there is one); its sources must give the
# same answers, so linkkit's own tests run on them too.
if [ "$IMPLEMENTATION" = "compiled" ]; then
  echo "=== linkkit's tests on its Python sources ==="
  SENTINELLE_LINKKIT_PURE=1 "$BIN/pytest" tests/linkkit "${EXTRA[@]}"
fi
