package secret

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/bokuctl/bokuctl/pkg/atomicfile"
)

// FileStoreEnv selects the file-backed store: set it to a file path.
const FileStoreEnv = "BOKUCTL_KEYRING_FILE"

// FileStore keeps secrets in a JSON file with mode 0600, in plain text. It
// exists for tests and for headless machines with no keyring, where the
// alternative is environment variables; every use warns on stderr.
type FileStore struct {
	Path string
}

// Describe names the store.
func (s FileStore) Describe() string { return "file " + s.Path }

func (s FileStore) load() (map[string]string, error) {
	entries := map[string]string{}
	atomicfile.WarnIfExposed(s.Path, "secrets file")
	data, err := os.ReadFile(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return entries, nil
	}
	if err != nil {
		return nil, &UnavailableError{Store: "secret file", Err: err}
	}
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, &UnavailableError{Store: "secret file", Err: fmt.Errorf("%s is not a bokuctl secret file: %v", s.Path, err)}
	}
	if entries == nil { // the file holds null
		entries = map[string]string{}
	}
	return entries, nil
}

func (s FileStore) save(entries map[string]string) error {
	data, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(s.Path, data, 0o600); err != nil {
		return &UnavailableError{Store: "secret file", Err: err}
	}
	return nil
}

// Get reads a secret.
func (s FileStore) Get(_ context.Context, account string) (string, error) {
	entries, err := s.load()
	if err != nil {
		return "", err
	}
	value, ok := entries[account]
	if !ok {
		return "", ErrNotFound
	}
	return value, nil
}

// update reads the file, lets change modify its entries and writes them,
// all under a lock beside the file (atomicfile.Lock), so that concurrent
// Set and Delete calls from other processes are all kept.
func (s FileStore) update(change func(map[string]string) error) error {
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o700); err != nil {
		return &UnavailableError{Store: "secret file", Err: err}
	}
	unlock, err := atomicfile.Lock(s.Path)
	if err != nil {
		return &UnavailableError{Store: "secret file", Err: err}
	}
	defer unlock()
	entries, err := s.load()
	if err != nil {
		return err
	}
	if err := change(entries); err != nil {
		return err
	}
	return s.save(entries)
}

// Set writes a secret.
func (s FileStore) Set(_ context.Context, account, value string) error {
	// JSON would turn invalid UTF-8 into U+FFFD: the secret would not
	// read back as given.
	if !utf8.ValidString(account) || !utf8.ValidString(value) {
		return fmt.Errorf("the secret is not valid UTF-8 text: the file store keeps text only")
	}
	return s.update(func(entries map[string]string) error {
		entries[account] = value
		return nil
	})
}

// Delete removes a secret; a missing one is ErrNotFound.
func (s FileStore) Delete(_ context.Context, account string) error {
	return s.update(func(entries map[string]string) error {
		if _, ok := entries[account]; !ok {
			return ErrNotFound
		}
		delete(entries, account)
		return nil
	})
}
