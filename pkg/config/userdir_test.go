package config

import (
	"path/filepath"
	"runtime"
	"testing"
)

// The config and cache folders come from the environment the run was
// given, never from the process's own (which a test or the demo hides).
func TestUserDirUsesTheGivenEnvironment(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("XDG rules are for Linux and the BSDs")
	}
	t.Setenv("XDG_CONFIG_HOME", "/process/config")
	t.Setenv("HOME", "/process/home")
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	for _, tc := range []struct {
		vars       map[string]string
		kind, want string
	}{
		{map[string]string{"XDG_CONFIG_HOME": "/run/config", "HOME": "/run/home"}, "config", "/run/config"},
		{map[string]string{"HOME": "/run/home"}, "config", "/run/home/.config"},
		{map[string]string{"XDG_CONFIG_HOME": "relative", "HOME": "/run/home"}, "config", "/run/home/.config"},
		{map[string]string{"XDG_CACHE_HOME": "/run/cache"}, "cache", "/run/cache"},
		{map[string]string{"HOME": "/run/home"}, "cache", "/run/home/.cache"},
	} {
		got, err := UserDir(env(tc.vars), tc.kind)
		if err != nil || got != tc.want {
			t.Errorf("UserDir(%v, %s) = %q, %v; want %q", tc.vars, tc.kind, got, err, tc.want)
		}
	}
	if _, err := UserDir(env(nil), "config"); err == nil {
		t.Error("UserDir with neither XDG_CONFIG_HOME nor HOME must fail, not use the process's")
	}
	path, err := DefaultPath(env(map[string]string{"HOME": "/run/home"}))
	if err != nil || path != filepath.Join("/run/home/.config/bokuctl", FileName) {
		t.Errorf("DefaultPath = %q, %v", path, err)
	}
}
