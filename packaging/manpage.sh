#!/usr/bin/env bash
# Prints buildsentry(1) in roff, made from the binary's own --help of every command, so that the page says what the
# packaged binary does.
#
# usage: packaging/manpage.sh BINARY VERSION
set -euo pipefail
binary=${1:?usage: $0 BINARY VERSION}
version=${2:?usage: $0 BINARY VERSION}

# One command's --help as a subsection: Description as a paragraph, Usage as the synopsis, each option and subcommand
# as a tagged paragraph. Roff escapes: a backslash, and a control character (. ') at the start of a line.
section() {
  "$binary" "$@" --help | awk -v title="buildsentry${*:+ $*}" '
    function roff(s) { gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s); sub(/^[.'"'"']/, "\\\\\\&&", s); return s }
    BEGIN { print ".SS \"" title "\"" }
    /^[A-Za-z].*:$/ { part = $0; next }
    /^$/ { next }
    {
      line = $0; sub(/^ +/, "", line)
      if (part == "Description:") { print roff(line) }
      else if (part == "Usage:") { print ".PP"; print ".B " roff(line) }
      else {
        split(line, cells, /  +/); text = substr(line, length(cells[1]) + 1); sub(/^ +/, "", text)
        if (line ~ /^[^ ]/ && text != "") { print ".TP"; print ".B " roff(cells[1]); print roff(text) }
        else { print roff(line) }
      }
    }'
  local sub
  for sub in $("$binary" "$@" --help | awk '/^Commands:$/ { on = 1; next } /^$/ { on = 0 } on { print $1 }'); do
    section "$@" "$sub"
  done
}

date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)
cat <<EOF
.TH BUILDSENTRY 1 "$date" "buildsentry $version" "BuildSentry"
.SH NAME
buildsentry \- egress monitor for self-hosted CI build agents
.SH SYNOPSIS
.B buildsentry
.I command
.RI [ options ]
.SH DESCRIPTION
BuildSentry watches every build job on a CI build agent: the processes it starts and the connections
and DNS queries they make. It holds each job to its egress profile, an allowlist of hosts, and alerts,
kills the job or refuses the connection when the job reaches anything else.
The daemon runs as the systemd service
.BR buildsentry.service ;
the other commands talk to it over its control socket or work on files.
.SH COMMANDS
EOF
section
cat <<'EOF'
.SH FILES
.TP
.I /etc/buildsentry/buildsentry.yaml
The daemon's configuration.
.TP
.I /etc/buildsentry/profiles/
Egress profiles; the shipped ones are also in
.IR /usr/lib/buildsentry/profiles/ .
.TP
.I /usr/lib/buildsentry/hooks/
Runner hooks that register jobs with the daemon.
.TP
.I /run/buildsentry/control.sock
The control socket.
.TP
.I /var/lib/buildsentry/reports/
Job reports.
.SH SEE ALSO
.BR systemctl (1),
.BR journalctl (1),
.I /usr/share/doc/buildsentry/README.md
EOF
