#!/usr/bin/env bash
# The Docker Compose v2 CLI plugin that the real-engine tests use, built from
# the version pinned in this directory's go.mod into a cache kept between
# runs: ${XDG_CACHE_HOME:-~/.cache}/shipline/compose-<version>/docker-compose.
#
#   plugin.sh path    prints where the plugin is (or will be)
#   plugin.sh build   builds it there unless it is already there
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
version=$(awk '$1 == "github.com/docker/compose/v2" { print $2 }' "$here/go.mod")
[[ -n $version ]] || {
	echo "compose-plugin: no github.com/docker/compose/v2 requirement in $here/go.mod" >&2
	exit 1
}
plugin=${XDG_CACHE_HOME:-$HOME/.cache}/shipline/compose-$version/docker-compose

case ${1:-} in
path) echo "$plugin" ;;
build)
	if [[ -x $plugin ]]; then
		echo "compose-plugin: Docker Compose $version is cached in $plugin"
		exit 0
	fi
	echo "compose-plugin: building Docker Compose $version into $plugin"
	echo "compose-plugin: this happens once per version and takes 5-9 minutes on 2 cores"
	mkdir -p "$(dirname "$plugin")"
	start=$SECONDS
	(cd "$here" && CGO_ENABLED=0 go build -trimpath \
		-ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$version" \
		-o "$plugin.tmp" github.com/docker/compose/v2/cmd)
	mv -f "$plugin.tmp" "$plugin"
	echo "compose-plugin: built in $((SECONDS - start))s"
	;;
*)
	echo "usage: plugin.sh path|build" >&2
	exit 2
	;;
esac
