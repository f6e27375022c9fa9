package cmd

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every BOKUCTL_ variable the code reads is in `bokuctl help environment`.
func TestHelpEnvironmentListsEveryVariable(t *testing.T) {
	help := environmentHelp()
	pattern := regexp.MustCompile(`"(BOKUCTL_[A-Z_]+)"`)
	seen := 0
	for _, dir := range []string{".", "../internal", "../pkg"} {
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			data, _ := os.ReadFile(path)
			for _, m := range pattern.FindAllStringSubmatch(string(data), -1) {
				seen++
				if !strings.Contains(help, m[1]) {
					t.Errorf("%s reads %s, which bokuctl help environment does not list", path, m[1])
				}
			}
			return nil
		})
	}
	if seen < 10 {
		t.Fatalf("found only %d variables in the code: the scan is broken", seen)
	}
}
