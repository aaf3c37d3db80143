# shellcheck shell=bash
# shellcheck disable=SC2154 # $state is set by the script that sources this file
# Helpers of the real-engine test bed (up.sh, down.sh, ctl.sh). Sourced.
#
# Everything an instance starts lives under its state directory: the Docker
# engine's data, exec root, socket and pid file, the registry's storage, the
# docker CLI config with the compose plugin, and engine.env, which records
# what was started (by pid) and how to reach it.

say() { printf 'engine: %s\n' "$*" >&2; }
die() {
	printf 'engine: ERROR: %s\n' "$*" >&2
	exit 1
}

# env_set KEY VALUE: records KEY=VALUE in $state/engine.env.
env_set() {
	local file=$state/engine.env
	touch "$file"
	grep -v "^$1=" "$file" >"$file.tmp" || true
	printf '%s=%s\n' "$1" "$2" >>"$file.tmp"
	mv -f "$file.tmp" "$file"
}

# env_get KEY: the value recorded for KEY ("" when none).
env_get() {
	sed -n "s/^$1=//p" "$state/engine.env" 2>/dev/null | tail -n 1
}

# engine_answers: the engine named by DOCKER_HOST (or the default socket) answers.
engine_answers() {
	timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1
}

# port_free PORT: nothing listens on 127.0.0.1:PORT.
port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port: a random unused loopback port.
free_port() {
	local p i
	for i in $(seq 50); do
		p=$((20000 + RANDOM % 40000))
		if port_free "$p"; then
			echo "$p"
			return 0
		fi
		: "$i"
	done
	die "no free loopback port found"
}

# route_taken N: the host already routes 10.N.0.0/16 (another engine's
# networks, a VPN, ...). /proc/net/route holds destinations in little-endian hex.
route_taken() {
	local hex
	hex=$(printf '%02X0A' "$1")
	awk 'NR > 1 { print $2 }' /proc/net/route | grep -q "^....${hex}$"
}

# address_pool: a 10.N.0.0/16 pool no route on this host uses, so that
# engines running side by side give their networks different subnets.
address_pool() {
	local n i
	for i in $(seq 100); do
		n=$((64 + RANDOM % 128))
		if ! route_taken "$n"; then
			echo "base=10.$n.0.0/16,size=24"
			return 0
		fi
		: "$i"
	done
	die "no free 10.N.0.0/16 address pool for the engine's networks"
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND until it succeeds.
wait_for() {
	local secs=$1 what=$2 end
	shift 2
	end=$((SECONDS + secs))
	until "$@"; do
		((SECONDS < end)) || return 1
		sleep 0.2
	done
	: "$what"
}

# alive PID: the process runs.
alive() { [[ -n $1 ]] && kill -0 "$1" 2>/dev/null; }

# stop_pid PID NAME SECONDS: SIGTERM, then SIGKILL after SECONDS.
stop_pid() {
	local pid=$1 name=$2 secs=$3 end
	alive "$pid" || return 0
	say "stopping $name (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || return 0
	end=$((SECONDS + secs))
	while alive "$pid"; do
		if ((SECONDS >= end)); then
			say "$name (pid $pid) did not stop within ${secs}s: killing it"
			kill -KILL "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.2
	done
	# A child of ours: reap it; otherwise wait until it is gone.
	wait "$pid" 2>/dev/null || true
	while alive "$pid" && [[ $(ps -o stat= -p "$pid" 2>/dev/null) != Z* ]]; do sleep 0.1; done
}

# start_dockerd: starts the state directory's own engine and waits until it answers.
start_dockerd() {
	local pool
	pool=$(env_get POOL)
	[[ -n $pool ]] || pool=$(address_pool)
	mkdir -p "$state/data" "$state/exec"
	[[ -f $state/daemon.json ]] || echo '{}' >"$state/daemon.json"
	# vfs works on any filesystem; iptables and masquerading stay off so that
	# the host's firewall is untouched (published ports go through
	# docker-proxy on loopback); no default bridge: compose creates its own.
	# The awslogs driver of this engine talks to the tests' emulator only:
	# its credentials are the emulator's, never this shell's, and there is no
	# instance metadata to ask.
	setsid env -u AWS_SESSION_TOKEN -u AWS_PROFILE AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
		AWS_EC2_METADATA_DISABLED=true dockerd \
		--config-file "$state/daemon.json" \
		--data-root "$state/data" \
		--exec-root "$state/exec" \
		--pidfile "$state/dockerd.pid" \
		-H "unix://$state/docker.sock" \
		--storage-driver vfs \
		--iptables=false --ip-masq=false --bridge=none \
		--default-address-pool "$pool" \
		</dev/null >>"$state/dockerd.log" 2>&1 &
	local pid=$!
	env_set DOCKERD_PID "$pid"
	env_set POOL "$pool"
	export DOCKER_HOST=unix://$state/docker.sock
	if ! wait_for 90 dockerd engine_answers_or_dead "$pid"; then
		tail -n 20 "$state/dockerd.log" >&2 || true
		die "dockerd (pid $pid) did not answer on $DOCKER_HOST within 90s; its log is above"
	fi
	alive "$pid" || {
		tail -n 20 "$state/dockerd.log" >&2 || true
		die "dockerd exited at start; its log is above"
	}
	say "dockerd $(docker version --format '{{.Server.Version}}') (pid $pid) on $DOCKER_HOST, networks from $pool"
}

engine_answers_or_dead() { engine_answers || ! alive "$1"; }

# stop_dockerd: stops the state directory's own engine (its containers stop with it).
stop_dockerd() {
	stop_pid "$(env_get DOCKERD_PID)" dockerd 60
	env_set DOCKERD_PID ""
}

registry_answers() {
	local port=$1 reply
	reply=$( (exec 3<>"/dev/tcp/127.0.0.1/$port" &&
		printf 'GET /v2/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 && head -n 1 <&3) 2>/dev/null) || return 1
	[[ $reply == *" 200"* ]]
}

# start_registry: the image registry on 127.0.0.1 (Docker trusts plain HTTP
# there), standing in for ECR. It keeps its port and storage across restarts.
start_registry() {
	local port
	port=$(env_get REGISTRY_PORT)
	[[ -n $port ]] || port=$(free_port)
	mkdir -p "$state/registry"
	cat >"$state/registry.yml" <<-YAML
		version: 0.1
		log:
		  level: warn
		storage:
		  filesystem:
		    rootdirectory: $state/registry
		  delete:
		    enabled: true
		http:
		  addr: 127.0.0.1:$port
	YAML
	setsid docker-registry serve "$state/registry.yml" </dev/null >>"$state/registry.log" 2>&1 &
	local pid=$!
	env_set REGISTRY_PID "$pid"
	env_set REGISTRY_PORT "$port"
	env_set REGISTRY "127.0.0.1:$port"
	if ! wait_for 30 registry registry_answers "$port" || ! alive "$pid"; then
		tail -n 20 "$state/registry.log" >&2 || true
		die "docker-registry (pid $pid) did not answer on 127.0.0.1:$port within 30s; its log is above"
	fi
	say "registry (pid $pid) on 127.0.0.1:$port"
}

stop_registry() {
	stop_pid "$(env_get REGISTRY_PID)" docker-registry 10
	env_set REGISTRY_PID ""
}
