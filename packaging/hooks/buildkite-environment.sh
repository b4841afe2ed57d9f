#!/bin/bash
# Buildkite agent hook, sourced by bash from the agent's `environment` hook:
#   source /usr/lib/buildsentry/hooks/buildkite-environment.sh
# The job's bootstrap (`buildkite-agent bootstrap`) runs every hook and the command as its
# children, so the job is rooted at the bootstrap, this shell's parent. --spare-root: the bootstrap
# is the agent's process, not job code; a kill leaves it running to run the pre-exit hook.
#
# Sourced, not run: nothing here may change the hook's shell options or end it on success. If the
# daemon cannot register the job, the hook fails and so does the job (an unmonitored job is what
# an attacker would arrange). BUILDSENTRY_FAIL_OPEN=true lets the job run unmonitored.

buildsentry job start --root-pid "$PPID" --spare-root ${BUILDSENTRY_SOCKET:+--socket "$BUILDSENTRY_SOCKET"}
buildsentry_status=$?
if [ "$buildsentry_status" -ne 0 ]; then
  echo "buildsentry: the job could not be registered (exit $buildsentry_status)" >&2
  [ "${BUILDSENTRY_FAIL_OPEN:-false}" = "true" ] || exit "$buildsentry_status"
fi
unset buildsentry_status
