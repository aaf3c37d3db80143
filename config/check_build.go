package config

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
)

var (
	reRepoPath  = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,255}$`)
	reSecretID  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)
	reParamName = regexp.MustCompile(`^/[A-Za-z0-9_.\-/]{1,1000}$`)
)

// reservedBuildEnv are environment variables the build project sets itself;
// a build secret with one of these ids would shadow it.
var reservedBuildEnv = []string{"AWS_ACCOUNT_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "IMAGE_REPO_NAME", "REPOSITORY_URI", "APP_NAME", "PARAMETER_PATH", "IMAGE_PLATFORM", "MOVING_TAG", "CACHE_TAG", "DOCKERFILE", "BUILD_CONTEXT", "BUNDLE_S3_URL", "BUILD_SECRET_IDS", "HEALTH_TIMEOUT", "KEEP_RELEASES", "REQUIRED_SETTINGS", "PROXY_IMAGE", "PARAMETER_PATHS", "HOME", "PATH"}

// checkBuild checks the build's inputs, machine and retention settings.
func checkBuild(c *Config) []error {
	var p problems
	if !c.ManagedBuild() && !validRepoPath(c.Buildspec, true) {
		p.add(bad("buildspec", c.Buildspec, "%q or a relative .yml/.yaml path in the app repository, such as buildspec.yml", buildspecManaged))
	}
	if !validRepoPath(c.Dockerfile, false) {
		p.add(bad("dockerfile", c.Dockerfile, "a relative path in the app repository, such as Dockerfile or docker/app.Dockerfile"))
	}
	if c.BuildContext != "." && !validRepoPath(c.BuildContext, false) {
		p.add(bad("buildContext", c.BuildContext, "\".\" or a relative directory in the app repository"))
	}
	if !slices.Contains(computeTypes, c.BuildComputeType) {
		p.add(bad("buildComputeType", string(c.BuildComputeType), "one of %s", strings.Join(computeNames, ", ")))
	}
	if m := c.BuildTimeout / time.Minute; c.BuildTimeout%time.Minute != 0 || !buildTimeoutRange.contains(int(m)) {
		p.add(bad("buildTimeoutMinutes", c.BuildTimeout.Minutes(), "%s (CodeBuild's range, in whole minutes)", buildTimeoutRange))
	}
	if c.BuildConcurrencyLimit != 0 && !concurrencyRange.contains(c.BuildConcurrencyLimit) {
		p.add(bad("buildConcurrencyLimit", c.BuildConcurrencyLimit, concurrencyWant))
	}
	if !slices.Contains(archTypes, c.Architecture) {
		p.add(bad("architecture", string(c.Architecture), "%s", oneOf(archNames)))
	}
	if RetentionDays(c.LogRetention) == 0 {
		p.add(bad("logRetentionDays", string(c.LogRetention), "%s", retentionWant()))
	}
	if !keepImagesRange.contains(c.KeepReleaseImages) {
		p.add(bad("keepReleaseImages", c.KeepReleaseImages, "%s", keepImagesRange))
	}
	if d := c.ArtifactExpiration / (24 * time.Hour); c.ArtifactExpiration%(24*time.Hour) != 0 || !artifactDaysRange.contains(int(d)) {
		p.add(bad("artifactExpirationDays", c.ArtifactExpiration.Hours()/24, "%s (whole days)", artifactDaysRange))
	}
	return p
}

// checkBuildSecrets checks each secret's id and the parameter holding it.
// A value that is not a parameter name is not shown: it may be the secret.
func checkBuildSecrets(c *Config) []error {
	var p problems
	for _, id := range slices.Sorted(maps.Keys(c.BuildSecrets)) {
		name := c.BuildSecrets[id]
		switch {
		case !reSecretID.MatchString(id):
			p.add(bad("buildSecrets", id, "secret ids made of letters, digits and '_', not starting with a digit"))
		case slices.Contains(reservedBuildEnv, id) || strings.HasPrefix(id, "CODEBUILD_"):
			p.add(bad("buildSecrets", id, "an id that is not one of the build's own variables (%s, CODEBUILD_*)", strings.Join(reservedBuildEnv, ", ")))
		}
		setting := "buildSecrets." + id
		switch {
		case !strings.HasPrefix(name, "/"):
			p.add(&SettingError{Setting: setting, Got: "a value that is not a Parameter Store name (not shown: it may be the secret itself)",
				Want: "the name of the parameter holding the secret, such as " + c.BuildSecretsPath() + id})
		case !reParamName.MatchString(name) || strings.Contains(name, "//"):
			p.add(bad(setting, name, "a Parameter Store name starting with '/', such as %s%s (never the secret itself)", c.BuildSecretsPath(), id))
		case len(name) > maxParamName || strings.Count(name, "/") > 15:
			p.add(bad(setting, name, "a Parameter Store name of at most %d characters and 15 levels", maxParamName))
		case reservedParam(name):
			p.add(bad(setting, name, "a name whose first level does not start with \"aws\" or \"ssm\" (reserved by Parameter Store)"))
		case strings.HasPrefix(name, c.ParameterPath()) && !strings.HasPrefix(name, c.BuildSecretsPath()):
			// The hosts load everything under /<appName>/ into the app's
			// environment except /<appName>/build/.
			p.add(bad(setting, name, "a name under %s (a build secret elsewhere under %s would reach the hosts' settings), or outside %s", c.BuildSecretsPath(), c.ParameterPath(), c.ParameterPath()))
		}
	}
	return p
}

// maxParamName keeps a parameter's name within Parameter Store's 1011
// characters, which count the ARN before the name (up to 61 characters).
const maxParamName = 950

// reservedParam tells a name Parameter Store refuses: its first level
// starts with "aws" or "ssm", in any case.
func reservedParam(name string) bool {
	first := strings.ToLower(strings.TrimPrefix(name, "/"))
	return strings.HasPrefix(first, "aws") || strings.HasPrefix(first, "ssm")
}

// validRepoPath tells a relative path inside the app repository (after
// cleanRepoPath), optionally a YAML file.
func validRepoPath(p string, yaml bool) bool {
	if !reRepoPath.MatchString(p) || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
		return false
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." || part == "." || part == "" {
			return false
		}
	}
	return !yaml || strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")
}
