// Package bundle holds the managed build and deploy bundle of shipline: the
// buildspec that CodeBuild runs by default and the CodeDeploy bundle
// (appspec.yml, hook scripts, a default docker-compose.yml and nginx
// configuration) that goes to the EC2 hosts. With it, an app repository needs
// only a Dockerfile.
//
// # Buildspec
//
// [Buildspec] returns the buildspec (version 0.2, run with bash). It logs in to
// ECR, builds the repository's Dockerfile with docker buildx (docker-container
// driver, registry build cache), pushes the image tagged sha-<commit> and
// MOVING_TAG, resolves the pushed digest, then assembles the deploy artifact:
// the bundle downloaded from BUNDLE_S3_URL, the app name rendered into
// appspec.yml and the scripts, the repository's own compose file and nginx/
// folder when it has them, and release.env. The artifact is every file under
// .shipline/deploy.
//
// Environment contract (set by the CodeBuild project; defaults in brackets):
//
//	AWS_DEFAULT_REGION  region of the build: of ECR and the bundle, and of Parameter
//	                    Store and CloudWatch Logs for a group without a pair in
//	                    REGIONS (CodeBuild sets it)
//	REPOSITORY_URI      ECR repository URI, account.dkr.ecr.region.amazonaws.com/name;
//	                    when empty it is built from AWS_ACCOUNT_ID, AWS_DEFAULT_REGION
//	                    and IMAGE_REPO_NAME
//	AWS_ACCOUNT_ID      account of the repository (only used without REPOSITORY_URI)
//	IMAGE_REPO_NAME     repository name (only used without REPOSITORY_URI)
//	APP_NAME            app name: /opt/<APP_NAME> on the hosts and the compose project
//	                    name; lower-case letters, digits, '-', '_'
//	PARAMETER_PATH      Parameter Store path of the app's settings, like /web/
//	IMAGE_PLATFORM      linux/amd64 or linux/arm64, the hosts' architecture [linux/amd64]
//	MOVING_TAG          tag moved to every new image; empty for none [latest]
//	CACHE_TAG           tag of the registry build cache [buildcache]
//	DOCKERFILE          path of the Dockerfile [Dockerfile]
//	BUILD_CONTEXT       build context directory [.]
//	BUNDLE_S3_URL       s3://bucket/key.zip of the deploy bundle (an S3 asset of [WriteTo]'s output)
//	BUILD_SECRET_IDS    space-separated names of build secrets [empty]; each name is
//	                    also a variable that CodeBuild fills from Parameter Store
//	                    (type PARAMETER_STORE), passed only as
//	                    --secret id=NAME,env=NAME, never as a build argument; the
//	                    Dockerfile reads it with RUN --mount=type=secret,id=NAME
//	SHIPLINE_STATE_DIR  scratch directory outside the source [/tmp/shipline]
//	HEALTH_TIMEOUT      seconds a new release has to turn healthy on a host [60]
//	KEEP_RELEASES       release images kept on a host for offline rollback [3]
//	REQUIRED_SETTINGS   space-separated settings a host checks before a release [empty]
//	PROXY_IMAGE         the proxy (nginx) image, pinned by digest [empty: the
//	                    compose file's default]
//	PARAMETER_PATHS     space-separated <deployment group>=<parameter path> pairs;
//	                    a group without a pair uses PARAMETER_PATH [empty]
//	LOG_GROUP           CloudWatch Logs group the hosts' containers log to [empty:
//	                    Docker's own logging]
//	LOG_GROUPS          space-separated <deployment group>=<log group> pairs; a
//	                    group without a pair uses LOG_GROUP [empty]
//	REGIONS             space-separated <deployment group>=<AWS Region> pairs: the
//	                    Region of an environment's hosts, parameters and log
//	                    group; a group without a pair uses AWS_DEFAULT_REGION [empty]
//	CODEBUILD_RESOLVED_SOURCE_VERSION  the commit (set by CodeBuild)
//
// The CodeBuild project must be privileged (docker), and its role needs
// ecr:GetAuthorizationToken, push and pull on the repository, s3:GetObject on
// the bundle, and ssm:GetParameters for the build secrets.
//
// release.env, written into the artifact, pins the release:
//
//	IMAGE_URI=<REPOSITORY_URI>@sha256:<digest>
//	APP_NAME=<APP_NAME>
//	AWS_REGION=<AWS_DEFAULT_REGION>
//	PARAMETER_PATH=<PARAMETER_PATH>
//	COMMIT=<commit>
//	HEALTH_TIMEOUT=<HEALTH_TIMEOUT>
//	KEEP_RELEASES=<KEEP_RELEASES>
//	REQUIRED_SETTINGS=<REQUIRED_SETTINGS>
//	PROXY_IMAGE=<PROXY_IMAGE>
//	PARAMETER_PATHS=<PARAMETER_PATHS>
//	LOG_GROUP=<LOG_GROUP>
//	LOG_GROUPS=<LOG_GROUPS>
//	REGIONS=<REGIONS>
//
// # Deploy bundle
//
// [Files] and [WriteTo] give the bundle. appspec.yml (version 0.0, os linux)
// copies it to /opt/<app> (file_exists_behavior OVERWRITE) and runs these hooks
// as root; each script logs to stdout and fails with one ERROR line that says
// what to do. Nothing that serves stops before its replacement is healthy:
//
//   - ApplicationStop (scripts/application-stop.sh): stops nothing and never
//     fails. CodeDeploy runs the copy of the most recent revision whose Install
//     finished on the host (possibly a failed deployment's), and skips it on
//     the first deployment; it only reports the live release.
//   - BeforeInstall (scripts/before-install.sh): preflight only (docker, the
//     compose plugin, the daemon, aws CLI, curl, free disk space); it reads no
//     bundle file, since Install has not copied them yet.
//   - AfterInstall (scripts/after-install.sh): prepares the release while the
//     live one serves. It pulls the release's images unless they are on the
//     host already (logging in to ECR in the registry's own Region), fails
//     when the app image's architecture is not the host's, reads the
//     parameters directly under the path in one call, in the Region of its
//     deployment group (REGIONS, else AWS_REGION), and renders the
//     release's settings file, checks REQUIRED_SETTINGS, the compose file and
//     the release's nginx configuration (nginx -t in a throwaway container of
//     the proxy image). With a log group for its deployment group, it writes
//     releases/<id>/logging.yml, a compose override that sends every service's
//     output through Docker's awslogs driver (non-blocking, a stream per host
//     and service, per release for the app, in the same Region), after a
//     throwaway container proved the daemon can start the driver (else a
//     WARNING and Docker's own logging). It records the release as next.
//   - ApplicationStart (scripts/application-start.sh): starts the release's
//     app service in the compose project of the free colour (<app>-blue or
//     <app>-green) beside the live one, waits until it is healthy (its
//     HEALTHCHECK, else a GET of HEALTH_CHECK_PATH on the container from the
//     proxy) within HEALTH_TIMEOUT, updates the other services (compose
//     recreates only those whose definition changed), points the proxy's
//     upstream file at the new colour and reloads nginx, waits for the old
//     nginx workers to finish, stops the old colour with its grace period and
//     prunes releases beyond KEEP_RELEASES. A release that does not turn
//     healthy is removed, with its last log lines in the hook's output.
//   - ValidateService (scripts/validate-service.sh): GETs
//     http://localhost:$HTTP_PORT$HEALTH_CHECK_PATH through the proxy with
//     retries until a deadline. A failure fails the deployment; a rollback
//     deploys the last good revision again, whose image and settings the host
//     kept.
//
// State lives under /opt/<app>/state: live ("<colour> <release id>"), next,
// proxy/conf.d and proxy/upstream (mounted into the proxy) and releases/<id>/
// with the release.env, settings.env (mode 0600) and logging.yml of each kept
// release; every compose call of a release adds its logging.yml; .env
// holds the live release's settings. A release id is the hex of its image digest.
//
// The hooks share scripts/lib.sh (not used before Install). Overrides for tests
// and manual runs: SHIPLINE_DEPLOY_ROOT (default /opt), SHIPLINE_DEPLOY_DIR,
// SHIPLINE_MIN_FREE_MB (2048), SHIPLINE_DRAIN_TIMEOUT (30 s),
// SHIPLINE_VALIDATE_TIMEOUT (120 s), SHIPLINE_VALIDATE_INTERVAL (3 s), and
// SHIPLINE_LOGS_ENDPOINT, a test hook for the awslogs driver's endpoint
// (hosts use the regional one).
//
// The default docker-compose.yml runs the image as service app (env_file .env,
// restart unless-stopped, the image's own HEALTHCHECK, no published port)
// behind service nginx, which publishes HTTP_PORT, reads the copy of
// nginx/conf.d and the upstream file under state/proxy, and is healthy once
// HEALTH_CHECK_PATH answers
// through it. A repository's own compose file replaces it; it keeps these two
// service names, runs the app image as ${IMAGE_URI}, reads settings from .env
// and mounts ./state/proxy/conf.d at /etc/nginx/conf.d and ./state/proxy/upstream
// at /etc/nginx/shipline in the proxy.
//
// # Parameter contract
//
// Every parameter directly under PARAMETER_PATH (the deployment group's own
// path and Region when PARAMETER_PATHS and REGIONS name it) becomes a
// variable in .env: the name relative to the path, with '-' and '.' turned into '_', upper-cased
// (/web/feature-flags.beta becomes FEATURE_FLAGS_BETA). Deeper parameters are
// not read: the host policy denies a recursive read of the app's path, which
// would return the build secrets under PARAMETER_PATH/build/. Values are kept byte for byte, in Compose's
// double-quoted .env form (\\, \", \$, \n and the other escapes of Compose's
// parser). The stack writes these non-secret String parameters under /<app>/:
//
//	APP_PORT           port the app listens on in its container [8080]
//	HTTP_PORT          public port of the proxy on the host [80]
//	HEALTH_CHECK_PATH  path of the health check [/health]
//
// Users add their own settings and secrets (SecureString) there. The hosts'
// instance profile needs ecr:GetAuthorizationToken, pull on the repository,
// ssm:GetParametersByPath on the path, and kms:Decrypt for SecureString keys.
package bundle
