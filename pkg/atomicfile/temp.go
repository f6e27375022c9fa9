package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// TempPattern is the os.CreateTemp pattern of Write's temporary file for
// path, in path's folder: "." + the file's name + ".tmp-*".
func TempPattern(path string) string { return "." + filepath.Base(path) + ".tmp-*" }

// IsTemp reports whether name (a name in path's folder, not a path) is one
// of Write's temporary files for path: TempPattern with the "*" replaced
// by decimal digits, as os.CreateTemp replaces it.
func IsTemp(path, name string) bool {
	prefix := strings.TrimSuffix(TempPattern(path), "*")
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok || rest == "" {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if rest[i] < '0' || rest[i] > '9' {
			return false
		}
	}
	return true
}

// RemoveTemps removes the temporary files Write left behind for path (a
// process killed between creating its temporary file and renaming it
// leaves one) and returns their names. Only regular files whose names
// IsTemp accepts, in path's folder, are removed; a missing folder has
// none. It must not run while another process is writing path.
func RemoveTemps(path string) ([]string, error) {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !IsTemp(path, e.Name()) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, err
		}
		removed = append(removed, e.Name())
	}
	return removed, nil
}
