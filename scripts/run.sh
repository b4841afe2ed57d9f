#!/usr/bin/env bash
# Quick start: runs the BuildSentry daemon in the foreground on this machine, as root.
# Installs the Debian packages it needs (libpcap0.8 for capture, libbpf1 for the kernel sensor, clang to compile
# its BPF programs and link the native binary),
# publishes the daemon (Native AOT, into artifacts/daemon), and starts
# `buildsentry run` with the embedded default configuration (audit mode, the shipped profiles,
# alerts to the console), or with the arguments given, e.g. scripts/run.sh --config my.yaml.
# Stop it with Ctrl-C. For a service install, see packaging/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/run.sh needs root: the daemon reads every process's /proc, captures packets and kills jobs" >&2
  exit 1
fi

# shellcheck source=scripts/deps.sh
source scripts/deps.sh
ensure_test_dependencies

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
publish_daemon

# Without --config the daemon would read /etc/buildsentry/buildsentry.yaml if a package put one
# there; the quick start means the embedded default, so an empty file stands for it.
args=("$@")
if [ ${#args[@]} -eq 0 ]; then
  empty=$(mktemp --suffix=.yaml)
  trap 'rm -f "$empty"' EXIT
  args=(--config "$empty")
fi
exec_args=(run "${args[@]}")
echo "buildsentry ${exec_args[*]}   (control socket /run/buildsentry/control.sock; try: buildsentry status)"
# The runtime settings the service unit uses (packaging/buildsentry.env).
env $(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' packaging/buildsentry.env) "$DAEMON_DIR/buildsentry" "${exec_args[@]}"
