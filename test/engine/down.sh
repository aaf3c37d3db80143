#!/usr/bin/env bash
# Stops what up.sh started for STATE (by pid, nothing else) and removes STATE.
# An engine that was already running is left alone.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
source "$here/lib.sh"

state=${1:?usage: down.sh STATE_DIR}
[[ -f $state/engine.env ]] || die "$state is not a state directory of up.sh (no engine.env)"
case $state in
*/shipline-engine.*) ;;
*) die "refusing to tear down $state: not made by up.sh" ;;
esac

watchdog=$(env_get WATCHDOG_PID)
if [[ -n $watchdog && $watchdog != "$$" ]]; then
	stop_pid "$watchdog" watchdog 5
fi
stop_registry
if [[ $(env_get OWN_DAEMON) == yes ]]; then
	stop_dockerd
fi

# Processes the engine left behind (containerd shims, docker-proxy) name the
# state directory on their command line: they are ours.
for f in /proc/[0-9]*/cmdline; do
	pid=${f#/proc/}
	pid=${pid%/cmdline}
	[[ $pid != "$$" ]] || continue
	cmdline=$({ tr '\0' ' ' <"$f"; } 2>/dev/null) || continue
	if [[ $cmdline == *"$state/"* ]]; then
		stop_pid "$pid" "leftover ${cmdline:0:60}" 10
	fi
done

# Mounts under the data root (container shm) go before the files.
{ grep -F " $state/" /proc/self/mounts || true; } | awk '{ print $2 }' | sort -r | while read -r m; do
	umount -l "$m" 2>/dev/null || true
done
rm -rf "$state"
say "down: $state removed"
