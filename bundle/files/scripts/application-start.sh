#!/usr/bin/env bash
# ApplicationStart hook: switches to the release prepared by AfterInstall
# without dropping a request.
#
# 1. Starts the release's app service as a new colour (compose project
#    <app>-blue or <app>-green) beside the live one, on the main project's
#    networks and volumes; services that are not running yet start first.
# 2. Waits until it is healthy: the image's HEALTHCHECK when it has one, else
#    an HTTP GET of HEALTH_CHECK_PATH on the container, from the proxy. A
#    release that does not turn healthy within HEALTH_TIMEOUT is removed and
#    the hook fails with its last log lines; the live release never stopped.
# 3. Updates the other services of the main project (compose recreates only
#    those whose definition changed), points the proxy's upstream file at the
#    new colour (atomically, checked with nginx -t) and reloads nginx
#    gracefully.
# 4. Waits for the old nginx workers to finish their requests, stops the old
#    colour with its grace period and prunes release images beyond
#    KEEP_RELEASES (never one that runs).
#
# Overrides: SHIPLINE_DRAIN_TIMEOUT (seconds the old workers get, default 30).
set -euo pipefail

HOOK=ApplicationStart
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shipline_init

drain_timeout=${SHIPLINE_DRAIN_TIMEOUT:-30}
[[ $drain_timeout =~ ^[0-9]+$ ]] || die "SHIPLINE_DRAIN_TIMEOUT must be a number of seconds, got '$drain_timeout'"
[[ -f $COMPOSE_FILE ]] || die "$COMPOSE_FILE is missing: deploy the artifact built by the shipline buildspec"
id=$(cat "$STATE_DIR/next" 2>/dev/null) || id=
[[ $id =~ ^[0-9a-f]{64}$ ]] ||
	die "no release prepared in $STATE_DIR/next: the AfterInstall hook prepares it; check its output in the deployment's events"
