#!/bin/bash
# GitLab runner hook (shell executor), in config.toml under [[runners]]:
#   post_build_script = "/usr/lib/buildsentry/hooks/gitlab-post-build.sh"
# GitLab runs post_build_script in the job's shell right after the job's script, so this runs
# inside the job: it prints the job's report so far into the job log, in a collapsible section
# (collapsed when the job is clean). GitLab skips it when the script failed, and a killed job
# never gets here.
set -u

buildsentry job report --format gitlab ${BUILDSENTRY_SOCKET:+--socket "$BUILDSENTRY_SOCKET"} && exit 0
echo "buildsentry: the job's report could not be shown (exit $?)" >&2
exit 0
