#!/usr/bin/env bash
# BeforeInstall hook: host preflight only.
#
# Install has not copied the bundle yet, so this hook reads no bundle file. It
# checks that docker, its compose plugin, the aws CLI and curl are present, that
# the docker daemon answers and that the disk holding docker's data has room.
#
# Overrides: SHIPLINE_MIN_FREE_MB (default 2048).
set -euo pipefail

hook=BeforeInstall
min_free_mb=${SHIPLINE_MIN_FREE_MB:-2048}

log() { printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$hook" "$*"; }
warn() { printf 'WARNING [%s]: %s\n' "$hook" "$*" >&2; }
die() {
	printf 'ERROR [%s]: %s\n' "$hook" "$*" >&2
	exit 1
}

if [[ ! $min_free_mb =~ ^[0-9]+$ ]]; then
	die "SHIPLINE_MIN_FREE_MB must be a number of MiB, got '$min_free_mb'"
fi

command -v docker >/dev/null 2>&1 ||
	die "docker is not installed: install Docker Engine on this host (e.g. 'dnf install -y docker' on Amazon Linux) and enable it with 'systemctl enable --now docker'"
docker compose version >/dev/null 2>&1 ||
	die "the docker compose plugin is missing: install it (package docker-compose-plugin, or the compose binary under /usr/local/lib/docker/cli-plugins)"
docker_root=$(docker info --format '{{.DockerRootDir}}' 2>/dev/null) ||
	die "the docker daemon does not answer: start it with 'systemctl enable --now docker' and check 'journalctl -u docker'"
command -v aws >/dev/null 2>&1 ||
	die "the aws CLI is not installed: install it (the later hooks use it for ECR login and Parameter Store)"
command -v curl >/dev/null 2>&1 ||
	die "curl is not installed: install it (the ValidateService hook uses it)"

if [[ -z $docker_root || ! -d $docker_root ]]; then
	docker_root=/
fi
avail_kb=$(df -Pk "$docker_root" | awk 'NR == 2 { print $4 }')
if [[ ! $avail_kb =~ ^[0-9]+$ ]]; then
	die "could not read the free space of $docker_root with df: check the filesystem"
fi
avail_mb=$((avail_kb / 1024))
if ((avail_mb < min_free_mb)); then
	die "only ${avail_mb} MiB free on $docker_root, need ${min_free_mb} MiB: remove unused images ('docker image prune -a') or grow the volume"
fi

# Keys left in root's credentials file beat the instance profile, for the
# CodeDeploy agent and for the aws CLI in these hooks: stale ones fail every
# download and Parameter Store read with errors that do not name the file.
if [[ -f ${HOME:-/root}/.aws/credentials ]]; then
	warn "${HOME:-/root}/.aws/credentials exists and overrides the instance profile: remove it unless you mean it"
fi

log "preflight ok: docker, compose plugin, aws CLI, curl present; ${avail_mb} MiB free on $docker_root"
