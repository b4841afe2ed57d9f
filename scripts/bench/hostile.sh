#!/usr/bin/env bash
# Hostile-load measurement: jobs that aim their behaviour at the daemon. Each workload runs as a
# GitHub-marked job under a fresh daemon (audit mode, the shipped limits, alerts over TCP to a counting
# collector), then a second job whose profile is in kill mode makes one real violation: it must still die.
#
#   scripts/bench/hostile.sh [--seconds N] [--only a,b,c,d] [--out DIR] [--no-publish | --bin DAEMON]
#
#   a  DNS queries for unique random names under exfil.test (no rule allows it), up to 200,000
#   b  short TCP connections to registry.test:80 (allowed), up to 50,000
#   c  a fork bomb capped at 5,000 live processes, in rounds
#   d  processes with 1 MiB argvs (sh -c 'sleep 1' plus eight 128 KiB arguments), 50 at a time
#
# N (default 60) is each workload's duration. --bin measures another build of the daemon (one without the
# limits lacks their counters: "-"). The results table goes to stdout and DIR/hostile-results.md (DIR
# defaults to ./bench-out/hostile); status, collector counts, logs and reports to DIR/<workload>-*.
# Its own network: a namespace, veth and /24 named after this script's pid (never the shared lab's), with
# dnsmasq and a TCP server inside; the collector listens on 127.0.0.1. Needs root.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
# shellcheck source=scripts/deps.sh
source scripts/deps.sh
# shellcheck source=scripts/bench/daemon.sh
source scripts/bench/daemon.sh
readonly HERE=$ROOT/scripts/bench/hostile

seconds=60 only=a,b,c,d out=$ROOT/bench-out/hostile publish=1 BIN=$ROOT/$DAEMON_DIR/buildsentry
while [ $# -gt 0 ]; do
  case $1 in
    --bin) BIN=$(realpath "$2"); publish=0; shift ;;
    --seconds) seconds=$2; shift ;;
    --only) only=$2; shift ;;
    --out) out=$2; shift ;;
    --no-publish) publish=0 ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "hostile: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
log() { echo "hostile: $*" >&2; }
[ "$(id -u)" -eq 0 ] || { log "must run as root (the daemon, the namespace)"; exit 1; }
ensure_test_dependencies
if [ "$publish" -eq 1 ]; then
  log "publishing the daemon"
  publish_daemon >/dev/null
fi

readonly TAG=$(($$ % 100000))
readonly NETNS=bshostile-$TAG HOST_IF=bsh${TAG}a INET_IF=bsh${TAG}b NET4=198.18.$((100 + $$ % 100))
readonly RESOLVER=$NET4.2 REGISTRY=$NET4.10 EXFIL=$NET4.66 COLLECTOR_PORT=$((20000 + $$ % 20000))
mkdir -p "$out"
work=$(mktemp -d /tmp/buildsentry-hostile.XXXXXX)
daemon_pid="" collector_pid=""

