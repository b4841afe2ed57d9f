#!/bin/bash
# GitHub Actions runner hook: ACTIONS_RUNNER_HOOK_JOB_STARTED=/usr/lib/buildsentry/hooks/github-job-started.sh
# (in the runner's .env). Runner.Worker runs it before the job's first step.
#
# The job's root must be Runner.Worker, not this script: every step is a child of the worker, and
# this script exits before the first step starts. The daemon's default root is its caller's parent
# (this script), so the worker is named explicitly. No "job completed" hook is needed: the job
# ends when the worker exits, and the daemon refuses `job end` from a job's own processes anyway.
#
# --spare-root: the worker is the runner's process, not job code. A kill kills every step process
# and leaves the worker running, so it fails the step and runs the job-completed hook, which shows
# the developer the verdict.
#
# If the daemon cannot register the job, the hook fails and so does the job: an unmonitored job
# is what an attacker would arrange. BUILDSENTRY_FAIL_OPEN=true lets the job run unmonitored.
set -u

worker=$PPID
pid=$PPID
# Walk up to Runner.Worker in case the runner starts the hook through an extra shell.
while [ "$pid" -gt 1 ] 2>/dev/null; do
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "Runner.Worker" ]; then
    worker=$pid
    break
  fi
  pid=$(awk '{ sub(/.*\) /, ""); print $2 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
done

buildsentry job start --root-pid "$worker" --spare-root ${BUILDSENTRY_SOCKET:+--socket "$BUILDSENTRY_SOCKET"} && exit 0
status=$?
echo "buildsentry: the job could not be registered (exit $status)" >&2
[ "${BUILDSENTRY_FAIL_OPEN:-false}" = "true" ] && exit 0
exit "$status"
