package worldline

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bokuctl/bokuctl/pkg/atomicfile"
)

// loadMap reads a JSON object of records from path; a missing file is
// empty.
func loadMap[T any](path string) (map[string]T, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]T{}, nil
	}
	if err != nil {
		return nil, err
	}
	records := map[string]T{}
	if err := json.Unmarshal(data, &records); err != nil {
		return nil, err
	}
	return records, nil
}

// updateMap changes the JSON object of records at path under its lock, so
// that what concurrent runs write is all kept, and writes it atomically,
// 0600 in a 0700 folder. change gets the records as read (or the error
// reading them) and returns the records to write.
func updateMap[T any](path string, change func(records map[string]T, readErr error) (map[string]T, error)) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	unlock, err := atomicfile.Lock(path)
	if err != nil {
		return err
	}
	defer unlock()
	records, err := change(loadMap[T](path))
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(records, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o600)
}
