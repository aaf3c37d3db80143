#!/usr/bin/env bash
# AfterInstall hook: prepares the next release while the live one keeps serving.
# It changes nothing that runs; a failure here leaves the site as it was.
#
# 1. Reads release.env (written by the build): IMAGE_URI pinned by digest,
#    the parameter path, log group and AWS Region for this deployment group
#    (PARAMETER_PATHS, LOG_GROUPS and REGIONS, else PARAMETER_PATH, LOG_GROUP
#    and the build's AWS_REGION), the release settings. Parameter Store and
#    CloudWatch Logs are used in that Region; ECR in the image's own.
# 2. Pulls the release's images unless they are already on the host (then no
#    registry is needed) and checks the app image's architecture.
# 3. Reads the parameters directly under the path in one get-parameters-by-path
#    call and renders them into the release's settings file, byte for byte.
#    The read is not recursive: the host policy denies a recursive read of the
#    app's path, which would return the build secrets under <path>build/.
#    When Parameter Store cannot be read, a release deployed before
#    redeploys with the settings kept beside it.
# 4. Checks REQUIRED_SETTINGS (every missing name at once), the compose file
#    and the release's nginx configuration (nginx -t in a throwaway container
#    of the proxy image).
# 5. With a log group for this deployment group (LOG_GROUPS, else LOG_GROUP),
#    writes the release's logging.yml: every service logs to CloudWatch Logs
#    through Docker's awslogs driver, in non-blocking mode, so that an
#    unreachable CloudWatch never holds up a container. A daemon that
#    refuses those options leaves the release on Docker's own logging, with
#    a warning. Then records the release as the next one.
set -euo pipefail

HOOK=AfterInstall
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shipline_init

[[ -f $RELEASE_ENV ]] ||
	die "$RELEASE_ENV is missing: deploy the artifact built by the shipline buildspec, which writes it"
image_uri=$(release_get "$RELEASE_ENV" IMAGE_URI) || image_uri=
region=$(release_get "$RELEASE_ENV" AWS_REGION) || region=
parameter_path=$(release_get "$RELEASE_ENV" PARAMETER_PATH) || parameter_path=
parameter_paths=$(release_get "$RELEASE_ENV" PARAMETER_PATHS) || parameter_paths=
health_timeout=$(release_get "$RELEASE_ENV" HEALTH_TIMEOUT) || health_timeout=60
keep_releases=$(release_get "$RELEASE_ENV" KEEP_RELEASES) || keep_releases=3
required=$(release_get "$RELEASE_ENV" REQUIRED_SETTINGS) || required=
proxy_image=$(release_get "$RELEASE_ENV" PROXY_IMAGE) || proxy_image=
log_group=$(release_get "$RELEASE_ENV" LOG_GROUP) || log_group=
log_groups=$(release_get "$RELEASE_ENV" LOG_GROUPS) || log_groups=
regions=$(release_get "$RELEASE_ENV" REGIONS) || regions=

[[ $image_uri =~ ^[^@[:space:]]+@sha256:[0-9a-f]{64}$ ]] ||
	die "IMAGE_URI in $RELEASE_ENV is '$image_uri', not an image pinned by digest (repo@sha256:...): rebuild with the shipline buildspec"