cleanup() {
  [ -n "$daemon_pid" ] && daemon_stop
  [ -n "$collector_pid" ] && { kill -TERM "$collector_pid" 2>/dev/null || true; wait "$collector_pid" 2>/dev/null || true; }
  if ip netns list | grep -qw "$NETNS"; then
    # shellcheck disable=SC2046
    kill -KILL $(ip netns pids "$NETNS") 2>/dev/null || true
    ip netns delete "$NETNS"
  fi
  ip link delete "$HOST_IF" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

lab_up() {
  ip netns add "$NETNS"
  ip link add "$HOST_IF" type veth peer name "$INET_IF" netns "$NETNS"
  ip addr add "$NET4.1/24" dev "$HOST_IF"
  ip link set "$HOST_IF" up
  ip netns exec "$NETNS" ip link set lo up
  local suffix
  for suffix in 2 10 66; do ip netns exec "$NETNS" ip addr add "$NET4.$suffix/24" dev "$INET_IF"; done
  ip netns exec "$NETNS" ip link set "$INET_IF" up
  cat >"$work/dnsmasq.conf" <<CONF
no-resolv
no-hosts
bind-interfaces
listen-address=$RESOLVER
user=root
pid-file=
local=/#/
address=/registry.test/$REGISTRY
address=/exfil.test/$EXFIL
CONF
  ip netns exec "$NETNS" dnsmasq --keep-in-foreground --conf-file="$work/dnsmasq.conf" </dev/null >"$work/dnsmasq.log" 2>&1 &
  # registry.test:80 accepts and closes; nothing listens on the exfil address (the kill needs only the SYN).
  ip netns exec "$NETNS" /usr/bin/python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$REGISTRY', 80)); s.listen(4096)
while True:
    c, _ = s.accept(); c.close()" </dev/null >"$work/server.log" 2>&1 &
  local i
  for i in $(seq 1 50); do
    dig +short +time=1 +tries=1 @"$RESOLVER" registry.test 2>/dev/null | grep -q "$REGISTRY" && return 0
    sleep 0.1
  done
  log "the resolver in $NETNS did not answer"; cat "$work/dnsmasq.log" >&2; exit 1
}

daemon_start() {
  local dir=$work/daemon-$1
  mkdir -p "$dir/profiles" "$dir/reports"
  cat >"$dir/profiles/hostile.yaml" <<YAML
name: hostile-flood
description: The flooding jobs; audit, as the daemon's default mode.
match: { ci: github, repository: hostile/flood }
egress:
  - { host: registry.test, ports: [80], protocol: tcp }
---
name: hostile-victim
description: The job that makes one real violation right after a flood; kill mode.
mode: kill
match: { ci: github, repository: hostile/victim }
egress:
  - { host: registry.test, ports: [80], protocol: tcp }
---
name: default
description: Any other job (another engineer's on a shared machine) may reach nothing, and is only alerted.
YAML
  cat >"$dir/buildsentry.yaml" <<YAML
profiles_dir: $dir/profiles
default_mode: audit
reports_dir: $dir/reports
control:
  socket: $dir/control.sock
prevent:
  dns_servers: [$RESOLVER]
alerts:
  targets:
    - { transport: tcp, address: 127.0.0.1, port: $COLLECTOR_PORT, format: rfc5424, queue_capacity: 100000 }
YAML
  daemon_run "$dir"
}
kb_of() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }
collected() { python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], 0))" "$work/counts.json" "$1" 2>/dev/null || echo 0; }
collected_total() { python3 -c "import json,sys; c=json.load(open(sys.argv[1])); print(sum(v for k, v in c.items() if k != 'killed'))" "$work/counts.json" 2>/dev/null || echo 0; }

# job REPOSITORY RUN_ID COMMAND...: a GitHub-marked job (the markers demo.sh uses).
job() {
  local repository=$1 run_id=$2
  shift 2
  env GITHUB_ACTIONS=true GITHUB_RUN_ID="$run_id" GITHUB_JOB=hostile GITHUB_REPOSITORY="$repository" "$@"
}

