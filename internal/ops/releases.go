package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// Release is a build that was deployed to the stack's deployment group: its
// bundle in S3 and the image that bundle pins.
type Release struct {
	// ID names the release: the commit's first 7 characters, or the
	// deployment id when the bundle (which records the commit) is gone.
	ID     string `json:"id"`
	Commit string `json:"commit,omitempty"`
	// Image is the image pinned by digest (repository@sha256:...).
	Image  string `json:"image,omitempty"`
	Digest string `json:"digest,omitempty"`
	Bundle Bundle `json:"bundle"`
	// Deployment is the newest deployment of this bundle, with its status
	// and creation time.
	Deployment string    `json:"deployment"`
	Status     string    `json:"status"`
	DeployedAt time.Time `json:"deployedAt"`
	// Current is set on the release of the newest successful deployment.
	Current bool `json:"current"`
	// Deployable tells whether both the bundle and the image still exist;
	// Problem says why not.
	Deployable bool   `json:"deployable"`
	Problem    string `json:"problem,omitempty"`
}

// ListReleases returns the releases of the stack's deployment group, newest
// deployment first.
func ListReleases(ctx context.Context, c *Clients, s *Stack) ([]Release, error) {
	if err := s.require(&s.Application, &s.DeploymentGroup); err != nil {
		return nil, err
	}
	deps, err := deployments(ctx, c, s)
	if err != nil {
		return nil, err
	}
	return releasesOf(ctx, c, deps)
}

func releasesOf(ctx context.Context, c *Clients, deps []types.DeploymentInfo) ([]Release, error) {
	var out []Release
	seen := map[string]bool{}
	current := ""
	for _, d := range deps {
		b, ok := bundleOf(d.Revision)
		if !ok {
			continue
		}
		if current == "" && d.Status == types.DeploymentStatusSucceeded {
			current = b.id()
		}
		if seen[b.id()] {
			continue
		}
		seen[b.id()] = true
		r, err := describeRelease(ctx, c, d, b)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	for i := range out {
		out[i].Current = out[i].Bundle.id() == current
	}
	return out, nil
}

// describeRelease reads the bundle's release.env and checks that the image
// it pins is still in ECR.
func describeRelease(ctx context.Context, c *Clients, d types.DeploymentInfo, b Bundle) (Release, error) {
	r := Release{
		ID: deref(d.DeploymentId), Bundle: b, Deployment: deref(d.DeploymentId),
		Status: string(d.Status), DeployedAt: timeOf(d.CreateTime),
	}
	env, err := readReleaseEnv(ctx, c, b)
	switch {
	case errors.Is(err, errBundleGone):
		r.Problem = "bundle expired: " + b.String() + " is gone (the artifact bucket's expiration rule removes old bundles)"
		return r, nil
	case err != nil:
		if strings.HasPrefix(err.Error(), "permission denied") {
			return r, err
		}
		r.Problem = err.Error()
		return r, nil
	}
	r.Commit, r.Image = env["COMMIT"], env["IMAGE_URI"]
	if r.Commit != "" {
		r.ID = r.Commit[:min(7, len(r.Commit))]
	}
	repo, digest, ok := splitImage(r.Image)
	if !ok {
		r.Problem = fmt.Sprintf("release.env has IMAGE_URI %q, not an image pinned by digest", r.Image)
		return r, nil
	}
	r.Digest = digest
	problem, err := imageProblem(ctx, c, repo, digest)
	if err != nil {
		return r, err
	}
	r.Problem = problem
	r.Deployable = problem == ""
	return r, nil
}

// splitImage splits registry/name@sha256:... into the repository name and
// the digest.
func splitImage(uri string) (repo, digest string, ok bool) {
	ref, digest, ok := strings.Cut(uri, "@")
	if !ok || !strings.HasPrefix(digest, "sha256:") {
		return "", "", false
	}
	_, repo, ok = strings.Cut(ref, "/")
	if !ok || repo == "" {
		return "", "", false
	}
	return repo, digest, true
}

// imageProblem says why the image cannot be pulled ("" when it can).
func imageProblem(ctx context.Context, c *Clients, repo, digest string) (string, error) {
	_, err := c.ECR.DescribeImages(ctx, &ecr.DescribeImagesInput{
		RepositoryName: &repo,
		ImageIds:       []ecrtypes.ImageIdentifier{{ImageDigest: &digest}},
	})
	switch errorCode(err) {
	case "":
		return "", nil
	case "ImageNotFoundException":
		return "image " + digest + " is no longer in ECR repository " + repo + " (the repository's lifecycle rule keeps the newest keepReleaseImages images)", nil
	case "RepositoryNotFoundException":
		return "ECR repository " + repo + " does not exist", nil
	}
	return "", explain(err)
}

// FindRelease picks a release by commit prefix or deployment id; an empty
// name picks the previous one: the newest successfully deployed release
// other than the current one.
func FindRelease(releases []Release, name string) (Release, error) {
	if name == "" {
		return previous(releases)
	}
	var found []Release
	for _, r := range releases {
		if r.Deployment == name || (len(name) >= 4 && strings.HasPrefix(r.Commit, name)) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 0:
		hint := ""
		for _, r := range releases {
			if r.Commit == "" {
				hint = " (a release whose bundle is gone is known only by its deployment id)"
			}
		}
		return Release{}, fmt.Errorf("no release %q among the last %d deployments%s: `shipline releases` lists them", name, historyLimit, hint)
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i, r := range found {
		ids[i] = r.Commit
	}
	return Release{}, fmt.Errorf("release %q is ambiguous: it matches %s; give more of the commit", name, strings.Join(ids, ", "))
}

func previous(releases []Release) (Release, error) {
	seenCurrent := false
	for _, r := range releases {
		if r.Current {
			seenCurrent = true
			continue
		}
		if seenCurrent && r.Status == string(types.DeploymentStatusSucceeded) {
			return r, nil
		}
	}
	if !seenCurrent {
		return Release{}, errors.New("no release was deployed successfully yet, so there is no previous one: name a release (`shipline releases` lists them)")
	}
	return Release{}, errors.New("no earlier successful release to go back to: name one (`shipline releases` lists them)")
}