# One build serves several deployment groups, each with its own path, log
# group and Region (that of its hosts, Parameter Store and log group).
parameter_path=$(group_value "$parameter_paths" "$parameter_path")
log_group=$(group_value "$log_groups" "$log_group")
region=$(group_value "$regions" "$region")
[[ $region =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] ||
	die "the Region for deployment group '${DEPLOYMENT_GROUP_NAME:-}' is '$region', not an AWS Region like eu-west-1: fix REGIONS (or AWS_DEFAULT_REGION) of the build"
[[ -z $log_group || $log_group =~ ^[A-Za-z0-9_/.#-]{1,512}$ ]] ||
	die "the log group for deployment group '${DEPLOYMENT_GROUP_NAME:-}' is '$log_group', not a CloudWatch Logs group name: fix LOG_GROUP or LOG_GROUPS of the build"
[[ $parameter_path =~ ^/([A-Za-z0-9_.-]+/)*$ ]] ||
	die "the parameter path for deployment group '${DEPLOYMENT_GROUP_NAME:-}' is '$parameter_path', not a Parameter Store path like /web/: fix PARAMETER_PATH or PARAMETER_PATHS of the build"
# ApplicationStart has 600 s (appspec.yml): room for the start, the drain and the stop.
if [[ ! $health_timeout =~ ^[1-9][0-9]*$ ]] || ((health_timeout > 480)); then
	die "HEALTH_TIMEOUT in $RELEASE_ENV is '$health_timeout', not a number of seconds from 1 to 480: fix the stack's health timeout setting"
fi
[[ $keep_releases =~ ^[1-9][0-9]*$ ]] ||
	die "KEEP_RELEASES in $RELEASE_ENV is '$keep_releases', not a positive number: fix the stack's setting"
for name in $required; do
	[[ $name =~ ^[A-Z_][A-Z0-9_]*$ ]] ||
		die "REQUIRED_SETTINGS in $RELEASE_ENV holds '$name', not a variable name (A-Z, 0-9, _): fix the stack's required settings"
done
[[ -z $proxy_image || $proxy_image =~ ^[^[:space:]\"\$]+$ ]] ||
	die "PROXY_IMAGE in $RELEASE_ENV is '$proxy_image', not an image reference: fix the stack's proxy image"

id=$(release_id "$image_uri")
release_dir=$RELEASES_DIR/$id
errf=$(mktemp)
trap 'rm -f "$errf"' EXIT

# --- images -----------------------------------------------------------------
declare -A logged_in=()
# login_for IMAGE: logs docker in to IMAGE's registry when it is an ECR one.
login_for() {
	local registry=${1%%/*} ecr_region password
	[[ $registry =~ ^[0-9]+[.]dkr[.]ecr(-fips)?[.]([a-z0-9-]+)[.]amazonaws[.]com([.]cn)?$ ]] || return 0
	ecr_region=${BASH_REMATCH[2]}
	[[ -z ${logged_in[$registry]:-} ]] || return 0
	log "logging in to $registry"
	password=$(aws ecr get-login-password --region "$ecr_region" 2>"$errf") ||
		die "could not get an ECR login token in $ecr_region ($(last_line "$errf")): give the instance profile ecr:GetAuthorizationToken, and remove stale keys in /root/.aws/credentials"
	printf '%s' "$password" | docker login --username AWS --password-stdin "$registry" >/dev/null 2>"$errf" ||
		die "docker login to $registry failed ($(last_line "$errf")): check that the docker daemon runs and the registry is reachable from this host"
	logged_in[$registry]=1
}

# fetch IMAGE: pulls IMAGE unless the host has it already.
fetch() {
	if docker image inspect "$1" >/dev/null 2>&1; then
		log "$1 is already on this host: not pulling"
		return 0
	fi
	login_for "$1"
	log "pulling $1"
	docker pull --quiet "$1" >/dev/null 2>"$errf" ||
		die "could not pull $1 ($(last_line "$errf")): check that the image exists and that the instance profile may pull it (ecr:BatchGetImage, ecr:GetDownloadUrlForLayer)"
}

fetch "$image_uri"
image_arch=$(docker image inspect --format '{{.Architecture}}' "$image_uri" 2>"$errf") ||
	die "could not inspect $image_uri ($(last_line "$errf")): check the docker daemon"
machine=$(uname -m)
case $machine in
x86_64 | amd64) host_arch=amd64 ;;
aarch64 | arm64) host_arch=arm64 ;;
*) host_arch=$machine ;;
esac
if [[ $image_arch != "$host_arch" ]]; then
	die "image $image_uri is built for linux/$image_arch but this host is $machine (linux/$host_arch): build for linux/$host_arch (IMAGE_PLATFORM) or deploy to $image_arch hosts, else the app fails with 'exec format error'"
fi
log "image architecture $image_arch matches the host ($machine)"

# --- settings ---------------------------------------------------------------
# read_parameters prints the settings file for the parameters under the path.
# The aws CLI follows pagination itself; its JSON output puts every string on
# a line of its own, names and values alternating.
read_parameters() {
	local query json line body name='' key count=0
	local -A seen=()
	# The build/ filter is a second guard: a non-recursive read never returns them.
	query="Parameters[?!starts_with(Name, '${parameter_path}build/')].[Name,Value]"
	json=$(PYTHONIOENCODING=UTF-8 aws ssm get-parameters-by-path --region "$region" --path "$parameter_path" \
		--with-decryption --cli-connect-timeout 10 --query "$query" --output json 2>"$errf") || return 3
	printf '# Written by the AfterInstall hook from %s in %s. Do not edit: change Parameter Store.\n' "$parameter_path" "$region"
	while IFS= read -r line; do
		body=${line#"${line%%[![:space:]]*}"}
		[[ $body == \"* ]] || continue
		body=${body%,}
		body=${body#\"}
		body=${body%\"}
		if [[ -z $name ]]; then
			name=$body
			continue
		fi
		key=${name#"$parameter_path"}
		key=${key//[\/.-]/_}
		key=${key^^}
		[[ $key =~ ^[A-Z_][A-Z0-9_]*$ ]] ||
			die "parameter $name gives the variable name '$key', which is not valid: rename it (letters, digits, '_', '-', '.', '/'; not starting with a digit)"
		[[ $key != IMAGE_URI && $key != PROXY_IMAGE ]] ||
			die "parameter $name would override $key, which the deployment sets: rename or delete it"
		[[ -z ${seen[$key]:-} ]] ||
			die "parameters ${seen[$key]} and $name both give the variable $key: rename one of them"
		seen[$key]=$name
		printf '%s="%s"\n' "$key" "$(dotenv_from_json "$body")"
		count=$((count + 1))
		name=
	done <<<"$json"
	((count > 0)) ||
		die "no parameters under $parameter_path in $region: create at least the app's settings there (e.g. ${parameter_path}APP_PORT) or fix PARAMETER_PATH, PARAMETER_PATHS or REGIONS of the build"
	printf 'IMAGE_URI="%s"\n' "$image_uri"
	if [[ -n $proxy_image ]]; then printf 'PROXY_IMAGE="%s"\n' "$proxy_image"; fi
}

mkdir -p "$release_dir"
chmod 0700 "$STATE_DIR" "$RELEASES_DIR"
settings=$release_dir/settings.env
log "reading parameters under $parameter_path in $region"
start=$SECONDS
rc=0
content=$(read_parameters) || rc=$?
if ((rc == 0)); then
	printf '%s\n' "$content" | write_atomic "$settings" 0600
	log "rendered $(grep -c '^[A-Z_]' "$settings") variables in $((SECONDS - start))s"
elif ((rc != 3)); then
	exit "$rc"
elif [[ -s $settings ]]; then
	warn "could not read parameters under $parameter_path in $region ($(last_line "$errf")): using the settings kept with this release on $(date -u -r "$settings" +%Y-%m-%dT%H:%M:%SZ)"
else
	die "could not read parameters under $parameter_path in $region ($(last_line "$errf")): give the instance profile ssm:GetParametersByPath on that path and kms:Decrypt for its keys, and remove stale keys in /root/.aws/credentials"
fi
cp -f "$RELEASE_ENV" "$release_dir/release.env"

missing=()
for name in $required; do
	grep -q "^$name=" "$settings" || missing+=("$name")
done
((${#missing[@]} == 0)) ||
	die "required settings missing under $parameter_path: ${missing[*]}: create them in Parameter Store (or remove them from the stack's required settings)"

# --- compose file and proxy -------------------------------------------------
services=$(compose_with "$settings" config --services 2>"$errf") ||
	die "$COMPOSE_FILE does not load ($(last_line "$errf")): fix the compose file of the repository"
for s in "$APP_SERVICE" "$PROXY_SERVICE"; do
	grep -qx "$s" <<<"$services" ||
		die "$COMPOSE_FILE has no service '$s': the app runs as service '$APP_SERVICE' behind a proxy service '$PROXY_SERVICE' (see the README)"
done
images=$(compose_with "$settings" config --images 2>"$errf") ||
	die "could not list the images of $COMPOSE_FILE ($(last_line "$errf")): fix the compose file"
while IFS= read -r image; do
	[[ -z $image || $image == "$image_uri" ]] || fetch "$image"
done <<<"$images"

# The release's nginx configuration, checked in a container of its own: the
# live proxy reads it only at the switch.
[[ -d $NGINX_CONF_SRC ]] ||
	die "$NGINX_CONF_SRC is missing: keep nginx/conf.d in the repository's nginx/ folder (see the README)"
# Compose reads the services' env_file (.env) to pick one service: on the
# very first deployment nothing runs yet and .env does not exist.
if [[ ! -e $DOT_ENV ]]; then install -m 0600 /dev/null "$DOT_ENV"; fi
proxy_image=$(compose_with "$settings" config --images "$PROXY_SERVICE" 2>"$errf") ||
	die "could not read the image of service $PROXY_SERVICE ($(last_line "$errf")): fix the compose file"
check_dir=$(mktemp -d "$STATE_DIR/nginx-check.XXXXXX")
trap 'rm -f "$errf"; rm -rf "$check_dir"' EXIT
write_upstream "$check_dir" "127.0.0.1:1"
docker run --rm --network none --entrypoint nginx \
	--volume "$NGINX_CONF_SRC:/etc/nginx/conf.d:ro" --volume "$check_dir:/etc/nginx/shipline:ro" \
	"$proxy_image" -t >"$errf" 2>&1 ||
	die "nginx rejects the release's configuration ($(grep -m1 emerg "$errf" || last_line "$errf")): fix nginx/conf.d in the repository"

# --- container logs ---------------------------------------------------------
# host_label: this host in log stream names: its EC2 instance id (a Nitro
# instance's DMI asset tag holds it, no network needed), else its hostname.
# Stream names may not hold ':' or '*'.
host_label() {
	local name
	name=$(cat /sys/devices/virtual/dmi/id/board_asset_tag 2>/dev/null) || name=
	[[ $name =~ ^i-[0-9a-f]{8,32}$ ]] || name=$(hostname 2>/dev/null) || name=
	name=${name//[^A-Za-z0-9._-]/_}
	printf '%s' "${name:-host}"
}

# logging_opts STREAM: the awslogs driver's options, KEY=VALUE lines. The
# group exists (the stack creates it; the host may not create groups) in the
# deployment group's Region, and non-blocking mode keeps up to max-buffer-size
# of output in memory when CloudWatch does not answer, then drops lines
# rather than block the app. docker logs keeps working from the daemon's
# local cache, capped as the json-file logs were.
logging_opts() {
	printf '%s\n' "awslogs-region=$region" "awslogs-group=$log_group" "awslogs-stream=$1" \
		awslogs-create-group=false mode=non-blocking max-buffer-size=4m cache-max-size=10m cache-max-file=3
	if [[ -n ${SHIPLINE_LOGS_ENDPOINT:-} ]]; then printf 'awslogs-endpoint=%s\n' "$SHIPLINE_LOGS_ENDPOINT"; fi
}

# write_logging FILE: the compose override that sends each service's output
# to its own stream: <host>/<service>, and <host>/app/<release> for the app.
# Streams of the other services do not name the release: a change of their
# definition would recreate them (the proxy) at every release.
write_logging() {
	local host s stream kv
	host=$(host_label)
	{
		printf '# Written by the AfterInstall hook: the services log to CloudWatch Logs group %s.\nservices:\n' "$log_group"
		while IFS= read -r s; do
			[[ -n $s ]] || continue
			stream=$host/$s
			if [[ $s == "$APP_SERVICE" ]]; then stream+=/${id:0:12}; fi
			printf '  "%s":\n    logging:\n      driver: awslogs\n      options:\n' "$s"
			while IFS= read -r kv; do
				printf '        %s: "%s"\n' "${kv%%=*}" "${kv#*=}"
			done < <(logging_opts "$stream")
		done <<<"$services"
	} | write_atomic "$1" 0644
}

# logging_refused: why the daemon cannot run a container with the awslogs
# options, if it cannot: the driver missing, an option it does not know, no
# client for the region. A throwaway container of the proxy image starts
# with them (stream <host>/deploy-check). It does not wait for CloudWatch:
# in non-blocking mode the driver creates its stream in the background.
logging_refused() {
	local args=() kv
	while IFS= read -r kv; do args+=(--log-opt "$kv"); done < <(logging_opts "$(host_label)/deploy-check")
	if ! docker run --rm --network none --log-driver awslogs "${args[@]}" --entrypoint nginx "$proxy_image" -v >/dev/null 2>"$errf"; then
		last_line "$errf"
		return 0
	fi
	return 1
}

logging=$release_dir/logging.yml
rm -f "$logging"
if [[ -z $log_group ]]; then
	if [[ -n $log_groups ]]; then
		warn "LOG_GROUPS names no log group for deployment group '${DEPLOYMENT_GROUP_NAME:-}': the containers log to Docker's own logs on this host only; deploy the stack again so that the build gets this group's log group"
	fi
	log "no log group in $RELEASE_ENV: the containers keep Docker's own logging"
elif why=$(logging_refused); then
	warn "the docker daemon refuses the awslogs driver ($why): release ${id:0:12} logs to Docker's own logs on this host only; use Docker 20.10 or later with its built-in awslogs driver, and no AWS_* settings in the daemon's environment that break its AWS client"
else
	write_logging "$logging"
	LOGGING_FILE=$logging
	compose_with "$settings" config --quiet 2>"$errf" ||
		die "$COMPOSE_FILE does not load with the logging override $logging ($(last_line "$errf")): fix the compose file"
	log "the services log to CloudWatch Logs group $log_group in $region (streams $(host_label)/<service>)"
fi

printf '%s\n' "$id" | write_atomic "$STATE_DIR/next" 0600
log "release $id is ready (${health_timeout}s to turn healthy, $keep_releases releases kept)"