# The report of a job, once the daemon has written it (its grace for late findings is 500 ms).
report_of() {
  local run_id=$1 i file
  for i in $(seq 1 300); do
    file=$(ls "$daemon_dir"/reports/*"-$run_id-"*.json 2>/dev/null | head -1 || true)
    [ -n "$file" ] && { echo "$file"; return 0; }
    sleep 0.1
  done
  return 1
}

workload() {
  case $1 in
    a) python3 "$HERE/dnsflood.py" "$RESOLVER" exfil.test 200000 "$seconds" ;;
    b) python3 "$HERE/connflood.py" "$RESOLVER" registry.test 80 50000 "$seconds" ;;
    c) "$work/forkbomb" 5000 "$seconds" ;;
    d) "$work/bigargv" 50 "$seconds" ;;
  esac
}
readonly -A TITLE=([a]="200,000 unique DNS names" [b]="50,000 TCP connections (allowed)" [c]="fork bomb, 5,000 live" [d]="1 MiB argvs, 50 live")

gcc -O2 -Wall -o "$work/forkbomb" "$HERE/forkbomb.c"
gcc -O2 -Wall -o "$work/bigargv" "$HERE/bigargv.c"
lab_up
python3 "$HERE/collector.py" "$COLLECTOR_PORT" "$work/counts.json" &
collector_pid=$!
results=$out/hostile-results.md
{
  echo "| workload | done (job's own count) | daemon peak RSS MB (idle) | daemon CPU s | report JSON / MD KB | alerts received (summaries, limits) | violations: alerted / aggregated / repeats | entries not kept | packets dropped / proc events lost | kill-mode job after: exit, ms, killed alert |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
} >"$results"

for w in ${only//,/ }; do
  log "workload $w: ${TITLE[$w]} for ${seconds}s"
  daemon_start "$w"
  idle_rss=$(kb_of "$daemon_pid" VmRSS)
  cpu0=$(cpu_seconds "$daemon_pid")
  sleep 1
  alerts0=$(collected_total) killed0=$(collected killed)
  cp "$work/counts.json" "$work/counts-before.json" 2>/dev/null || echo '{}' >"$work/counts-before.json"
  run_id=$((RANDOM * 32768 + RANDOM))
  done_count=$(job hostile/flood "$run_id" bash -c "$(declare -f workload); seconds=$seconds HERE=$HERE work=$work RESOLVER=$RESOLVER; workload $w" | tr '\n' ' ')
  report=$(report_of "$run_id") || { log "no report for the flood job"; report=""; }

  # Right after the flood, another job in kill mode reaches the exfil address once.
  victim_id=$((RANDOM * 32768 + RANDOM))
  start_ms=$(date +%s%3N)
  set +e
  # It waits 30 s: a daemon whose capture still digests the flood kills it late, and the table shows how late.
  job hostile/victim "$victim_id" bash -c "python3 -c \"import socket; socket.socket().connect_ex(('$EXFIL', 80))\"; sleep 30" 2>/dev/null
  victim_exit=$?
  set -e
  victim_ms=$(($(date +%s%3N) - start_ms))
  sleep 2
  status_json=$("$BIN" status --json --socket "$daemon_dir/control.sock")
  echo "$status_json" >"$out/$w-status.json"
  peak_rss=$(kb_of "$daemon_pid" VmHWM)
  cpu1=$(cpu_seconds "$daemon_pid")
  daemon_stop
  sleep 0.5
  cp "$work/counts.json" "$out/$w-collector.json"
  cp "$daemon_dir/daemon.log" "$out/$w-daemon.log"
  victim_report=$(report_of "$victim_id") && cp "$victim_report" "$out/$w-victim-report.json"
  alerts=$(($(collected_total) - alerts0)) killed=$(($(collected killed) - killed0))
  json_kb=0 md_kb=0
  if [ -n "$report" ]; then
    json_kb=$(( $(stat -c %s "$report") / 1024 ))
    md_kb=$(( $(stat -c %s "${report%.json}.md") / 1024 ))
    cp "$report" "$out/$w-report.json"
    cp "${report%.json}.md" "$out/$w-report.md"
  fi
  row=$(python3 - "$out/$w-status.json" "$out/$w-collector.json" "$work/counts-before.json" <<'PY'
import json, sys
status = json.load(open(sys.argv[1]))
status = status.get("body", status)
c, s = status["counters"], status["sensors"]
after, before = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
def delta(kind): return after.get(kind, 0) - before.get(kind, 0)
def counter(name): return c.get(name, "-")
print(f'{delta("job.alerts-aggregated")} summaries, {delta("job.limits-reached")} limits'
      f'|{counter("violationsAlerted")} / {counter("violationsAggregated")} / {counter("violationRepeats")}|{counter("entriesNotKept")}'
      f'|{s.get("packetsDropped")} / {s.get("processEventsLost")}')
PY
)
  IFS='|' read -r alert_kinds violations not_kept losses <<<"$row"
  printf '| %s: %s | %s | %s (%s) | %s | %s / %s | %s (%s) | %s | %s | %s | %s, %s ms, %s |\n' \
    "$w" "${TITLE[$w]}" "$done_count" "$((peak_rss / 1024))" "$((idle_rss / 1024))" "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.1f", b - a }')" "$json_kb" "$md_kb" \
    "$alerts" "$alert_kinds" "$violations" "$not_kept" "$losses" "$victim_exit" "$victim_ms" "$([ "$killed" -ge 1 ] && echo yes || echo NO)" >>"$results"
done

echo
echo "hostile load, ${seconds}s per workload, $(nproc) cores, $(uname -r)"
cat "$results"
