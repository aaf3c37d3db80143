package agentsim

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// install does the Install event: remove what the previous Install copied,
// copy the files section, apply the permissions section.
func (h *Host) install(archive string) error {
	spec, err := ReadAppSpec(archive)
	if err != nil {
		return err
	}
	for _, f := range slices.Backward(h.installed) {
		_ = os.Remove(f) // directories go only when empty, as the agent's cleanup does
	}
	h.installed = nil
	for _, m := range spec.Files {
		if err := h.copyMapping(archive, m, spec.FileExistsBehavior); err != nil {
			return err
		}
	}
	for _, p := range spec.Permissions {
		if err := h.applyPermission(p); err != nil {
			return err
		}
	}
	return nil
}

func (h *Host) copyMapping(archive string, m FileMapping, behavior string) error {
	if !strings.HasPrefix(m.Destination, "/") {
		return fmt.Errorf("files: destination %q is not an absolute path", m.Destination)
	}
	src := filepath.Join(archive, filepath.FromSlash(strings.TrimPrefix(m.Source, "/")))
	dst := filepath.Join(h.Root, filepath.FromSlash(m.Destination))
	info, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("files: source %q: %w", m.Source, err)
	}
	if !info.IsDir() {
		return h.copyOne(src, filepath.Join(dst, filepath.Base(src)), info.Mode().Perm(), behavior)
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if _, err := os.Stat(target); errors.Is(err, fs.ErrNotExist) {
				h.installed = append(h.installed, target)
			}
			return os.MkdirAll(target, 0o755)
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		return h.copyOne(p, target, fi.Mode().Perm(), behavior)
	})
}

// copyOne copies a file; an existing file fails the deployment under
// DISALLOW (the default) and is kept under RETAIN.
func (h *Host) copyOne(src, dst string, mode os.FileMode, behavior string) error {
	if _, err := os.Lstat(dst); err == nil {
		switch behavior {
		case "OVERWRITE":
		case "RETAIN":
			return nil
		default:
			return fmt.Errorf("the deployment failed because a specified file already exists at this location: %s", dst)
		}
	}
	if err := copyFile(src, dst, mode); err != nil {
		return err
	}
	h.installed = append(h.installed, dst)
	return os.Chmod(dst, mode) // WriteFile keeps an existing file's mode
}

func (h *Host) applyPermission(p Permission) error {
	if p.Mode == "" {
		return nil
	}
	mode, err := strconv.ParseUint(p.Mode, 8, 32)
	if err != nil {
		return fmt.Errorf("permissions: mode %q is not octal", p.Mode)
	}
	root := filepath.Join(h.Root, filepath.FromSlash(p.Object))
	pattern := p.Pattern
	if pattern == "" {
		pattern = "**"
	}
	wantFiles := len(p.Type) == 0 || slices.Contains(p.Type, "file")
	wantDirs := len(p.Type) == 0 || slices.Contains(p.Type, "directory")
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == root {
			return err
		}
		if (d.IsDir() && !wantDirs) || (!d.IsDir() && !wantFiles) {
			return nil
		}
		if ok, _ := filepath.Match(pattern, d.Name()); pattern != "**" && !ok {
			return nil
		}
		return os.Chmod(path, fs.FileMode(mode))
	})
}
