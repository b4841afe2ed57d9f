#!/bin/bash
# GitHub Actions runner hook: ACTIONS_RUNNER_HOOK_JOB_COMPLETED=/usr/lib/buildsentry/hooks/github-job-completed.sh
# (in the runner's .env). Runner.Worker runs it after the job's last step, inside the job.
#
# Shows the developer the verdict: the job's report so far is appended to the job summary
# ($GITHUB_STEP_SUMMARY) and each violation becomes an ::error annotation. The job does not end
# here (the daemon refuses that from inside a job); it ends when the worker exits.
# A killed job never gets here: the kill took its worker too.
set -u

buildsentry job report --format github ${GITHUB_STEP_SUMMARY:+--summary-file "$GITHUB_STEP_SUMMARY"} \
  ${BUILDSENTRY_SOCKET:+--socket "$BUILDSENTRY_SOCKET"} && exit 0
echo "::warning title=BuildSentry::the job's report could not be shown (exit $?)"
exit 0
