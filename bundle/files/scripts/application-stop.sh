#!/usr/bin/env bash
# ApplicationStop hook: stops the running app gracefully.
#
# CodeDeploy runs this hook from the PREVIOUS revision's copy, and skips it on
# the very first deployment. It must tolerate no previous deployment, no compose
# file and nothing running: it exits 0 then. It reads no other bundle file.
#
# Overrides: SHIPLINE_DEPLOY_ROOT (default /opt), SHIPLINE_DEPLOY_DIR,
# SHIPLINE_STOP_TIMEOUT (seconds given to containers to stop, default 30).
set -euo pipefail

hook=ApplicationStop
app='__APP_NAME__'
stop_timeout=${SHIPLINE_STOP_TIMEOUT:-30}

log() { printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$hook" "$*"; }
warn() { printf 'WARNING [%s]: %s\n' "$hook" "$*" >&2; }
die() {
	printf 'ERROR [%s]: %s\n' "$hook" "$*" >&2
	exit 1
}

if [[ $app == "__APP""_NAME__" ]]; then
	warn "the app name was never rendered into the previous revision: nothing to stop"
	exit 0
fi
if [[ ! $stop_timeout =~ ^[0-9]+$ ]]; then
	die "SHIPLINE_STOP_TIMEOUT must be a number of seconds, got '$stop_timeout'"
fi

deploy_dir=${SHIPLINE_DEPLOY_DIR:-${SHIPLINE_DEPLOY_ROOT:-/opt}/$app}
compose_file=$deploy_dir/docker-compose.yml

if [[ ! -f $compose_file ]]; then
	log "no previous deployment in $deploy_dir (no docker-compose.yml): nothing to stop"
	exit 0
fi
if ! command -v docker >/dev/null 2>&1; then
	warn "docker is not installed: nothing to stop"
	exit 0
fi

args=(--project-name "$app" --project-directory "$deploy_dir" --file "$compose_file")
if [[ -f $deploy_dir/.env ]]; then
	args+=(--env-file "$deploy_dir/.env")
fi

log "stopping $app (docker compose down, ${stop_timeout}s grace)"
if docker compose "${args[@]}" down --timeout "$stop_timeout" --remove-orphans </dev/null; then
	log "stopped"
	exit 0
fi

# The compose file may not load any more (e.g. .env was removed): stop the
# project by name, which needs no compose file.
warn "docker compose down with $compose_file failed: stopping project '$app' by name"
if docker compose --project-name "$app" down --timeout "$stop_timeout" --remove-orphans </dev/null; then
	log "stopped"
	exit 0
fi
die "could not stop project '$app': inspect it with 'docker compose -p $app ps' and stop it by hand (docker compose -p $app down), then retry the deployment"
