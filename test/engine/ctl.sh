#!/usr/bin/env bash
# Stops or starts a part of a test bed brought up by up.sh, for scenarios
# such as a daemon that is down or a registry that is unreachable.
# Usage: ctl.sh STATE stop-daemon|start-daemon|stop-registry|start-registry
# The daemon can be stopped only when up.sh started it (exit 3 otherwise):
# someone's own engine is never stopped.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
source "$here/lib.sh"

state=${1:?usage: ctl.sh STATE ACTION}
action=${2:?usage: ctl.sh STATE stop-daemon|start-daemon|stop-registry|start-registry}
[[ -f $state/engine.env ]] || die "$state is not a state directory of up.sh"

own_daemon() {
	if [[ $(env_get OWN_DAEMON) != yes ]]; then
		say "the engine at $(env_get DOCKER_HOST) was already running: not stopping someone's own daemon"
		exit 3
	fi
}

case $action in
stop-daemon)
	own_daemon
	stop_dockerd
	;;
start-daemon)
	own_daemon
	alive "$(env_get DOCKERD_PID)" || start_dockerd
	;;
stop-registry) stop_registry ;;
start-registry) alive "$(env_get REGISTRY_PID)" || start_registry ;;
*) die "unknown action $action" ;;
esac
