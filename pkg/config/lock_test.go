package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestUpdateKeepsConcurrentChanges(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "aix" {
		t.Skip("no flock here")
	}
	path := filepath.Join(t.TempDir(), "bokuctl", FileName)
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			// Each writer loaded the file before the others wrote.
			f, err := Load(path)
			if err != nil {
				t.Error(err)
				return
			}
			name := fmt.Sprintf("p%d", i)
			if err := f.Update(func(f *File) error {
				f.Profiles[name] = Profile{"boku.country": "gb"}
				return nil
			}); err != nil {
				t.Error(err)
			}
			if _, ok := f.Profiles[name]; !ok {
				t.Errorf("%s missing from the updated File", name)
			}
		})
	}
	wg.Wait()
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Profiles) != 30 {
		t.Fatalf("%d profiles kept, want 30", len(f.Profiles))
	}
}

func TestUpdateErrorWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	f := &File{Path: path, Profiles: map[string]Profile{"a": {}}}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	stop := errors.New("stop")
	if err := f.Update(func(f *File) error {
		f.Profiles["b"] = Profile{}
		return stop
	}); err != stop {
		t.Fatalf("Update = %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("a failed Update wrote the file")
	}
	if _, ok := f.Profiles["b"]; ok {
		t.Fatal("a failed Update changed f")
	}
}

func TestSaveThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "bokuctl.yaml")
	os.Mkdir(filepath.Dir(real), 0o700)
	os.WriteFile(real, nil, 0o600)
	path := filepath.Join(dir, "config", FileName)
	os.Mkdir(filepath.Dir(path), 0o700)
	if err := os.Symlink(real, path); err != nil {
		t.Skip(err)
	}
	f, _ := Load(path)
	if err := f.Update(func(f *File) error { f.Profiles["shop"] = Profile{"boku.country": "gb"}; return nil }); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Lstat(path); info.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the symlink was replaced by a file")
	}
	if data, _ := os.ReadFile(real); !strings.Contains(string(data), "country: gb") {
		t.Fatalf("target holds %q", data)
	}
	if _, err := os.Stat(real + ".lock"); err != nil {
		t.Fatalf("no lock file beside the target: %v", err)
	}
}

func TestQuoteValue(t *testing.T) {
	if got := QuoteValue("gb"); got != `"gb"` {
		t.Fatal(got)
	}
	long := strings.Repeat("x", 79) + "é" + strings.Repeat("y", 100)
	got := QuoteValue(long)
	if got != `"`+strings.Repeat("x", 79)+`"…(181 bytes)` {
		t.Fatalf("QuoteValue = %s", got)
	}
	msg := fmt.Sprintf("%q is not an http(s) URL", long)
	if got := ShortenValue(msg, long); got != QuoteValue(long)+" is not an http(s) URL" {
		t.Fatalf("ShortenValue = %s", got)
	}
	if got := ShortenValue(`"gb" is bad`, "gb"); got != `"gb" is bad` {
		t.Fatal(got)
	}
}

func TestLoadQuotesBadValuesShort(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	big := strings.Repeat("q", 1<<20)
	os.WriteFile(path, []byte("profiles:\n  shop:\n    boku:\n      country: "+big+"\n"), 0o600)
	_, err := Load(path)
	if err == nil || len(err.Error()) > 300 || !strings.Contains(err.Error(), "(1048576 bytes)") {
		t.Fatalf("Load error (%d bytes): %.300v", len(fmt.Sprint(err)), err)
	}
	os.WriteFile(path, []byte("profiles:\n  \""+big+"\": {}\n"), 0o600)
	if _, err := Load(path); err == nil || len(err.Error()) > 300 {
		t.Fatalf("bad profile name error: %.300v", err)
	}
	if err := ValidateProfileName(big); err == nil || len(err.Error()) > 300 {
		t.Fatalf("ValidateProfileName: %.300v", err)
	}
}
