#!/usr/bin/env bash
# Brings up what the real-engine tests need and is not already there:
#   - a Docker engine: the one DOCKER_HOST or /var/run/docker.sock names when
#     it answers, else a dockerd of its own (vfs storage, no iptables, its own
#     data root, exec root, socket and address pool);
#   - an image registry on 127.0.0.1 standing in for ECR (always its own);
#   - a docker CLI config whose cli-plugins/ holds Compose v2.
# Prints the state directory on stdout; $state/engine.env says how to reach
# each part and which processes this instance started. down.sh STATE stops
# exactly those.
#
# Options: --owner PID  tear everything down when process PID exits (a test
#                       binary that dies without cleaning up).
# Environment: SHIPLINE_COMPOSE_PLUGIN  the compose plugin binary (default:
#                       where make compose-plugin builds it); else the
#                       system's plugin.
#              SHIPLINE_TEST_ENGINE=own  start an engine of its own even when
#                       one answers (CI does, to run the daemon scenarios).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
source "$here/lib.sh"

owner=
while (($#)); do
	case $1 in
	--owner)
		owner=${2:?--owner needs a pid}
		shift 2
		;;
	*) die "unknown option $1 (usage: up.sh [--owner PID])" ;;
	esac
done

command -v docker >/dev/null || die "the docker CLI is not installed (apt-get install docker.io)"
command -v docker-registry >/dev/null || die "docker-registry is not installed (apt-get install docker-registry)"

# A short path: the engine's unix sockets live under it (108-byte limit).
state=$(mktemp -d "${TMPDIR:-/tmp}/shipline-engine.XXXXXX")
chmod 0755 "$state"
env_set STATE_DIR "$state"
up=
finish() {
	[[ -z $up ]] || return 0
	say "bring-up failed: stopping what was started"
	"$here/down.sh" "$state" >&2 || true
}
trap finish EXIT

# --- engine -----------------------------------------------------------------
if [[ -z ${DOCKER_HOST:-} && -S /var/run/docker.sock ]]; then
	export DOCKER_HOST=unix:///var/run/docker.sock
fi
if [[ ${SHIPLINE_TEST_ENGINE:-any} != own && -n ${DOCKER_HOST:-} ]] && engine_answers; then
	say "using the running engine at $DOCKER_HOST ($(docker version --format '{{.Server.Version}}'))"
	env_set OWN_DAEMON no
else
	command -v dockerd >/dev/null || die "no Docker engine answers and dockerd is not installed (apt-get install docker.io)"
	[[ $(id -u) == 0 ]] || die "no Docker engine answers, and starting one needs root: start Docker or run as root"
	env_set OWN_DAEMON yes
	start_dockerd
fi
env_set DOCKER_HOST "$DOCKER_HOST"

# --- registry ---------------------------------------------------------------
start_registry

# --- compose plugin ---------------------------------------------------------
mkdir -p "$state/config/cli-plugins"
echo '{}' >"$state/config/config.json"
env_set DOCKER_CONFIG "$state/config"
export DOCKER_CONFIG=$state/config
plugin=${SHIPLINE_COMPOSE_PLUGIN:-$("$here/../../tools/compose/plugin.sh" path)}
if [[ -x $plugin ]]; then
	ln -s "$plugin" "$state/config/cli-plugins/docker-compose"
fi
# The hooks need Compose v2's `up --wait`.
docker compose up --help 2>/dev/null | grep -q -- '--wait' ||
	die "Compose v2 is not available: run 'make compose-plugin' (or set SHIPLINE_COMPOSE_PLUGIN to a docker-compose v2 binary)"
say "compose $(docker compose version --short)"

# --- watchdog ---------------------------------------------------------------
if [[ -n $owner ]]; then
	# shellcheck disable=SC2016 # expanded by the watchdog's shell
	setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec "$2" "$3"' \
		watchdog "$owner" "$here/down.sh" "$state" </dev/null >>"$state/watchdog.log" 2>&1 &
	env_set WATCHDOG_PID "$!"
fi

up=yes
echo "$state"
