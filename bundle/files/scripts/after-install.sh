#!/usr/bin/env bash
# AfterInstall hook: fetches the image and renders the app's settings.
#
# 1. Reads release.env (written by the build): IMAGE_URI pinned by digest,
#    AWS_REGION, PARAMETER_PATH.
# 2. Logs docker in to the ECR registry of IMAGE_URI and pulls the image by digest.
# 3. Fails when the image's architecture is not the host's (exec format error).
# 4. Renders .env (mode 0600, atomically) from every parameter under
#    PARAMETER_PATH, decrypted, plus IMAGE_URI. Key: the name relative to the
#    path, with '/', '-' and '.' turned into '_', upper-cased.
set -euo pipefail

HOOK=AfterInstall
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shipline_init

[[ -f $RELEASE_ENV ]] ||
	die "$RELEASE_ENV is missing: deploy the artifact built by the shipline buildspec, which writes it"
image_uri=$(env_get "$RELEASE_ENV" IMAGE_URI) || image_uri=
region=$(env_get "$RELEASE_ENV" AWS_REGION) || region=
parameter_path=$(env_get "$RELEASE_ENV" PARAMETER_PATH) || parameter_path=

[[ $image_uri =~ ^[^@[:space:]]+@sha256:[0-9a-f]{64}$ ]] ||
	die "IMAGE_URI in $RELEASE_ENV is '$image_uri', not an image pinned by digest (repo@sha256:...): rebuild with the shipline buildspec"
[[ $region =~ ^[a-z0-9-]+$ ]] ||
	die "AWS_REGION in $RELEASE_ENV is '$region': rebuild with the shipline buildspec"
[[ $parameter_path =~ ^/([A-Za-z0-9_.-]+/)*$ ]] ||
	die "PARAMETER_PATH in $RELEASE_ENV is '$parameter_path', not a Parameter Store path like /web/: fix the build's PARAMETER_PATH"

errf=$(mktemp)
tmp_env=
cleanup() {
	rm -f "$errf"
	if [[ -n $tmp_env ]]; then rm -f "$tmp_env"; fi
}
trap cleanup EXIT

# --- image ------------------------------------------------------------------
registry=${image_uri%%/*}
ecr_region=$region
if [[ $registry =~ ^[0-9]+[.]dkr[.]ecr(-fips)?[.]([a-z0-9-]+)[.]amazonaws[.]com([.]cn)?$ ]]; then
	ecr_region=${BASH_REMATCH[2]}
fi
log "logging in to $registry"
password=$(aws ecr get-login-password --region "$ecr_region" 2>"$errf") ||
	die "could not get an ECR login token in $ecr_region ($(last_line "$errf")): give the instance profile ecr:GetAuthorizationToken, and remove stale keys in /root/.aws/credentials"
printf '%s' "$password" | docker login --username AWS --password-stdin "$registry" >/dev/null 2>"$errf" ||
	die "docker login to $registry failed ($(last_line "$errf")): check that the docker daemon runs and the registry is reachable from this host"
unset password

log "pulling $image_uri"
docker pull --quiet "$image_uri" >/dev/null 2>"$errf" ||
	die "could not pull $image_uri ($(last_line "$errf")): check that the image exists in ECR and that the instance profile may pull it (ecr:BatchGetImage, ecr:GetDownloadUrlForLayer)"

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
log "reading parameters under $parameter_path"
names=$(aws ssm get-parameters-by-path --region "$region" --path "$parameter_path" --recursive \
	--query 'Parameters[].Name' --output text 2>"$errf") ||
	die "could not list parameters under $parameter_path ($(last_line "$errf")): give the instance profile ssm:GetParametersByPath on that path, and remove stale keys in /root/.aws/credentials"

declare -A seen=()
lines=()
for name in $names; do
	[[ $name == None ]] && continue
	rel=${name#"$parameter_path"}
	key=${rel//[\/.-]/_}
	key=${key^^}
	[[ $key =~ ^[A-Z_][A-Z0-9_]*$ ]] ||
		die "parameter $name gives the variable name '$key', which is not valid: rename it (letters, digits, '_', '-', '.', '/'; not starting with a digit)"
	[[ $key != IMAGE_URI ]] ||
		die "parameter $name would override IMAGE_URI, which the deployment sets: rename or delete it"
	[[ -z ${seen[$key]:-} ]] ||
		die "parameters ${seen[$key]} and $name both give the variable $key: rename one of them"
	seen[$key]=$name
	# One call per parameter: its value comes back verbatim, whatever it holds.
	value=$(aws ssm get-parameter --region "$region" --name "$name" --with-decryption \
		--query 'Parameter.Value' --output text 2>"$errf") ||
		die "could not read parameter $name ($(last_line "$errf")): give the instance profile ssm:GetParameter on it and kms:Decrypt on its key"
	if [[ $value == *\\ || $value == *\' ]]; then
		die "parameter $name ends with a backslash or a single quote, which a compose .env file cannot hold safely: change its value"
	fi
	lines+=("$key='${value//\'/\\\'}'")
done
((${#lines[@]} > 0)) ||
	die "no parameters under $parameter_path in $region: create at least the app's settings there (e.g. ${parameter_path}APP_PORT) or fix PARAMETER_PATH"
lines+=("IMAGE_URI='$image_uri'")

umask 077
tmp_env=$(mktemp "$DEPLOY_DIR/.env.XXXXXX")
{
	printf '# Written by the AfterInstall hook from %s (%s). Do not edit: change Parameter Store.\n' "$parameter_path" "$region"
	printf '%s\n' "${lines[@]}"
} >"$tmp_env"
chmod 0600 "$tmp_env"
mv -f "$tmp_env" "$DOT_ENV"
tmp_env=
log "wrote $DOT_ENV with $((${#lines[@]} - 1)) parameters and IMAGE_URI"
