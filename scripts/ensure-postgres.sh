#!/usr/bin/env bash
# Make sure the local PostgreSQL server used by the storage tests is up; fail loudly if it cannot be.
set -euo pipefail
url="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}"
if pg_isready -q -d "$url" 2>/dev/null; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  echo "starting PostgreSQL…"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
for _ in $(seq 1 30); do
  if pg_isready -q -d "$url" 2>/dev/null; then exit 0; fi
  sleep 1
done
echo "PostgreSQL is not reachable at $url — the storage tests need it" >&2
exit 1
