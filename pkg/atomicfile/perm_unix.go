//go:build unix

package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// Exposed lists what lets other users read or change the file at path:
// group or other permission bits on the file, or a folder others may
// write to. A missing file has no problems.
func Exposed(path string) []string {
	info, err := os.Stat(path)
	if err != nil {
		return nil
	}
	var problems []string
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		problems = append(problems, fmt.Sprintf("%s can be read or changed by other users (mode %04o): run chmod 600 %s", path, perm, path))
	}
	dir := filepath.Dir(path)
	if dirInfo, err := os.Stat(dir); err == nil && dirInfo.Mode().Perm()&0o002 != 0 {
		problems = append(problems, fmt.Sprintf("%s is in %s, which every user can write to (mode %04o): move it to a private folder", path, dir, dirInfo.Mode().Perm()))
	}
	return problems
}

// ErrNotOwnFile is returned by ReadOwnFile for a symbolic link, a file
// that is not regular, or one another user owns.
var ErrNotOwnFile = errors.New("not a regular file of this user")

// ReadOwnFile reads at most max bytes of path, refusing (ErrNotOwnFile) a
// symbolic link, anything but a regular file, and a file another user
// owns; a longer file is an error too.
func ReadOwnFile(path string, max int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, fmt.Errorf("%s: %w", path, ErrNotOwnFile)
		}
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !info.Mode().IsRegular() || !ok || int(st.Uid) != os.Getuid() {
		return nil, fmt.Errorf("%s: %w", path, ErrNotOwnFile)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, max)
	}
	return data, nil
}
