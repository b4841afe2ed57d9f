#!/bin/bash
# GitLab runner hook (shell executor), in config.toml under [[runners]]:
#   pre_build_script = "/usr/lib/buildsentry/hooks/gitlab-pre-build.sh"
# GitLab runs pre_build_script in the same shell as the job's script, just before it, so the
# job's root is that build shell: this script's parent. The job ends when the shell exits.
# after_script runs in a shell of its own and is not part of the job.
# No --spare-root: the root is the shell running the job's own script, and a kill must stop it.
#
# If the daemon cannot register the job, the hook fails and so does the job.
# BUILDSENTRY_FAIL_OPEN=true lets the job run unmonitored.
set -u

buildsentry job start --root-pid "$PPID" ${BUILDSENTRY_SOCKET:+--socket "$BUILDSENTRY_SOCKET"} && exit 0
status=$?
echo "buildsentry: the job could not be registered (exit $status)" >&2
[ "${BUILDSENTRY_FAIL_OPEN:-false}" = "true" ] && exit 0
exit "$status"
