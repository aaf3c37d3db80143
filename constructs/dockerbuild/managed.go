package dockerbuild

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/jsii-runtime-go"
	"gopkg.in/yaml.v3"

	"github.com/shipline/shipline/bundle"
	"github.com/shipline/shipline/internal/ssmpath"
)

// ManagedBuild configures shipline's managed buildspec and deploy bundle,
// used when ProjectProps.BuildSpec is nil: the app repository then needs only
// a Dockerfile.
type ManagedBuild struct {
	// AppName names the app on the hosts (/opt/<AppName>) and in the bundle:
	// lower-case letters, digits, '-' and '_'. Required.
	AppName *string
	// ParameterPath holds the app's settings in Parameter Store; "/web" and
	// "/web/" are the same path.
	// Default: "/<AppName>/".
	ParameterPath *string
	// Dockerfile in the app repository.
	// Default: "Dockerfile".
	Dockerfile *string
	// BuildContext directory in the app repository.
	// Default: ".".
	BuildContext *string
	// MovingTag follows the newest image.
	// Default: "latest".
	MovingTag *string
	// CacheTag holds the BuildKit registry cache.
	// Default: "buildcache".
	CacheTag *string
	// HealthTimeout is how long, in seconds (5-480), a new release has to
	// turn healthy on a host before the deployment fails.
	// Default: the buildspec's, 60.
	HealthTimeout *float64
	// KeepReleases is how many release images (1-20) a host keeps for
	// rollback without the registry.
	// Default: the buildspec's, 3.
	KeepReleases *float64
	// RequiredSettings are the variable names that must be in the app's
	// settings; a host checks them before it changes anything.
	// Default: none.
	RequiredSettings *[]*string
	// ProxyImage is the proxy (nginx) image the hosts run, pinned by digest.
	// Default: the bundle compose file's own.
	ProxyImage *string
}

// managed is a ManagedBuild with its defaults filled in.
type managed struct {
	AppName, ParameterPath, Dockerfile, BuildContext, MovingTag, CacheTag string
}

var reManagedAppName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

func (m *ManagedBuild) withDefaults() managed {
	var o ManagedBuild
	if m != nil {
		o = *m
	}
	or := func(v *string, def string) string {
		if v == nil || *v == "" {
			return def
		}
		return *v
	}
	d := managed{
		AppName:      or(o.AppName, ""),
		Dockerfile:   or(o.Dockerfile, "Dockerfile"),
		BuildContext: or(o.BuildContext, "."),
		MovingTag:    or(o.MovingTag, "latest"),
		CacheTag:     or(o.CacheTag, "buildcache"),
	}
	d.ParameterPath = or(o.ParameterPath, "/"+d.AppName+"/")
	if !unresolved(d.ParameterPath) && ssmpath.Valid(d.ParameterPath) {
		d.ParameterPath = ssmpath.Canonical(d.ParameterPath)
	}
	return d
}

func (m managed) validate() error {
	var errs []error
	if !unresolved(m.AppName) && !reManagedAppName.MatchString(m.AppName) {
		errs = append(errs, fmt.Errorf("Managed.AppName: got %q, want lower-case letters, digits, '-' or '_' (the managed buildspec needs it)", m.AppName))
	}
	if !unresolved(m.ParameterPath) && !ssmpath.Valid(m.ParameterPath) {
		errs = append(errs, fmt.Errorf("Managed.ParameterPath: got %q, want %s", m.ParameterPath, ssmpath.Want))
	}
	if m.MovingTag == m.CacheTag {
		errs = append(errs, fmt.Errorf("Managed.CacheTag: got %q, want a tag other than MovingTag", m.CacheTag))
	}
	return errors.Join(errs...)
}

// managedBuildSpec is the bundle's buildspec as a CDK BuildSpec.
func managedBuildSpec() (awscodebuild.BuildSpec, error) {
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(bundle.Buildspec()), &doc); err != nil {
		return nil, fmt.Errorf("managed buildspec: %w", err)
	}
	return awscodebuild.BuildSpec_FromObjectToYaml(&doc), nil
}

// deployBundle stages the deploy bundle as an S3 asset. The files are
// embedded in the Go package (so importing the construct is enough) and
// written to a directory named by their content, reused across synths.
func (c *Project) deployBundle() (awss3assets.Asset, error) {
	dir, err := writeBundle()
	if err != nil {
		return nil, err
	}
	return awss3assets.NewAsset(c, jsii.String("DeployBundle"), &awss3assets.AssetProps{Path: jsii.String(dir)}), nil
}

func writeBundle() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(bundle.Files(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(bundle.Files(), name)
		fmt.Fprintf(h, "%s %o %d\n", name, bundle.FileMode(name), len(data))
		h.Write(data)
		return err
	})
	if err != nil {
		return "", err
	}
	dir := filepath.Join(os.TempDir(), "shipline-bundle-"+hex.EncodeToString(h.Sum(nil))[:16])
	if _, err := os.Stat(filepath.Join(dir, "appspec.yml")); err == nil {
		return dir, nil
	}
	tmp, err := os.MkdirTemp(os.TempDir(), "shipline-bundle-*")
	if err != nil {
		return "", err
	}
	if err := bundle.WriteTo(tmp); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	// Another synth may have won the race; either copy is identical.
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if _, statErr := os.Stat(filepath.Join(dir, "appspec.yml")); statErr != nil {
			return "", err
		}
	}
	return dir, nil
}

func sortedIDs(m *map[string]*string) string {
	if m == nil {
		return ""
	}
	return strings.Join(slices.Sorted(maps.Keys(*m)), " ")
}

func unresolved(s string) bool { return *awscdk.Token_IsUnresolved(jsii.String(s)) }
