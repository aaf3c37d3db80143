package bundle_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/shipline/shipline/bundle"
)

func ExampleWriteTo() {
	dir, err := os.MkdirTemp("", "bundle")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	if err := bundle.WriteTo(dir); err != nil {
		panic(err)
	}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, _ := d.Info()
		rel, _ := filepath.Rel(dir, p)
		fmt.Println(info.Mode().Perm(), filepath.ToSlash(rel))
		return nil
	})
	// Output:
	// -rw-r--r-- appspec.yml
	// -rw-r--r-- docker-compose.yml
	// -rw-r--r-- nginx/conf.d/nginx.conf
	// -rwxr-xr-x scripts/after-install.sh
	// -rwxr-xr-x scripts/application-start.sh
	// -rwxr-xr-x scripts/application-stop.sh
	// -rwxr-xr-x scripts/before-install.sh
	// -rwxr-xr-x scripts/lib.sh
	// -rwxr-xr-x scripts/validate-service.sh
}

func ExampleBuildspec() {
	spec := bundle.Buildspec()
	fmt.Println(strings.Contains(spec, "version: 0.2"))
	// Output: true
}
