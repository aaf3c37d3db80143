# shellcheck shell=bash
# Helpers shared by the AfterInstall, ApplicationStart and ValidateService hooks
# of the shipline deploy bundle. Sourced, never executed. The hooks that run
# before Install (ApplicationStop, BeforeInstall) do not use it.
#
# Overrides (for tests and manual runs):
#   SHIPLINE_DEPLOY_ROOT  parent of the deploy directory (default /opt)
#   SHIPLINE_DEPLOY_DIR   the deploy directory itself (default $SHIPLINE_DEPLOY_ROOT/<app>)

# The build renders the app name here (as in appspec.yml).
SHIPLINE_APP_NAME='__APP_NAME__'

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

# env_get FILE KEY: prints the value of KEY in a KEY=value file written by the
# bundle (release.env or .env); single quotes are removed. Fails when missing.
env_get() {
	local file=$1 key=$2 line value
	[[ -f $file ]] || return 1
	while IFS= read -r line || [[ -n $line ]]; do
		[[ $line == "$key="* ]] || continue
		value=${line#"$key="}
		if ((${#value} >= 2)) && [[ $value == \'*\' ]]; then
			value=${value:1:${#value}-2}
			value=${value//\\\'/\'}
		fi
		printf '%s' "$value"
		return 0
	done <"$file"
	return 1
}

# shellcheck disable=SC2034 # the variables are used by the hooks that source this file
# shipline_init sets APP_NAME, DEPLOY_DIR, RELEASE_ENV, DOT_ENV, COMPOSE_FILE, LOG_DIR.
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
	if [[ ! -d $DEPLOY_DIR ]]; then
		die "deploy directory $DEPLOY_DIR does not exist: check the files section of appspec.yml (destination /opt/$APP_NAME)"
	fi
}

# compose runs docker compose on the deployed project.
compose() {
	docker compose --project-name "$APP_NAME" --project-directory "$DEPLOY_DIR" \
		--file "$COMPOSE_FILE" --env-file "$DOT_ENV" "$@"
}
