#!/usr/bin/env bash
# ApplicationStart hook: starts the app with docker compose and waits until
# every service runs (and is healthy where it has a health check).
#
# Output goes to a log file, never to the agent: a command that keeps stdout
# open would make the CodeDeploy agent wait until the hook times out.
#
# Overrides: SHIPLINE_START_TIMEOUT (seconds to wait, default 300).
set -euo pipefail

HOOK=ApplicationStart
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shipline_init

start_timeout=${SHIPLINE_START_TIMEOUT:-300}
[[ $start_timeout =~ ^[1-9][0-9]*$ ]] ||
	die "SHIPLINE_START_TIMEOUT must be a positive number of seconds, got '$start_timeout'"
[[ -f $COMPOSE_FILE ]] ||
	die "$COMPOSE_FILE is missing: deploy the artifact built by the shipline buildspec"
[[ -f $DOT_ENV ]] ||
	die "$DOT_ENV is missing: the AfterInstall hook writes it; check its log in the deployment's events"

mkdir -p "$LOG_DIR"
logfile=$LOG_DIR/application-start.log
log "starting $APP_NAME (docker compose up --wait, ${start_timeout}s), output in $logfile"
{
	printf '\n== %s ApplicationStart\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >>"$logfile"
if ! compose up --detach --wait --wait-timeout "$start_timeout" --remove-orphans \
	</dev/null >>"$logfile" 2>&1; then
	tail -n 20 "$logfile" >&2 || true
	die "docker compose up did not get every service running and healthy within ${start_timeout}s: read $logfile and 'docker compose -p $APP_NAME logs'"
fi
log "started"
