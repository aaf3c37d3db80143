#!/usr/bin/env bash
# ValidateService hook: checks the app over HTTP through the proxy.
#
# GETs http://localhost:$HTTP_PORT$HEALTH_CHECK_PATH (values from .env,
# defaults 80 and /health) until it answers 2xx/3xx or the deadline passes. A
# failure fails the deployment, and CodeDeploy can roll back: release.env pins
# the image by digest, so the previous revision brings back the previous image.
#
# Overrides: SHIPLINE_VALIDATE_TIMEOUT (deadline in seconds, default 120),
# SHIPLINE_VALIDATE_INTERVAL (seconds between tries, default 3).
set -euo pipefail

HOOK=ValidateService
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shipline_init

deadline=${SHIPLINE_VALIDATE_TIMEOUT:-120}
interval=${SHIPLINE_VALIDATE_INTERVAL:-3}
[[ $deadline =~ ^[0-9]+$ ]] || die "SHIPLINE_VALIDATE_TIMEOUT must be a number of seconds, got '$deadline'"
[[ $interval =~ ^[0-9]+([.][0-9]+)?$ ]] || die "SHIPLINE_VALIDATE_INTERVAL must be a number of seconds, got '$interval'"

port=$(env_get "$DOT_ENV" HTTP_PORT) || port=80
path=$(env_get "$DOT_ENV" HEALTH_CHECK_PATH) || path=/health
[[ $port =~ ^[0-9]+$ ]] || die "HTTP_PORT is '$port', not a port number: fix the HTTP_PORT parameter"
[[ $path == /* ]] || path=/$path
url="http://localhost:${port}${path}"

errf=$(mktemp)
trap 'rm -f "$errf"' EXIT
attempt=0
end=$((SECONDS + deadline))
while :; do
	attempt=$((attempt + 1))
	if curl --fail --silent --show-error --output /dev/null --max-time 5 "$url" 2>"$errf"; then
		log "healthy: $url answered (try $attempt)"
		exit 0
	fi
	if ((SECONDS >= end)); then
		die "$url did not answer with success within ${deadline}s ($attempt tries, last: $(last_line "$errf")): read 'docker compose -p $APP_NAME logs' and check the app's HEALTH_CHECK_PATH and ports"
	fi
	sleep "$interval"
done
