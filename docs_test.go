package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bokuctl/bokuctl/pkg/config"
	"github.com/bokuctl/bokuctl/pkg/exitcode"
)

// TestExitCodeTablesMatchCode keeps the README, docs/exit-codes.md and
// pkg/exitcode saying the same thing.
func TestExitCodeTablesMatchCode(t *testing.T) {
	for _, doc := range []string{"README.md", "docs/exit-codes.md"} {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		rows := regexp.MustCompile(`(?m)^\| (\d+) \| (\w+) \|`).FindAllStringSubmatch(string(data), -1)
		var got []string
		for _, r := range rows {
			got = append(got, r[1]+" "+r[2])
		}
		var want []string
		for _, c := range exitcode.All() {
			want = append(want, fmt.Sprintf("%d %s", int(c), c.Slug()))
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s exit-code table = %v, code says %v", doc, got, want)
		}
	}
}

// TestReadmeTestCommandIsCI checks that .ci/run runs the README's test command.
func TestReadmeTestCommandIsCI(t *testing.T) {
	readme, _ := os.ReadFile("README.md")
	ci, _ := os.ReadFile(".ci/run")
	makefile, _ := os.ReadFile("Makefile")
	if !strings.Contains(string(readme), "go test ./...") || !strings.Contains(string(ci), "\ngo test ./...\n") || !strings.Contains(string(makefile), "\tgo test ./...\n") {
		t.Fatal("README, Makefile and .ci/run must all use `go test ./...`")
	}
}

// TestDocumentedConfigLoads loads the example config file from the docs.
func TestDocumentedConfigLoads(t *testing.T) {
	data, err := os.ReadFile("docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindSubmatch(data)
	if m == nil {
		t.Fatal("no yaml example in docs/configuration.md")
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(path, m[1], 0o600)
	f, err := config.Load(path)
	if err != nil {
		t.Fatalf("documented example does not load: %v", err)
	}
	if f.CurrentProfile != "shop" || f.Profiles["eu"]["worldline.client-id"] != "my-client" {
		t.Fatalf("documented example parsed wrong: %+v", f)
	}
	for _, k := range config.Keys() {
		if !strings.Contains(string(data), "`"+k.Name+"`") {
			t.Errorf("setting %s is not documented in docs/configuration.md", k.Name)
		}
	}
}

// TestReferenceDocsAreFresh regenerates docs/reference with the generator
// `make docs` runs (go run ./tools/gendocs) and compares: run `make docs`
// after changing a command.
func TestReferenceDocsAreFresh(t *testing.T) {
	dir := t.TempDir()
	out, err := exec.Command("go", "run", "./tools/gendocs", "--dir", dir, "--format", "markdown").CombinedOutput()
	if err != nil {
		t.Fatalf("go run ./tools/gendocs: %v\n%s", err, out)
	}
	generated, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	committed, _ := filepath.Glob(filepath.Join("docs", "reference", "*.md"))
	if len(generated) != len(committed) {
		t.Fatalf("docs/reference has %d files, the code generates %d: run `make docs`", len(committed), len(generated))
	}
	for _, g := range generated {
		want, _ := os.ReadFile(g)
		got, err := os.ReadFile(filepath.Join("docs", "reference", filepath.Base(g)))
		if err != nil || string(got) != string(want) {
			t.Errorf("docs/reference/%s is stale: run `make docs`", filepath.Base(g))
		}
	}
}
