package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Resolve follows path through symbolic links to the file they finally
// name, which need not exist yet (a dangling link resolves to where it
// points). A path that is no link is returned as it is.
func Resolve(path string) (string, error) {
	for range 40 {
		info, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		target, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
}

// WriteThrough is Write to the file path names: when path is a symbolic
// link, the file it points to is replaced (atomically, in that file's
// folder) and the link is kept.
func WriteThrough(path string, data []byte, perm os.FileMode) error {
	target, err := Resolve(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return Write(target, data, perm)
}

// Warnings go to stderr, once per path and run.
var (
	warnOut    = func() io.Writer { return os.Stderr }
	warnedMu   sync.Mutex
	warnedPath = map[string]bool{}
)

// WarnIfExposed prints a warning on stderr, once per run for each path,
// when the file path (what names it, e.g. "config file") can be read or
// changed by other users: the file readable or writable by group or
// others, or its folder writable by others. Symbolic links are followed.
// It never fails: a file it cannot inspect gets no warning.
func WarnIfExposed(path, what string) {
	target, err := Resolve(path)
	if err != nil {
		return
	}
	warnedMu.Lock()
	defer warnedMu.Unlock()
	if warnedPath[target] {
		return
	}
	problems := Exposed(target)
	if len(problems) == 0 {
		return
	}
	warnedPath[target] = true
	for _, p := range problems {
		fmt.Fprintf(warnOut(), "Warning: the %s %s\n", what, p)
	}
}
