#!/usr/bin/env bash
# ApplicationStop hook: stops nothing, and never fails.
#
# CodeDeploy runs this hook from the copy of the most recent revision whose
# Install finished on this host (which may be a deployment that failed later),
# before it downloads the next revision, and skips it on the very first
# deployment. It cannot know whether the next release will work, so the live
# release keeps serving: ApplicationStart of the next release replaces it once
# the new one is healthy. A failing ApplicationStop would block every later
# deployment, so this hook only reports what runs and exits 0 whatever the
# state of the host (daemon down, files missing). It reads no bundle file.
#
# Overrides: SHIPLINE_DEPLOY_ROOT (default /opt), SHIPLINE_DEPLOY_DIR.
set -euo pipefail

hook=ApplicationStop
app='__APP_NAME__'

log() { printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$hook" "$*"; }

deploy_dir=${SHIPLINE_DEPLOY_DIR:-${SHIPLINE_DEPLOY_ROOT:-/opt}/$app}
live=$(cat "$deploy_dir/state/live" 2>/dev/null) || live=
if [[ -z $live ]]; then
	log "no release switched by this bundle yet in $deploy_dir: nothing to report"
	exit 0
fi
log "live release: ${live#* } ($app-${live%% *}); it keeps serving until the next release is healthy"
if command -v docker >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1; then
	running=$(timeout 10 docker ps --quiet --filter "label=com.docker.compose.project=$app-${live%% *}" 2>/dev/null) || running=
	if [[ -z $running ]]; then
		log "the live release's container is not running (docker down or stopped): the next deployment starts a new one"
	fi
fi
exit 0
