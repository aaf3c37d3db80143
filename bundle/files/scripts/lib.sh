# shellcheck shell=bash
# Helpers shared by the AfterInstall, ApplicationStart and ValidateService hooks
# of the shipline deploy bundle. Sourced, never executed. The hooks that run
# before Install (ApplicationStop, BeforeInstall) do not use it.
#
# Layout on the host (DEPLOY_DIR is /opt/<app>). The proxy mounts directories
# under state/ only: CodeDeploy's Install removes the directories it created
# in the previous Install and creates them anew, which a bind mount would not
# follow.
#   DEPLOY_DIR/                   the bundle, copied by CodeDeploy's Install
#   DEPLOY_DIR/.env               settings of the live release (compose reads it)
#   DEPLOY_DIR/state/live         "<colour> <release id>" of the release serving
#   DEPLOY_DIR/state/next         release id prepared by AfterInstall
#   DEPLOY_DIR/state/proxy/conf.d/   the live nginx/conf.d, mounted at /etc/nginx/conf.d
#   DEPLOY_DIR/state/proxy/upstream/ upstream.conf, mounted at /etc/nginx/shipline
#   DEPLOY_DIR/state/releases/ID/ release.env and settings.env of a kept release
#
#   DEPLOY_DIR/state/releases/ID/logging.yml  the compose override that sends
#                                 every service's output to CloudWatch Logs
#
# Overrides (for tests and manual runs):
#   SHIPLINE_DEPLOY_ROOT  parent of the deploy directory (default /opt)
#   SHIPLINE_DEPLOY_DIR   the deploy directory itself (default $SHIPLINE_DEPLOY_ROOT/<app>)
#   SHIPLINE_LOGS_ENDPOINT  a test hook: the CloudWatch Logs endpoint of the
#                         awslogs driver (awslogs-endpoint), such as a local
#                         emulator; hosts use the regional endpoint

# The build renders the app name here (as in appspec.yml).
SHIPLINE_APP_NAME='__APP_NAME__'

# The compose service switched between colours, and the proxy in front of it.
# shellcheck disable=SC2034 # used by the hooks that source this file
APP_SERVICE=app
# shellcheck disable=SC2034

PROXY_SERVICE=nginx

log() {
	printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${HOOK:-shipline}" "$*"
}

warn() {
	printf 'WARNING [%s]: %s\n' "${HOOK:-shipline}" "$*" >&2
}

# die prints one ERROR line (what is wrong and what to do) and exits 1.
die() {
	printf 'ERROR [%s]: %s\n' "${HOOK:-shipline}" "$*" >&2
	exit 1
}

# last_line FILE: the last non-empty line of FILE, for error messages.
last_line() {
	local line
	line=$(grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1 || true)
	printf '%s' "${line:-no output}"
}

# release_get FILE KEY: the value of KEY in release.env (plain KEY=value lines
# written by the buildspec). Fails when KEY is missing.
release_get() {
	local file=$1 key=$2 line
	[[ -f $file ]] || return 1
	while IFS= read -r line || [[ -n $line ]]; do
		if [[ $line == "$key="* ]]; then
			printf '%s' "${line#"$key="}"
			return 0
		fi
	done <"$file"
	return 1
}

