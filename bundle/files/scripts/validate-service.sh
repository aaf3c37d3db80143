#!/usr/bin/env bash
# ValidateService hook: checks the app over HTTP through the proxy.
#
# GETs http://localhost:$HTTP_PORT$HEALTH_CHECK_PATH (values from .env,
# defaults 80 and /health) until it answers 2xx/3xx or the deadline passes. A
# failure fails the deployment, and CodeDeploy can roll back: a rollback
# deploys the last good revision again, whose release.env pins its image by
# digest; the host still has that image (KEEP_RELEASES), so no registry is
# needed.
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

port=$(dotenv_get "$DOT_ENV" HTTP_PORT) || port=80
path=$(dotenv_get "$DOT_ENV" HEALTH_CHECK_PATH) || path=/health
[[ $port =~ ^[0-9]+$ ]] || die "HTTP_PORT is '$port', not a port number: fix the HTTP_PORT parameter"
[[ $path == /* ]] || path=/$path
url="http://localhost:${port}${path}"

errf=$(mktemp)
trap 'rm -f "$errf"' EXIT
attempt=0
end=$((SECONDS + deadline))
while :; do
	attempt=$((attempt + 1))
	if curl --globoff --fail --silent --show-error --output /dev/null --max-time 5 "$url" 2>"$errf"; then
		log "healthy: $url answered (try $attempt)"
		exit 0
	fi
	if ((SECONDS >= end)); then
		die "$url did not answer with success within ${deadline}s ($attempt tries, last: $(last_line "$errf")): read the proxy's log (docker compose -p $APP_NAME logs $PROXY_SERVICE) and check HTTP_PORT"
	fi
	sleep "$interval"
done
