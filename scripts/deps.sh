# Sourced by the scripts: installs the Debian packages the tests, the lab and the daemon need,
# only when something is missing, so repeated runs cost nothing.
DEPS_PACKAGES=(python3 iproute2
  # prevent mode's end-to-end tests count what leaves the host with tcpdump
  tcpdump
  # profile suggest never proposes a wildcard over a public suffix: the Public Suffix List
  publicsuffix
  # packet capture (SharpPcap loads libpcap.so.0.8)
  libpcap0.8
  # the kernel sensor: the build compiles its BPF programs with clang (-target bpf) against libbpf-dev's headers,
  # and the daemon and its tests load them through libbpf.so.1 (libbpf1)
  clang libbpf-dev libbpf1
  # the network lab (scripts/lab.sh)
  dnsmasq-base iptables openssl curl dnsutils iputils-ping util-linux
  gcc libc6-dev pkg-config libnetfilter-queue-dev
  # alert delivery tests run their own rsyslogd (private config, ports and files; never the system service),
  # with imrelp for the RELP transport
  rsyslog rsyslog-relp
  # PeerAccessTests talk to the control socket as other users through socat
  socat
  # denied-process tests run nc through Debian's alternatives link (/usr/bin/nc -> /etc/alternatives/nc -> nc.openbsd)
  netcat-openbsd
  # the Debian package (packaging/build-deb.sh: debhelper, eu-unstrip, lintian) and its test under systemd: a Debian 12
  # tree made by debootstrap, booted by systemd-nspawn, entered with nsenter (util-linux); readelf finds the build id
  debhelper elfutils lintian debootstrap systemd-container binutils
  # the metrics tests parse the daemon's exposition with prometheus_client's OpenMetrics and text parsers
  python3-prometheus-client
  # kill(1) for RsyslogServer and NetworkLabLifecycleTests; TempGroup's groupadd/groupdel; lab.sh exec's mount
  # and its modprobe of nfnetlink_queue. Priority required or standard, but not Essential: a slim image may lack them.
  procps passwd mount kmod
  # container jobs' end-to-end tests run a private dockerd (scripts/lab/docker.sh) with a busybox image imported offline
  docker.io busybox-static)

ensure_test_dependencies() { ensure_packages "${DEPS_PACKAGES[@]}"; }

# Installs the Debian packages named that are missing (as root; otherwise says which and fails).
ensure_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "missing Debian packages: ${missing[*]} (run as root to install them)" >&2
      return 1
    fi
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# The daemon as it ships: one native (Native AOT) executable, published for this machine's architecture into
# artifacts/daemon with its shipped profiles. The quick start, the end-to-end tests, the benchmark and the
# installer all run this binary; the test projects use the JIT build of the same code.
DAEMON_DIR=artifacts/daemon

publish_daemon() {
  # Native AOT links with clang (binutils' ld) and zlib, and strips the symbols into buildsentry.dbg (llvm's objcopy).
  # The build also compiles the kernel sensor's BPF programs (clang, libbpf-dev); libbpf1 loads them at run time.
  ensure_packages clang llvm zlib1g-dev libbpf-dev libbpf1
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet publish src/BuildSentry/BuildSentry.csproj -c Release --use-current-runtime -p:PublishAot=true \
    -o "$DAEMON_DIR" -nologo -v quiet
}
