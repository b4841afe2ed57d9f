# Sourced by the benchmark scripts: run a published daemon on a configuration they wrote, as installed (the unit's
# runtime settings from packaging/buildsentry.env), and measure it. Uses BIN, and log() from the sourcing script.

# daemon_run DIR: starts "$BIN run --config DIR/buildsentry.yaml" (log in DIR/daemon.log); returns once capture is on.
daemon_run() {
  local dir=$1
  env $(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' packaging/buildsentry.env) "$BIN" run --config "$dir/buildsentry.yaml" >"$dir/daemon.log" 2>&1 9>&- &
  daemon_pid=$! daemon_dir=$dir
  local i
  for i in $(seq 1 300); do
    if [ -S "$dir/control.sock" ] && "$BIN" status --json --socket "$dir/control.sock" 2>/dev/null | grep -q '"capture":"on"'; then
      return 0
    fi
    kill -0 "$daemon_pid" 2>/dev/null || { cat "$dir/daemon.log" >&2; log "the daemon exited"; exit 1; }
    sleep 0.1
  done
  log "the daemon did not become ready"; cat "$dir/daemon.log" >&2; exit 1
}

daemon_stop() {
  kill -TERM "$daemon_pid" 2>/dev/null || true
  wait "$daemon_pid" 2>/dev/null || true
  daemon_pid=""
}

# CPU seconds (user+system) of a live process, from /proc/PID/stat fields 14 and 15.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
