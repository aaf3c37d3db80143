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
//	AWS_DEFAULT_REGION  region of ECR, Parameter Store and the bundle (CodeBuild sets it)
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
//
// # Deploy bundle
//
// [Files] and [WriteTo] give the bundle. appspec.yml (version 0.0, os linux)
// copies it to /opt/<app> (file_exists_behavior OVERWRITE) and runs these hooks
// as root; each script logs to stdout and fails with one ERROR line that says
// what to do:
//
//   - ApplicationStop (scripts/application-stop.sh): docker compose down of
//     the running app. CodeDeploy runs the previous revision's copy and skips
//     it on the first deployment; with no previous deployment, no compose file
//     or nothing running it exits 0.
//   - BeforeInstall (scripts/before-install.sh): preflight only (docker, the
//     compose plugin, the daemon, aws CLI, curl, free disk space); it reads no
//     bundle file, since Install has not copied them yet.
//   - AfterInstall (scripts/after-install.sh): reads release.env, logs docker in
//     to the image's ECR registry, pulls the image by digest, fails when its
//     architecture is not the host's (uname -m), and renders .env (mode 0600,
//     atomically) from every parameter under PARAMETER_PATH, decrypted, plus
//     IMAGE_URI. It fails when the path holds no parameter.
//   - ApplicationStart (scripts/application-start.sh): docker compose up
//     --detach --wait, output to /opt/<app>/logs/application-start.log.
//   - ValidateService (scripts/validate-service.sh): GETs
//     http://localhost:$HTTP_PORT$HEALTH_CHECK_PATH through the proxy with
//     retries until a deadline. A failure fails the deployment; a rollback
//     redeploys the previous revision, whose release.env pins the previous image.
//
// The hooks share scripts/lib.sh (not used before Install). Overrides for tests
// and manual runs: SHIPLINE_DEPLOY_ROOT (default /opt), SHIPLINE_DEPLOY_DIR,
// SHIPLINE_STOP_TIMEOUT (30 s), SHIPLINE_MIN_FREE_MB (2048),
// SHIPLINE_START_TIMEOUT (300 s), SHIPLINE_VALIDATE_TIMEOUT (120 s),
// SHIPLINE_VALIDATE_INTERVAL (3 s).
//
// The default docker-compose.yml runs the image as service app (env_file .env,
// restart unless-stopped, the image's own HEALTHCHECK) behind nginx, which
// publishes HTTP_PORT, proxies to app:APP_PORT using nginx/conf.d/nginx.conf as
// a template, and is healthy once HEALTH_CHECK_PATH answers through it. A
// repository's own compose file replaces it; it should run the image as
// ${IMAGE_URI} and read its settings from .env.
//
// # Parameter contract
//
// Every parameter under PARAMETER_PATH becomes a variable in .env: the name
// relative to the path, with '/', '-' and '.' turned into '_', upper-cased
// (/web/db/password becomes DB_PASSWORD). Values are single-quoted for compose
// and may not end with a backslash or a single quote. The stack writes these
// non-secret String parameters under /<app>/:
//
//	APP_PORT           port the app listens on in its container [8080]
//	HTTP_PORT          public port of the proxy on the host [80]
//	HEALTH_CHECK_PATH  path of the health check [/health]
//
// Users add their own settings and secrets (SecureString) there. The hosts'
// instance profile needs ecr:GetAuthorizationToken, pull on the repository,
// ssm:GetParametersByPath and ssm:GetParameter on the path, and kms:Decrypt for
// SecureString keys.
package bundle
