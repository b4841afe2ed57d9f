#!/bin/sh
# Measurement 1's build-like job: two parallel lanes (like make -j2), each ITERATIONS times ten
# short processes and one HTTP fetch from the lab registry: 5,500 processes and 500 connections
# with the defaults. Run it through `scripts/lab.sh exec` (the lab resolver) as a marked CI job.
set -eu
iterations=${1:-250}
lane() {
  i=0
  while [ "$i" -lt "$iterations" ]; do
    /bin/true; /bin/true; /bin/true; /bin/true; /bin/true
    /bin/true; /bin/true; /bin/true; /bin/true
    echo "$i" | /bin/cat >/dev/null
    curl -s -o /dev/null --max-time 10 http://registry.test/ok
    i=$((i + 1))
  done
}
lane & lane & wait
