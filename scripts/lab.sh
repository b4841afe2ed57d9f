#!/usr/bin/env bash
# The BuildSentry network lab: a small internet in a network namespace, for tests, demo and bench.
#
#   root namespace (build agent)            netns bslab-inet ("the internet")
#   bslab0 198.18.0.1  fd00:b5e:1ab::1 <==> bslab1 .2 / ::2   dnsmasq (the lab resolver)
#                                                  .10 / ::10 registry.test, cdn.test
#                                                  .20 / ::20 mirror.test
#                                                  .66 / ::66 evil.test, *.exfil.test
#
# The agent stays in the root namespace so a capture on "any" sees job traffic on bslab0. Only the
# lab prefixes are routed over the veth; the default route and every other address stay untouched.
set -euo pipefail

readonly NETNS=bslab-inet HOST_IF=bslab0 INET_IF=bslab1
readonly NET4=198.18.0 NET6=fd00:b5e:1ab
readonly STATE=${BSLAB_STATE:-/run/buildsentry-lab}
readonly QUEUE_NUM=7
# name  address-suffix  aliases (share the address)
readonly HOSTS=("registry.test 10 cdn.test" "mirror.test 20" "evil.test 66")
readonly WILDCARD_DOMAIN=exfil.test WILDCARD_SUFFIX=66
SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPTS_DIR

usage() {
  cat <<USAGE
usage: scripts/lab.sh COMMAND

  up [--delay-ms N]   tear down leftovers, then build the lab; N ms are added to every round
                      trip (packets from the agent are held as they enter the lab namespace)
  delay N             change the link delay of a running lab (0 removes it)
  down                kill the lab's processes, delete namespace, veth and state (always safe)
  status              print the lab's state; exit 0 when up, 3 when down
  exec CMD [ARG...]   run CMD in the root network namespace with a private mount namespace
                      whose /etc/resolv.conf points at the lab resolver ($NET4.2)

State, logs, certificate and per-host receive logs: $STATE
  dnsmasq.log          every DNS query (log-queries)
  recv/<host>.log      one line per exchange: unix-ms service peer bytes method path
  tls/cert.pem         the servers' self-signed certificate (use as a CA file)
  hosts                name ipv4 ipv6 primary-name, one host per line
USAGE
}

log() { echo "lab: $*" >&2; }
# Background processes are started with "ip netns exec" itself, not this function, so that $! is
# their pid; and with every standard stream redirected, so that a caller reading lab.sh's output
# to its end is not kept waiting by servers that inherited the pipe.
in_ns() { ip netns exec "$NETNS" "$@"; }

ensure_dependencies() {
  # shellcheck source=scripts/deps.sh
  source "$SCRIPTS_DIR/deps.sh"
  ensure_test_dependencies
  command -v iptables-legacy >/dev/null || { log "iptables-legacy missing (Debian package iptables)"; exit 1; }
}

require_root() {
  [ "$(id -u)" -eq 0 ] || { log "must run as root"; exit 1; }
}

