#!/usr/bin/env bash
# A private dockerd for the lab's container tests, beside the network lab (scripts/lab.sh up first).
#
#   scripts/lab/docker.sh up DIR     start dockerd with everything under DIR (socket DIR/docker.sock), import the
#                                    busybox image bs-busybox:1 offline, create the bridge network bsnet
#                                    (bridge bsdock0, 172.31.250.0/24) routed to the lab only, with NAT
#   scripts/lab/docker.sh down DIR   remove containers, network and dockerd, the NAT rule and forwarding (always safe)
#
# dockerd touches no iptables and no global forwarding switch: forwarding is turned on for the two interfaces
# involved (bsdock0 and the lab's bslab0), so a container reaches the lab's addresses and nothing else, and one
# MASQUERADE rule (iptables-legacy, marked with a comment) hides it behind the agent's lab address, as Docker's own
# NAT would. Containers resolve with the lab's resolver (--dns 198.18.0.2), never a public one.
set -euo pipefail

readonly BRIDGE=bsdock0 NETWORK=bsnet SUBNET=172.31.250.0/24 IMAGE=bs-busybox:1 LAB_IF=bslab0 RESOLVER=198.18.0.2
readonly RULE=(POSTROUTING -s "$SUBNET" -o "$LAB_IF" -m comment --comment buildsentry-lab-docker -j MASQUERADE)

log() { echo "lab-docker: $*" >&2; }

docker_cli() { /usr/bin/docker -H "unix://$DIR/docker.sock" "$@"; }

up() {
  down
  mkdir -p "$DIR/data" "$DIR/exec" "$DIR/rootfs/bin" "$DIR/rootfs/etc" "$DIR/rootfs/tmp"
  setsid /usr/sbin/dockerd --data-root "$DIR/data" --exec-root "$DIR/exec" -H "unix://$DIR/docker.sock" \
    --pidfile "$DIR/docker.pid" --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    --dns "$RESOLVER" </dev/null >"$DIR/dockerd.log" 2>&1 &
  for _ in $(seq 1 300); do
    docker_cli version >/dev/null 2>&1 && break
    sleep 0.2
  done
  docker_cli version >/dev/null || { log "dockerd did not start: $(tail -5 "$DIR/dockerd.log")"; exit 1; }
  cp /bin/busybox "$DIR/rootfs/bin/busybox"
  for applet in $("$DIR/rootfs/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$DIR/rootfs/bin/$applet"
  done
  tar -C "$DIR/rootfs" -c . | docker_cli import - "$IMAGE" >/dev/null
  docker_cli network create --subnet "$SUBNET" -o "com.docker.network.bridge.name=$BRIDGE" "$NETWORK" >/dev/null
  # The bridge's host side only comes up with its first container; forwarding can be set on it already.
  sysctl -n "net.ipv4.conf.$LAB_IF.forwarding" >"$DIR/lab-if-forwarding"
  sysctl -qw "net.ipv4.conf.$BRIDGE.forwarding=1" "net.ipv4.conf.$LAB_IF.forwarding=1"
  iptables-legacy -t nat -A "${RULE[@]}"
}

down() {
  if [ -S "$DIR/docker.sock" ]; then
    docker_cli ps -aq 2>/dev/null | xargs -r /usr/bin/docker -H "unix://$DIR/docker.sock" rm -f >/dev/null 2>&1 || true
    docker_cli network rm "$NETWORK" >/dev/null 2>&1 || true
  fi
  if [ -f "$DIR/docker.pid" ]; then
    local pid
    pid=$(cat "$DIR/docker.pid")
    if grep -qF "$DIR" "/proc/$pid/cmdline" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  while iptables-legacy -t nat -D "${RULE[@]}" 2>/dev/null; do :; done
  if [ -f "$DIR/lab-if-forwarding" ] && [ -e "/proc/sys/net/ipv4/conf/$LAB_IF" ]; then
    sysctl -qw "net.ipv4.conf.$LAB_IF.forwarding=$(cat "$DIR/lab-if-forwarding")"
  fi
  ip link delete "$BRIDGE" 2>/dev/null || true
  if [ -d "$DIR" ]; then
    grep -F " $DIR/" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$DIR"
  fi
}

[ "$(id -u)" -eq 0 ] || { log "must run as root"; exit 1; }
[ $# -eq 2 ] || { echo "usage: $0 up|down DIR" >&2; exit 2; }
DIR=$2
case "$1" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down DIR" >&2; exit 2 ;;
esac
