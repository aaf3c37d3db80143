package bundle

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// AppNamePlaceholder is the text that the managed buildspec replaces with the
// app name (APP_NAME) in appspec.yml and in the hook scripts.
const AppNamePlaceholder = "__APP_NAME__"

//go:embed buildspec.yml
var buildspec string

//go:embed all:files
var files embed.FS

// Buildspec returns the managed CodeBuild buildspec (version 0.2). It is
// driven only by environment variables; see the package documentation.
func Buildspec() string {
	return buildspec
}

// Files returns the deploy bundle: appspec.yml, scripts/*.sh,
// docker-compose.yml and nginx/conf.d/nginx.conf, with slash-separated paths
// relative to the bundle root.
func Files() fs.FS {
	sub, err := fs.Sub(files, "files")
	if err != nil {
		panic(fmt.Sprintf("bundle: embedded files: %v", err))
	}
	return sub
}

// FileMode returns the mode that a bundle file must have on disk: 0755 for
// the hook scripts (scripts/*.sh), 0644 for every other file.
func FileMode(name string) fs.FileMode {
	if path.Dir(name) == "scripts" && strings.HasSuffix(name, ".sh") {
		return 0o755
	}
	return 0o644
}

// WriteTo writes the deploy bundle into dir, creating it and its
// subdirectories as needed, with the modes given by FileMode. Existing files
// are overwritten; other files in dir are left alone.
func WriteTo(dir string) error {
	if dir == "" {
		return errors.New("bundle: WriteTo: empty directory name")
	}
	fsys := Files()
	return fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		mode := FileMode(name)
		if err := os.WriteFile(target, data, mode); err != nil {
			return fmt.Errorf("bundle: write %s: %w", name, err)
		}
		// WriteFile keeps the mode of an existing file and applies the umask.
		if err := os.Chmod(target, mode); err != nil {
			return fmt.Errorf("bundle: chmod %s: %w", name, err)
		}
		return nil
	})
}
