//go:build !unix

package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Exposed finds no problems where Unix permission bits do not apply.
func Exposed(string) []string { return nil }

// ErrNotOwnFile is returned by ReadOwnFile for a symbolic link or a file
// that is not regular.
var ErrNotOwnFile = errors.New("not a regular file of this user")

// ReadOwnFile reads at most max bytes of path, refusing a symbolic link
// and anything but a regular file (ownership is not checked here).
func ReadOwnFile(path string, max int64) ([]byte, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if info.Mode()&fs.ModeSymlink != 0 || !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", path, ErrNotOwnFile)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, max)
	}
	return data, nil
}
