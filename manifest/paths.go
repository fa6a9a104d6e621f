package manifest

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// resolvePath resolves p, written in the manifest file manifestFile (both
// relative to the project directory), to a slash-separated path relative
// to the project directory. It refuses paths that are absolute, that climb
// out with "..", and paths that go through a symlink pointing outside the
// project: apply writes outputs and reads sources there, and a manifest
// from a pull request must not reach the rest of the machine.
func (l *loader) resolvePath(manifestFile, p string) (rel string, err error) {
	slash := filepath.ToSlash(p)
	if filepath.IsAbs(p) || strings.HasPrefix(slash, "/") || (len(p) >= 2 && p[1] == ':') {
		return "", fmt.Errorf("%q is absolute; write it relative to the manifest, inside the project directory", p)
	}
	rel = path.Clean(path.Join(path.Dir(manifestFile), slash))
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("%q escapes the project directory", p)
	}
	if rel == "." {
		return "", fmt.Errorf("%q is the project directory itself; name a file", p)
	}
	if err := l.checkSymlinks(rel); err != nil {
		return "", fmt.Errorf("%q %v", p, err)
	}
	return rel, nil
}

// checkSymlinks walks rel from the project root and fails when an existing
// component is a symlink resolving outside the project directory.
func (l *loader) checkSymlinks(rel string) error {
	cur := l.set.Dir
	for _, part := range strings.Split(rel, "/") {
		cur = filepath.Join(cur, part)
		fi, err := os.Lstat(cur)
		if err != nil {
			return nil // the rest does not exist yet: nothing to follow
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			continue
		}
		target, err := filepath.EvalSymlinks(cur)
		if err != nil {
			return fmt.Errorf("goes through a symlink that cannot be resolved (%s)", part)
		}
		if !within(target, l.real) {
			return fmt.Errorf("goes through symlink %s, which points outside the project directory", part)
		}
	}
	return nil
}

// realDir is dir with symlinks resolved (dir itself when that fails), so
// a project reached through a symlink still contains its own files.
func realDir(dir string) string {
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		return r
	}
	return dir
}

// within reports whether p is root or below it.
func within(p, root string) bool {
	r, err := filepath.Rel(root, p)
	if err != nil {
		return false
	}
	return r == "." || (r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)))
}
