#!/usr/bin/env bash
# Builds the solution in Release and runs every test project. Installs what the tests need
# (Debian packages) when it is missing, so a fresh machine needs nothing but this script.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/deps.sh
source scripts/deps.sh
ensure_test_dependencies

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build BuildSentry.sln -c Release -nologo -v quiet
# The end-to-end tests run the daemon as it ships (tests/BuildSentry.EndToEnd/DaemonProcess.cs).
publish_daemon

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
for project in tests/*/*.csproj; do
  # Support libraries and benchmarks live under tests/ too; only test projects are run.
  grep -q '<IsTestProject>true</IsTestProject>' "$project" || continue
  name=$(basename "$project" .csproj)
  echo "== $name"
  if ! dotnet test "$project" -c Release --no-build -nologo \
      --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
      --logger "console;verbosity=normal" ${TEST_FILTER:+--filter "$TEST_FILTER"}; then
    status=1
  fi
done

# The failed tests again, with the start of their messages, so that the end of a long CI log
# says what failed; then one closing line for the whole suite, summed over every TRX file.
python3 - "$results" >&2 <<'PY'
import glob, sys, xml.etree.ElementTree as ET
for path in sorted(glob.glob(sys.argv[1] + "/*.trx")):
    for r in ET.parse(path).getroot().findall(".//{*}UnitTestResult"):
        if r.get("outcome") not in ("Failed", "Error"):
            continue
        msg = r.find(".//{*}ErrorInfo/{*}Message")
        text = (msg.text or "").strip().splitlines() if msg is not None else []
        print(f"FAILED {r.get('testName')}")
        for line in text[:8]:
            print(f"    {line[:300]}")
PY
read -r passed failed skipped < <(python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find(".//{*}Counters")
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0))
    s += int(c.get("notExecuted", 0))
print(p, f, s)
PY
)
if [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  status=1
fi
echo "Tests: $passed passed, $failed failed, $skipped skipped"
exit $status
