# shellcheck shell=sh
# Checks an environment after its deployment: GET CHECK_URL until it answers
# 2xx or 3xx, at most CHECK_ATTEMPTS times, CHECK_INTERVAL seconds apart;
# then, when CHECK_COMMAND is set, runs it from the app repository's root
# with CHECK_URL in its environment. Runs under sh in CodeBuild, as a single
# buildspec command.
attempt=1
while :; do
	code=$(curl --silent --show-error --output /dev/null --write-out '%{http_code}' \
		--max-time "${CHECK_TIMEOUT:-10}" --location "$CHECK_URL")
	case "$code" in
	2?? | 3??)
		echo "check: $CHECK_URL answered $code (attempt $attempt of $CHECK_ATTEMPTS)"
		break
		;;
	esac
	echo "check: $CHECK_URL answered ${code:-nothing} (attempt $attempt of $CHECK_ATTEMPTS)"
	if [ "$attempt" -ge "$CHECK_ATTEMPTS" ]; then
		echo "check: failed: $CHECK_URL did not answer 2xx or 3xx in $CHECK_ATTEMPTS attempts, ${CHECK_INTERVAL}s apart; see the app's logs on the hosts of this environment" >&2
		exit 1
	fi
	attempt=$((attempt + 1))
	sleep "$CHECK_INTERVAL"
done
if [ -n "${CHECK_COMMAND:-}" ]; then
	echo "check: running $CHECK_COMMAND"
	sh -c "$CHECK_COMMAND" || {
		status=$?
		echo "check: failed: '$CHECK_COMMAND' exited with status $status against $CHECK_URL" >&2
		exit "$status"
	}
fi
