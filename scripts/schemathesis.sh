#!/usr/bin/env bash
# Property-based API testing with schemathesis against openapi.yaml on a running twofa:
# every endpoint, the authenticated ones through a bearer token; findings are any 5xx and any
# response outside the documented schema (status, content type, body, headers). Exits non-zero
# on findings. Bounded to about three minutes (ST_MAX_EXAMPLES per operation, ST_TIME_LIMIT).
#
# Env: TWOFA_TEST_BIN (server binary; default: build twofa-api with test-clock, the same binary
# the black-box tests use), ST_VENV (default /var/cache/twofa/venv), ST_MAX_EXAMPLES (default 40),
# ST_TIME_LIMIT (seconds, default 180).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${ST_VENV:-/var/cache/twofa/venv}"
max_examples="${ST_MAX_EXAMPLES:-40}"
time_limit="${ST_TIME_LIMIT:-180}"

if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet schemathesis
fi

bin="${TWOFA_TEST_BIN:-}"
if [ -z "$bin" ]; then
  (cd "$root" && cargo build --quiet -p twofa-api --features test-clock)
  bin=/var/cache/twofa/target/debug/twofa
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Throttles raised: schemathesis sends thousands of requests from one address, and a 429 would
# hide what the endpoint behind it does.
TWOFA_BIND=127.0.0.1:0 TWOFA_DATA_DIR="$work" TWOFA_LOG=warn \
  TWOFA_IP_FAILURE_LIMIT=1000000 TWOFA_ACCOUNT_FAILURE_LIMIT=1000000 TWOFA_LOGIN_FAILURE_LIMIT=1000000 TWOFA_LOGIN_IP_FAILURE_LIMIT=1000000 \
  "$bin" serve >"$work/stdout" 2>"$work/server.log" &
server_pid=$!
base=""
for _ in $(seq 1 120); do
  base="$(sed -n 's/^twofa listening on //p' "$work/stdout")"
  [ -n "$base" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; echo "twofa exited at start" >&2; exit 1; }
  sleep 0.5
done
[ -n "$base" ] || { echo "twofa did not start" >&2; exit 1; }

post() { curl -sS -X POST -H 'Content-Type: application/json' -d "$2" "$base$1"; }
password="schemathesis correct horse 42"
post /api/setup "{\"username\":\"st-admin\",\"password\":\"$password\"}" >/dev/null
token="$(post /api/login "{\"username\":\"st-admin\",\"password\":\"$password\",\"token\":true}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
[ -n "$token" ] || { echo "no bearer token from /api/login" >&2; exit 1; }

# /api/logout would end the token and leave every later call at 401; it has its own tests.
status=0
# schemathesis keeps state in ./.schemathesis; keep it out of the repository.
cd "$work"
timeout --signal=INT "$time_limit" "$venv/bin/schemathesis" run "$root/openapi.yaml" \
  --url "$base" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --exclude-path /api/logout \
  --max-examples "$max_examples" \
  --workers 1 \
  --suppress-health-check all \
  --no-color || status=$?

# actix's HTTP/1 parser logs malformed requests at ERROR and answers 400; that is not a fault.
errors="$(grep ' ERROR \| panicked' "$work/server.log" | grep -v 'actix_http::h1::dispatcher' || true)"
if [ -n "$errors" ]; then
  echo "--- server errors during the run ---"
  echo "$errors" | head -50
  status=1
fi
if [ "$status" -eq 124 ] || [ "$status" -eq 130 ]; then
  echo "schemathesis hit the ${time_limit}s limit before finishing" >&2
fi
exit "$status"
