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

	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/jsii-runtime-go"
	"gopkg.in/yaml.v3"

	"github.com/shipline/shipline/bundle"
)

// ManagedBuild configures shipline's managed buildspec and deploy bundle,
// used when ProjectProps.BuildSpec is nil: the app repository then needs only
// a Dockerfile.
type ManagedBuild struct {
	// AppName names the app on the hosts (/opt/<AppName>) and in the bundle.
	AppName string
	// ParameterPath holds the app's settings in Parameter Store.
	// Default: "/<AppName>/".
	ParameterPath string
	// Dockerfile in the app repository.
	// Default: "Dockerfile".
	Dockerfile string
	// BuildContext directory in the app repository.
	// Default: ".".
	BuildContext string
	// MovingTag follows the newest image.
	// Default: "latest".
	MovingTag string
	// CacheTag holds the BuildKit registry cache.
	// Default: "buildcache".
	CacheTag string
}

var reManagedAppName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

func (m *ManagedBuild) withDefaults() ManagedBuild {
	var o ManagedBuild
	if m != nil {
		o = *m
	}
	if o.ParameterPath == "" && o.AppName != "" {
		o.ParameterPath = "/" + o.AppName + "/"
	}
	if o.Dockerfile == "" {
		o.Dockerfile = "Dockerfile"
	}
	if o.BuildContext == "" {
		o.BuildContext = "."
	}
	if o.MovingTag == "" {
		o.MovingTag = "latest"
	}
	if o.CacheTag == "" {
		o.CacheTag = "buildcache"
	}
	return o
}

func (m ManagedBuild) validate() error {
	var errs []error
	if !reManagedAppName.MatchString(m.AppName) {
		errs = append(errs, fmt.Errorf("Managed.AppName: got %q, want lower-case letters, digits, '-' or '_' (the managed buildspec needs it)", m.AppName))
	}
	if !strings.HasPrefix(m.ParameterPath, "/") || !strings.HasSuffix(m.ParameterPath, "/") {
		errs = append(errs, fmt.Errorf("Managed.ParameterPath: got %q, want a path such as /web/", m.ParameterPath))
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