# group_value PAIRS DEFAULT: this deployment group's value in PAIRS (the
# space-separated "<deployment group>=<value>" words of a release.env key such
# as PARAMETER_PATHS), else DEFAULT. One build serves every environment: each
# host picks its own by the group CodeDeploy deploys it with.
group_value() {
	local pair value=$2
	for pair in $1; do
		if [[ -n ${DEPLOYMENT_GROUP_NAME:-} && $pair == "$DEPLOYMENT_GROUP_NAME="* ]]; then
			value=${pair#*=}
		fi
	done
	printf '%s' "$value"
}

# Settings files (.env) hold one KEY="value" line per setting, in the
# double-quoted form of Compose's .env parser: \\ \" \$ \n \r \t \b \f and
# \0ooo (octal) are escapes, every other byte is literal. This form holds any
# Parameter Store value byte for byte, newlines included.

# dotenv_from_json BODY: turns the body of a JSON string as the aws CLI prints
# it (between the quotes) into the body of a Compose double-quoted value. The
# two share escapes, except that JSON writes other control characters as
# \u00XX and that '$' starts an interpolation in Compose.
dotenv_from_json() {
	local v=$1 hex oct
	v=${v//\\\\/$'\x01'} # JSON never prints a raw control character
	while [[ $v =~ \\u00([0-9a-fA-F]{2}) ]]; do
		hex=${BASH_REMATCH[1]}
		printf -v oct '%03o' "$((16#$hex))"
		v=${v//"\\u00$hex"/"\\0$oct"}
	done
	v=${v//\\\//\/}
	v=${v//\$/\\\$}
	v=${v//$'\x01'/\\\\}
	printf '%s' "$v"
}

# dotenv_get FILE KEY: the decoded value of KEY in a settings file written by
# the hooks. Fails when KEY is missing.
dotenv_get() {
	local file=$1 key=$2 line v
	[[ -f $file ]] || return 1
	while IFS= read -r line || [[ -n $line ]]; do
		[[ $line == "$key=\""*\" ]] || continue
		v=${line#"$key=\""}
		v=${v%\"}
		v=${v//\\\\/$'\x01'}
		v=${v//\\\"/\"}
		v=${v//\\\$/\$}
		v=${v//$'\x01'/\\\\}
		printf '%b' "$v"
		return 0
	done <"$file"
	return 1
}

# shellcheck disable=SC2034 # the variables are used by the hooks that source this file
# shipline_init sets APP_NAME, DEPLOY_DIR, RELEASE_ENV, DOT_ENV, COMPOSE_FILE,
# LOG_DIR, STATE_DIR, RELEASES_DIR, PROXY_DIR, PROXY_CONF_DIR, UPSTREAM_DIR,
# NGINX_CONF_SRC.
shipline_init() {
	APP_NAME=$SHIPLINE_APP_NAME
	if [[ $APP_NAME == "__APP""_NAME__" ]]; then
		die "the app name was never rendered into this bundle: deploy the artifact built by the shipline buildspec, not the raw bundle"
	fi
	if [[ ! $APP_NAME =~ ^[a-z0-9][a-z0-9_-]*$ ]]; then
		die "invalid app name '$APP_NAME': use lower-case letters, digits, '-' or '_' (it names the compose project)"
	fi
	DEPLOY_DIR=${SHIPLINE_DEPLOY_DIR:-${SHIPLINE_DEPLOY_ROOT:-/opt}/$APP_NAME}
	RELEASE_ENV=$DEPLOY_DIR/release.env
	DOT_ENV=$DEPLOY_DIR/.env
	COMPOSE_FILE=$DEPLOY_DIR/docker-compose.yml
	LOG_DIR=$DEPLOY_DIR/logs
	STATE_DIR=$DEPLOY_DIR/state
	RELEASES_DIR=$STATE_DIR/releases
	PROXY_DIR=$STATE_DIR/proxy
	PROXY_CONF_DIR=$PROXY_DIR/conf.d
	UPSTREAM_DIR=$PROXY_DIR/upstream
	NGINX_CONF_SRC=$DEPLOY_DIR/nginx/conf.d
	if [[ ! -d $DEPLOY_DIR ]]; then
		die "deploy directory $DEPLOY_DIR does not exist: check the files section of appspec.yml (destination /opt/$APP_NAME)"
	fi
}

# release_id IMAGE_URI: the id of a release, the hex of its image digest.
release_id() {
	local d=${1##*@sha256:}
	printf '%s' "$d"
}

# LOGGING_FILE, when a hook sets it, is the release's logging.yml: the last
# compose file of every compose call, so that its logging wins.
LOGGING_FILE=

# compose_with ENV_FILE ARGS...: docker compose on the main project (every
# service but the app) with the given settings.
compose_with() {
	local env_file=$1 files=(--file "$COMPOSE_FILE")
	shift
	if [[ -n $LOGGING_FILE ]]; then files+=(--file "$LOGGING_FILE"); fi
	docker compose --project-name "$APP_NAME" --project-directory "$DEPLOY_DIR" \
		"${files[@]}" --env-file "$env_file" "$@"
}

# compose_colour COLOUR ENV_FILE ARGS...: docker compose on the project of one
# colour of the app service (<app>-blue or <app>-green).
compose_colour() {
	local colour=$1 env_file=$2 files=(--file "$COMPOSE_FILE" --file "$STATE_DIR/colour.yml")
	shift 2
	if [[ -n $LOGGING_FILE ]]; then files+=(--file "$LOGGING_FILE"); fi
	docker compose --project-name "$APP_NAME-$colour" --project-directory "$DEPLOY_DIR" \
		"${files[@]}" --env-file "$env_file" "$@"
}

# live_release prints "<colour> <release id>" of the release serving, or
# nothing before the first switch.
live_release() {
	local line
	[[ -f $STATE_DIR/live ]] || return 0
	line=$(<"$STATE_DIR/live")
	if [[ $line =~ ^(blue|green)\ ([0-9a-f]{64})$ ]]; then
		printf '%s' "$line"
	fi
}

# write_atomic FILE MODE: writes stdin to FILE through a temporary file in the
# same directory, so readers see the old or the new content, never a part.
write_atomic() {
	local file=$1 mode=$2 tmp
	tmp=$(mktemp "$file.XXXXXX")
	if ! cat >"$tmp" || ! chmod "$mode" "$tmp" || ! mv -f "$tmp" "$file"; then
		rm -f "$tmp"
		return 1
	fi
}

# write_upstream DIR TARGET: the upstream file that points the proxy at TARGET
# (host:port), resolved per request through Docker's DNS.
write_upstream() {
	mkdir -p "$1"
	# shellcheck disable=SC2016 # nginx variables
	printf '# The live release, written by the shipline hooks. Do not edit.\nmap $host $shipline_app {\n    default "%s";\n}\n' \
		"$2" | write_atomic "$1/upstream.conf" 0644
}
