package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportDirection keeps the layers the package docs promise:
// cmd → cmd/<noun> → internal/provider/* → internal/cmdutil → pkg/*.
// Nothing under internal/ or pkg/ imports cmd, no command package imports
// the root (the root passes what they need, such as Run, in), pkg/
// imports nothing from internal/, and cmdutil knows no provider.
func TestImportDirection(t *testing.T) {
	const module = "github.com/bokuctl/bokuctl/"
	forbidden := []struct{ dir, prefix string }{
		{"pkg/", module + "internal/"},
		{"pkg/", module + "cmd"},
		{"internal/", module + "cmd"},
		{"internal/cmdutil", module + "internal/provider"},
		{"internal/provider", module + "internal/sandbox"},
	}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		file, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, spec := range file.Imports {
			imported, _ := strconv.Unquote(spec.Path.Value)
			slash := filepath.ToSlash(path)
			if strings.HasPrefix(slash, "cmd/") && strings.Contains(strings.TrimPrefix(slash, "cmd/"), "/") && imported == module+"cmd" {
				t.Errorf("%s imports the root package cmd: a command package gets what it needs from the root as a parameter", path)
			}
			for _, rule := range forbidden {
				if strings.HasPrefix(filepath.ToSlash(path), rule.dir) && strings.HasPrefix(imported, rule.prefix) {
					t.Errorf("%s imports %s: %s must not import %s…", path, imported, rule.dir, strings.TrimPrefix(rule.prefix, module))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