lab_down() {
  local pids pid i pid_file
  if ip netns list | grep -qw "$NETNS"; then
    pids=$(ip netns pids "$NETNS" 2>/dev/null || true)
    [ -n "$pids" ] && kill -TERM $pids 2>/dev/null || true
    for i in $(seq 1 30); do
      pids=$(ip netns pids "$NETNS" 2>/dev/null || true)
      [ -z "$pids" ] && break
      sleep 0.1
    done
    for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
    # Rules and queues live in the namespace and vanish with it.
    ip netns delete "$NETNS"
  fi
  # Should the namespace have gone while its processes live on, the pid files still name them;
  # every lab process has the state directory on its command line, which rules out reused pids.
  for pid_file in "$STATE"/pids/*; do
    [ -f "$pid_file" ] || continue
    pid=$(cat "$pid_file")
    if { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF "$STATE"; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  # Deleting the namespace takes the veth with it, asynchronously: tolerate losing that race, but
  # wait until the device is gone so that an "up" right after cannot collide with it.
  for i in $(seq 1 50); do
    ip link show "$HOST_IF" >/dev/null 2>&1 || break
    ip link delete "$HOST_IF" 2>/dev/null || true
    sleep 0.05
  done
  rm -rf "$STATE"
}

host_lines() {
  local entry name suffix aliases alias
  for entry in "${HOSTS[@]}"; do
    read -r name suffix aliases <<<"$entry"
    echo "$name $NET4.$suffix $NET6::$suffix $name"
    for alias in $aliases; do echo "$alias $NET4.$suffix $NET6::$suffix $name"; done
  done
}

make_network() {
  ip netns add "$NETNS"
  ip link add "$HOST_IF" type veth peer name "$INET_IF" netns "$NETNS"
  # nodad: the addresses must be usable at once (dnsmasq binds to them right away).
  ip addr add "$NET4.1/24" dev "$HOST_IF"
  ip -6 addr add "$NET6::1/64" dev "$HOST_IF" nodad
  ip link set "$HOST_IF" up
  in_ns ip link set lo up
  in_ns ip addr add "$NET4.2/24" dev "$INET_IF"
  in_ns ip -6 addr add "$NET6::2/64" dev "$INET_IF" nodad
  local entry name suffix
  for entry in "${HOSTS[@]}"; do
    read -r name suffix _ <<<"$entry"
    in_ns ip addr add "$NET4.$suffix/24" dev "$INET_IF"
    in_ns ip -6 addr add "$NET6::$suffix/64" dev "$INET_IF" nodad
  done
  in_ns ip link set "$INET_IF" up
}

make_certificate() {
  local san="" name
  while read -r name _; do san+="DNS:$name,"; done < <(host_lines)
  san+="DNS:*.$WILDCARD_DOMAIN,DNS:$WILDCARD_DOMAIN"
  mkdir -p "$STATE/tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 \
    -subj "/CN=buildsentry lab" -addext "subjectAltName=$san" \
    -keyout "$STATE/tls/key.pem" -out "$STATE/tls/cert.pem" 2>"$STATE/openssl.log"
}

start_dns() {
  local conf=$STATE/dnsmasq.conf name v4 v6
  {
    echo "no-resolv"
    echo "no-hosts"
    echo "bind-interfaces"
    echo "listen-address=$NET4.2"
    echo "listen-address=$NET6::2"
    echo "user=root"
    echo "log-queries=extra"
    echo "log-facility=$STATE/dnsmasq.log"
    echo "pid-file="
    # Every name is answered here: lab names, the exfil wildcard, NXDOMAIN for the rest.
    echo "local=/#/"
    while read -r name v4 v6 _; do
      echo "address=/$name/$v4"
      echo "address=/$name/$v6"
    done < <(host_lines)
    echo "address=/$WILDCARD_DOMAIN/$NET4.$WILDCARD_SUFFIX"
    echo "address=/$WILDCARD_DOMAIN/$NET6::$WILDCARD_SUFFIX"
  } >"$conf"
  ip netns exec "$NETNS" dnsmasq --keep-in-foreground --conf-file="$conf" \
    </dev/null >"$STATE/dnsmasq.err" 2>&1 &
  echo $! >"$STATE/pids/dnsmasq"
  printf 'nameserver %s\noptions timeout:2 attempts:2\n' "$NET4.2" >"$STATE/resolv.conf"
}

start_servers() {
  local args=() name v4 v6 primary
  while read -r name v4 v6 primary; do
    [ "$name" = "$primary" ] && args+=(--host "$name=$v4" --host "$name=$v6")
  done < <(host_lines)
  # Debian's python3, not whatever a version manager put first on PATH.
  ip netns exec "$NETNS" /usr/bin/python3 "$SCRIPTS_DIR/lab/servers.py" --state "$STATE" --www "$SCRIPTS_DIR/lab/www" \
    --cert "$STATE/tls/cert.pem" --key "$STATE/tls/key.pem" "${args[@]}" </dev/null >"$STATE/servers.log" 2>&1 &
  echo $! >"$STATE/pids/servers"
}

set_delay() {
  local ms=$1 cmd
  if [ -f "$STATE/pids/delayer" ]; then
    kill -TERM "$(cat "$STATE/pids/delayer")" 2>/dev/null || true
    rm -f "$STATE/pids/delayer"
  fi
  for cmd in iptables-legacy ip6tables-legacy; do
    in_ns "$cmd" -F INPUT
  done
  echo "$ms" >"$STATE/delay-ms"
  [ "$ms" -gt 0 ] || return 0
  if [ ! -x "$STATE/delayer" ]; then
    gcc -O2 -Wall -o "$STATE/delayer" "$SCRIPTS_DIR/lab/delayer.c" \
      $(pkg-config --cflags --libs libnetfilter_queue)
  fi
  # NFQUEUE support is built into this kernel; elsewhere it may be a module (modprobe may not exist).
  modprobe -q nfnetlink_queue 2>/dev/null || true
  ip netns exec "$NETNS" "$STATE/delayer" "$QUEUE_NUM" "$ms" </dev/null >"$STATE/delayer.log" 2>&1 &
  local pid=$! i
  echo "$pid" >"$STATE/pids/delayer"
  for i in $(seq 1 50); do
    grep -q "^delayer: queue" "$STATE/delayer.log" && break
    kill -0 "$pid" 2>/dev/null || { log "the delayer failed (no nfnetlink_queue?):"; cat "$STATE/delayer.log" >&2; return 1; }
    sleep 0.05
  done
  # Only packets arriving from the agent are held, so the round trip grows by exactly N ms.
  # --queue-bypass: should the delayer die, packets flow undelayed instead of being dropped.
  for cmd in iptables-legacy ip6tables-legacy; do
    in_ns "$cmd" -A INPUT -i "$INET_IF" -j NFQUEUE --queue-num "$QUEUE_NUM" --queue-bypass
  done
}

wait_until_ready() {
  local i pid_file
  for i in $(seq 1 100); do
    if [ -f "$STATE/servers.ready" ] &&
      [ "$(dig +short +time=1 +tries=1 @"$NET4.2" registry.test A 2>/dev/null)" = "$NET4.10" ]; then
      return 0
    fi
    for pid_file in "$STATE"/pids/*; do
      kill -0 "$(cat "$pid_file")" 2>/dev/null ||
        { log "$(basename "$pid_file") died; see $STATE"; tail -n 20 "$STATE"/*.err "$STATE"/*.log >&2 || true; return 1; }
    done
    sleep 0.1
  done
  log "lab did not become ready in 10 s"
  return 1
}

lab_up() {
  local delay_ms=0
  while [ $# -gt 0 ]; do
    case $1 in
      --delay-ms) delay_ms=${2:?--delay-ms needs a value}; shift 2 ;;
      *) log "unknown option: $1"; usage >&2; exit 2 ;;
    esac
  done
  [[ $delay_ms =~ ^[0-9]+$ ]] || { log "--delay-ms wants a whole number"; exit 2; }
  ensure_dependencies
  lab_down
  # A half-built lab is worse than none: whatever fails from here on takes everything down again.
  trap 'log "up failed; tearing down"; lab_down' EXIT
  mkdir -p "$STATE/pids" "$STATE/recv"
  host_lines >"$STATE/hosts"
  make_network
  make_certificate
  start_dns
  start_servers
  set_delay "$delay_ms"
  wait_until_ready
  trap - EXIT
  log "up (delay ${delay_ms} ms, state $STATE)"
}

lab_status() {
  if ! ip netns list | grep -qw "$NETNS"; then
    echo "down"
    ip link show "$HOST_IF" >/dev/null 2>&1 && echo "leftover veth $HOST_IF (run down)"
    return 3
  fi
  echo "up: netns $NETNS, veth $HOST_IF, delay $(cat "$STATE/delay-ms" 2>/dev/null || echo ?) ms, state $STATE"
  ip -brief addr show "$HOST_IF"
  in_ns ip -brief addr show "$INET_IF"
  local pid
  for pid in $(ip netns pids "$NETNS"); do
    echo "process $pid: $({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null)"
  done
  echo "hosts:"
  sed 's/^/  /' "$STATE/hosts"
}

lab_exec() {
  [ $# -gt 0 ] || { log "exec needs a command"; exit 2; }
  [ -f "$STATE/resolv.conf" ] || { log "lab is not up"; exit 1; }
  # unshare execs (no fork), and the shell execs the command, so the caller's pid is the job's.
  exec unshare --mount --propagation private -- /bin/sh -c \
    'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$STATE/resolv.conf" "$@"
}

main() {
  local command=${1:-}
  [ $# -gt 0 ] && shift
  case $command in
    up) require_root; lab_up "$@" ;;
    down) require_root; lab_down ;;
    delay)
      require_root
      [[ ${1:-} =~ ^[0-9]+$ ]] || { log "delay wants a whole number of ms"; exit 2; }
      ip netns list | grep -qw "$NETNS" || { log "lab is not up"; exit 1; }
      set_delay "$1" ;;
    status) lab_status ;;
    exec) require_root; lab_exec "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
