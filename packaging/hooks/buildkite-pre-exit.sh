#!/bin/bash
# Buildkite agent hook, sourced by bash from the agent's `pre-exit` hook:
#   source /usr/lib/buildsentry/hooks/buildkite-pre-exit.sh
# Runs inside the job, last: prints the job's report so far into the log and, when the job has
# violations, annotates the build with them. A killed job never gets here.

echo "--- BuildSentry report"
buildsentry job report ${BUILDSENTRY_SOCKET:+--socket "$BUILDSENTRY_SOCKET"} || true
buildsentry_annotation=$(buildsentry job report --format buildkite ${BUILDSENTRY_SOCKET:+--socket "$BUILDSENTRY_SOCKET"})
if [ -n "$buildsentry_annotation" ]; then
  printf '%s\n' "$buildsentry_annotation" | buildkite-agent annotate --style error --context "buildsentry-${BUILDKITE_JOB_ID:-job}" \
    || echo "buildsentry: buildkite-agent annotate failed" >&2
fi
unset buildsentry_annotation