release_dir=$RELEASES_DIR/$id
settings=$release_dir/settings.env
[[ -s $settings ]] || die "$settings is missing: run the deployment again (AfterInstall writes it)"
# AfterInstall wrote the release's logging override when it logs to
# CloudWatch Logs.
if [[ -f $release_dir/logging.yml ]]; then LOGGING_FILE=$release_dir/logging.yml; fi
health_timeout=$(release_get "$release_dir/release.env" HEALTH_TIMEOUT) || health_timeout=60
keep_releases=$(release_get "$release_dir/release.env" KEEP_RELEASES) || keep_releases=3
image_uri=$(dotenv_get "$settings" IMAGE_URI) || die "$settings has no IMAGE_URI: run the deployment again"
app_port=$(dotenv_get "$settings" APP_PORT) || app_port=8080
health_path=$(dotenv_get "$settings" HEALTH_CHECK_PATH) || health_path=/health
[[ $app_port =~ ^[0-9]+$ ]] || die "APP_PORT is '$app_port', not a port number: fix the APP_PORT parameter"
[[ $health_path == /* ]] || health_path=/$health_path

live=$(live_release)
live_colour=${live%% *}
live_id=${live##* }
new=blue
if [[ $live_colour == blue ]]; then new=green; fi
short=${id:0:12}

mkdir -p "$LOG_DIR" "$PROXY_CONF_DIR" "$UPSTREAM_DIR"
logfile=$LOG_DIR/application-start.log
printf '== %s ApplicationStart of %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$image_uri" >"$logfile"
errf=$(mktemp)
trap 'rm -f "$errf"' EXIT

# containers LABEL=VALUE...: ids of the containers with these compose labels.
containers() {
	local args=(--all --quiet) l
	for l in "$@"; do args+=(--filter "label=com.docker.compose.$l"); done
	docker ps "${args[@]}"
}

# remove IDS...: stops containers with their own grace period, then removes them.
remove() {
	(($# > 0)) || return 0
	docker stop "$@" >>"$logfile" 2>&1 || true
	docker rm --force "$@" >>"$logfile" 2>&1 || true
}

# use_settings FILE: makes FILE the settings compose reads from .env.
use_settings() {
	write_atomic "$DOT_ENV" 0600 <"$1"
}

# proxy_container: the id of the running proxy, if any.
proxy_container() {
	docker ps --quiet --filter "label=com.docker.compose.project=$APP_NAME" \
		--filter "label=com.docker.compose.service=$PROXY_SERVICE" | head -n 1
}

# sync_proxy_conf: makes the release's nginx/conf.d the proxy's, keeping the
# previous one in conf.d.prev. The mounted directory itself stays.
sync_proxy_conf() {
	mkdir -p "$PROXY_CONF_DIR"
	rm -rf "$PROXY_DIR/conf.d.prev"
	cp -a "$PROXY_CONF_DIR" "$PROXY_DIR/conf.d.prev"
	find "$PROXY_CONF_DIR" -mindepth 1 -delete
	cp -R "$NGINX_CONF_SRC/." "$PROXY_CONF_DIR/"
}

# restore_proxy: puts back the proxy's previous configuration and upstream.
restore_proxy() {
	if [[ -d $PROXY_DIR/conf.d.prev ]]; then
		find "$PROXY_CONF_DIR" -mindepth 1 -delete
		cp -a "$PROXY_DIR/conf.d.prev/." "$PROXY_CONF_DIR/"
	fi
	if [[ -f $UPSTREAM_DIR/upstream.conf.prev ]]; then
		mv -f "$UPSTREAM_DIR/upstream.conf.prev" "$UPSTREAM_DIR/upstream.conf"
	fi
}

# shared_resources prints "<kind> <key> <name> <external>" for each network
# and volume of the main project, from its normalized compose model.
shared_resources() {
	compose_with "$settings" config 2>"$errf" | awk '
		/^[^ ]/ { kind = ($0 == "networks:" ? "network" : ($0 == "volumes:" ? "volume" : "")); next }
		kind == "" { next }
		/^  [^ ]/ { if (key != "") print kind0, key, name, ext; key = substr($0, 3); sub(/:$/, "", key); kind0 = kind; name = ""; ext = "false"; next }
		/^    name: / { name = substr($0, 11); gsub(/^"|"$/, "", name); next }
		/^    external: true$/ { ext = "true" }
		END { if (key != "") print kind0, key, name, ext }'
}

# write_colour_file: the override that puts a colour project on the main
# project's networks and volumes, creating those only the app uses.
write_colour_file() {
	local kind key name ext nets="" vols=""
	while read -r kind key name ext; do
		if [[ $ext != true ]]; then
			if ! docker "$kind" inspect "$name" >/dev/null 2>&1; then
				docker "$kind" create --label "com.docker.compose.project=$APP_NAME" \
					--label "com.docker.compose.$kind=$key" "$name" >>"$logfile" 2>&1 ||
					die "could not create $kind $name for the app: see $logfile"
			fi
		fi
		local entry
		entry=$(printf '  "%s":\n    name: "%s"\n    external: true\n' "$key" "$name")
		if [[ $kind == network ]]; then nets+=$entry$'\n'; else vols+=$entry$'\n'; fi
	done < <(shared_resources)
	{
		printf '# Written by the ApplicationStart hook: the colours of the app share the\n# networks and volumes of project %s.\n' "$APP_NAME"
		if [[ -n $nets ]]; then printf 'networks:\n%s' "$nets"; fi
		if [[ -n $vols ]]; then printf 'volumes:\n%s' "$vols"; fi
	} | write_atomic "$STATE_DIR/colour.yml" 0644
}

# fail_new WHY: removes the new colour, puts back the live settings and fails.
fail_new() {
	local cid=${new_cid:-}
	if [[ -n $cid ]]; then
		printf -- '--- last lines of the log of release %s (container %s) ---\n' "$short" "${new_name:-}" >&2
		docker logs --tail 20 "$cid" 2>&1 | sed 's/^/  /' >&2 || true
		printf -- '---\n' >&2
	fi
	# shellcheck disable=SC2046 # container ids
	remove $(containers "project=$APP_NAME-$new")
	if [[ -n $live_id && -s $RELEASES_DIR/$live_id/settings.env ]]; then
		use_settings "$RELEASES_DIR/$live_id/settings.env" || true
	fi
	if [[ -n $live ]]; then
		die "$1; release $short was removed and the live release ${live_id:0:12} ($live_colour) keeps serving"
	fi
	die "$1; release $short was removed"
}

# --- start the new colour beside the live one -------------------------------
# Leftovers of an interrupted deployment in the new colour never serve.
# shellcheck disable=SC2046 # container ids
remove $(containers "project=$APP_NAME-$new")
use_settings "$settings"
services=$(compose_with "$settings" config --services 2>"$errf") ||
	fail_new "$COMPOSE_FILE does not load ($(last_line "$errf"))"
others=()
while IFS= read -r s; do
	if [[ -n $s && $s != "$APP_SERVICE" ]]; then others+=("$s"); fi
done <<<"$services"
running=$(docker ps --filter "label=com.docker.compose.project=$APP_NAME" --format '{{.Label "com.docker.compose.service"}}')
missing=()
for s in "${others[@]}"; do
	grep -qx "$s" <<<"$running" || missing+=("$s")
done
if [[ ! -f $UPSTREAM_DIR/upstream.conf ]]; then
	# The proxy's first start: nothing serves yet.
	write_upstream "$UPSTREAM_DIR" "$APP_NAME-${live_colour:-$new}-$APP_SERVICE-1:$app_port"
	sync_proxy_conf
fi
if ((${#missing[@]} > 0)); then
	log "starting ${missing[*]} (not running yet)"
	compose_with "$settings" up --detach --no-deps --no-build --pull never "${missing[@]}" </dev/null >>"$logfile" 2>&1 ||
		fail_new "could not start ${missing[*]} ($(last_line "$logfile")): read $logfile"
fi
write_colour_file
log "starting release $short as $APP_NAME-$new"
compose_colour "$new" "$settings" up --detach --no-deps --no-build --pull never "$APP_SERVICE" </dev/null >>"$logfile" 2>&1 ||
	fail_new "could not start the app ($(last_line "$logfile")): read $logfile"
new_cid=$(containers "project=$APP_NAME-$new" "service=$APP_SERVICE" | head -n 1)
[[ -n $new_cid ]] || fail_new "the app container of $APP_NAME-$new did not appear"
new_name=$(docker inspect --format '{{.Name}}' "$new_cid")
new_name=${new_name#/}

# --- wait until it is healthy -----------------------------------------------
has_check=$(docker inspect --format '{{if .State.Health}}yes{{end}}' "$new_cid")
if [[ -n $has_check ]]; then
	how="its HEALTHCHECK"
else
	how="GET http://$new_name:$app_port$health_path from the proxy"
fi
log "waiting up to ${health_timeout}s for $how"
start=$SECONDS
deadline=$((SECONDS + health_timeout))
while :; do
	read -r status restarts health < <(docker inspect \
		--format '{{.State.Status}} {{.RestartCount}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' "$new_cid" 2>/dev/null ||
		echo gone 0)
	case $status in
	exited | dead | gone) fail_new "the new app container stopped (status $status) before it was healthy" ;;
	esac
	((restarts == 0)) || fail_new "the new app container restarted $restarts time(s) before it was healthy"
	if [[ -n $has_check ]]; then
		[[ $health != healthy ]] || break
		[[ $health != unhealthy ]] || fail_new "the new app turned unhealthy (its HEALTHCHECK failed) after $((SECONDS - start))s"
	else
		proxy=$(proxy_container)
		[[ -n $proxy ]] || fail_new "no proxy container ($PROXY_SERVICE) runs to check the app from: read $logfile"
		# The URL is one argument: no value of HEALTH_CHECK_PATH reaches a shell.
		if timeout 5 docker exec "$proxy" wget -q -O /dev/null "http://$new_name:$app_port$health_path" >/dev/null 2>&1; then
			break
		fi
	fi
	((SECONDS < deadline)) ||
		fail_new "the new app did not turn healthy within ${health_timeout}s (HEALTH_TIMEOUT; checked with $how)"
	sleep 1
done
log "release $short is healthy after $((SECONDS - start))s"

# --- update the other services, then switch the proxy -----------------------
log "updating ${others[*]} (recreated only where the definition changed)"
compose_with "$settings" up --detach --no-deps --no-build --pull never --remove-orphans "${others[@]}" </dev/null >>"$logfile" 2>&1 ||
	fail_new "could not update ${others[*]} ($(last_line "$logfile")): read $logfile"
proxy=$(proxy_container)
[[ -n $proxy ]] || fail_new "the proxy ($PROXY_SERVICE) is not running: read $logfile"
old_workers=$(docker top "$proxy" -o pid,args 2>/dev/null | awk '/nginx: worker process/ { print $1 }') || old_workers=
cp -f "$UPSTREAM_DIR/upstream.conf" "$UPSTREAM_DIR/upstream.conf.prev"
sync_proxy_conf
write_upstream "$UPSTREAM_DIR" "$new_name:$app_port"
if ! docker exec "$proxy" nginx -t >"$errf" 2>&1; then
	restore_proxy
	fail_new "the proxy rejects its configuration ($(grep -m1 emerg "$errf" || last_line "$errf")): fix nginx/conf.d"
fi
if ! docker exec "$proxy" nginx -s reload >"$errf" 2>&1; then
	restore_proxy
	fail_new "nginx -s reload failed ($(last_line "$errf"))"
fi
printf '%s %s\n' "$new" "$id" | write_atomic "$STATE_DIR/live" 0644
touch "$release_dir/live-at"
log "switched the proxy to $new_name (release $short)"

# --- drain and stop the old release -----------------------------------------
# The old nginx workers finish their requests, then exit.
end=$((SECONDS + drain_timeout))
for pid in $old_workers; do
	while ((SECONDS < end)) && docker top "$proxy" -o pid 2>/dev/null | awk -v p="$pid" '$1 == p { f = 1 } END { exit !f }'; do
		sleep 0.2
	done
done
if [[ -n $live_colour ]]; then
	log "stopping the old release ${live_id:0:12} ($APP_NAME-$live_colour) with its grace period"
	# shellcheck disable=SC2046 # container ids
	remove $(containers "project=$APP_NAME-$live_colour")
fi
# The app of a 0.1.0 deployment ran in the main project.
# shellcheck disable=SC2046 # container ids
remove $(containers "project=$APP_NAME" "service=$APP_SERVICE")

# --- keep KEEP_RELEASES releases --------------------------------------------
# prune DIR: removes a release's image (unless a container uses it) and files.
prune() {
	local dir=$1 image
	image=$(dotenv_get "$dir/settings.env" IMAGE_URI) || image=
	if [[ -n $image ]] && docker image inspect "$image" >/dev/null 2>&1; then
		if ! docker image rm "$image" >>"$logfile" 2>&1; then
			warn "could not remove $image (still used?): see $logfile"
			return 0
		fi
		log "pruned release ${dir##*/} ($image)"
	fi
	rm -rf "$dir"
}
kept=1
# Releases that were live, most recent first; the others never served.
while IFS= read -r dir; do
	[[ ${dir##*/} != "$id" ]] || continue
	if ((kept < keep_releases)); then
		kept=$((kept + 1))
	else
		prune "$dir"
	fi
done < <(find "$RELEASES_DIR" -mindepth 2 -maxdepth 2 -name live-at -printf '%T@ %h\n' | sort -rn | cut -d' ' -f2-)
for dir in "$RELEASES_DIR"/*/; do
	dir=${dir%/}
	if [[ ${dir##*/} != "$id" && ! -f $dir/live-at ]]; then prune "$dir"; fi
done
log "release $short is live"
