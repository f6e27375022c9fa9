package main

// TestDocs runs the documentation. Every fenced ```sh block of README.md
// and docs/*.md (docs/reference/ is generated and not read) is a shell
// script that CI runs, or carries a reason why it cannot be run.
//
// How a file is run:
//   - each file gets a fresh temporary HOME (config, cache and state below
//     it), an unreachable D-Bus session bus and no BOKUCTL_* variables: no
//     keyring, no file store, nothing from the machine's own config;
//   - one `bokuctl sandbox serve` is started for the file before its first
//     block, so the profile "sandbox" exists and is the current profile;
//   - `bokuctl` on PATH is this test binary acting as bokuctl (see
//     TestMain), so the docs run the code under test and pass the leak
//     guard of the scripts;
//   - the blocks run in file order, each with `bash -e -o pipefail` in one
//     working folder; exported and shell variables and the current folder
//     carry over from one block to the next, as in a reader's terminal, and
//     so do background jobs (`… &`), which are killed when the file ends.
//
// Conventions a block's author uses:
//   - `<!-- not run: REASON -->` on the line before the opening fence
//     (blank lines between are allowed) skips the block, saying why (a real
//     account, a production host, PostgreSQL…). Skipped blocks are still
//     checked with `bash -n`.
//   - A command expected to fail ends with a comment that begins with
//     `exit N` followed by the end of the line or a colon:
//     `bokuctl secret status -p shop   # exit 4: no secret yet`. The
//     command must then exit with exactly N; every other command must
//     succeed (exit 0). The comment goes on the last line of a command
//     continued with `\`.
//   - A ```text block right after a ```sh block (blank lines between are
//     allowed) is the block's expected output: its stdout (the results;
//     notices on stderr are not compared: two streams have no reliable
//     order between them). It must match the whole of stdout, line by
//     line, trailing spaces and trailing blank lines ignored, where a line
//     that is only `...` stands for any number of lines (none included) and
//     `...` inside a line stands for any text on that line.
//
// `go test -run TestDocs -v .` logs, per file, how many blocks ran and how
// many were not run, with their reasons.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// docBlock is one fenced ```sh block.
type docBlock struct {
	file      string
	line      int      // line of the first script line (after the fence)
	script    []string // the block's lines
	notRun    string   // the reason, for a block marked not run
	expect    []string // the ```text block after it, if any
	hasExpect bool
}

var (
	notRunMarker = regexp.MustCompile(`^<!--\s*not run:\s*(.*?)\s*-->$`)
	fenceLine    = regexp.MustCompile("^```\\s*([A-Za-z0-9_+-]*)\\s*$")
	exitComment  = regexp.MustCompile(`(^|\s)#\s*exit\s+(\d+)(\s*$|\s*:.*$)`)
)

// parseDocBlocks returns the ```sh blocks of a Markdown file in order.
// Shell blocks fenced as bash, shell or console are an error: the
// convention is sh, so that none escapes the harness.
func parseDocBlocks(file string, data []byte) ([]docBlock, error) {
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	var blocks []docBlock
	for i := 0; i < len(lines); i++ {
		m := fenceLine.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		lang := m[1]
		start := i + 1
		end := start
		for end < len(lines) && strings.TrimRight(lines[end], " \t") != "```" {
			end++
		}
		if end == len(lines) {
			return nil, fmt.Errorf("%s:%d: a ``` fence is never closed", file, i+1)
		}
		i = end
		switch lang {
		case "bash", "shell", "console", "zsh":
			return nil, fmt.Errorf("%s:%d: fence the block as ```sh (the docs harness runs ```sh blocks)", file, start)
		case "sh":
		default:
			continue
		}
		b := docBlock{file: file, line: start + 1, script: lines[start:end]}
		for p := start - 2; p >= 0; p-- {
			prev := strings.TrimSpace(lines[p])
			if prev == "" {
				continue
			}
			if mm := notRunMarker.FindStringSubmatch(prev); mm != nil {
				if mm[1] == "" {
					return nil, fmt.Errorf("%s:%d: a not-run marker needs a reason", file, p+1)
				}
				b.notRun = mm[1]
			}
			break
		}
		// An expected-output block right after it.
		n := end + 1
		for n < len(lines) && strings.TrimSpace(lines[n]) == "" {
			n++
		}
		if n < len(lines) && strings.TrimSpace(lines[n]) == "```text" {
			tEnd := n + 1
			for tEnd < len(lines) && strings.TrimRight(lines[tEnd], " \t") != "```" {
				tEnd++
			}
			if tEnd == len(lines) {
				return nil, fmt.Errorf("%s:%d: a ``` fence is never closed", file, n+1)
			}
			b.expect, b.hasExpect = lines[n+1:tEnd], true
			i = tEnd
		}
		blocks = append(blocks, b)
	}
	return blocks, nil
}

// shellScript turns a block into the script bash runs: line for line, so
// that bash's line numbers are the block's, with each command that
// documents its exit code rewritten to check exactly that code.
func shellScript(b docBlock) (string, error) {
	out := make([]string, len(b.script))
	copy(out, b.script)
	first := 0 // first line of the current logical command
	for i, line := range b.script {
		continued := strings.HasSuffix(strings.TrimRight(line, " \t"), `\`)
		if m := exitComment.FindStringSubmatchIndex(line); m != nil && !continued {
			want := line[m[4]:m[5]]
			cmd := strings.TrimRight(line[:m[0]], " \t")
			if strings.TrimSpace(cmd) == "" && first == i {
				return "", fmt.Errorf("%s:%d: an `# exit N` comment must follow a command", b.file, b.line+i)
			}
			if strings.HasSuffix(cmd, "&") {
				return "", fmt.Errorf("%s:%d: a background command (&) cannot document an exit code", b.file, b.line+i)
			}
			out[i] = cmd + fmt.Sprintf(` || __rc=$?; [ "$__rc" -eq %s ] || { echo "docs harness: %s:%d: exit $__rc, the doc says %s" >&2; exit 97; }`,
				want, b.file, b.line+i, want)
			out[first] = "__rc=0; " + out[first]
		}
		if !continued {
			first = i + 1
		}
	}
	return strings.Join(out, "\n") + "\n", nil
}

// matchOutput reports whether the output lines match the expected lines
// (see the rules at the top of the file).
func matchOutput(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if strings.TrimSpace(want[0]) == "..." {
		for k := 0; k <= len(got); k++ {
			if matchOutput(want[1:], got[k:]) {
				return true
			}
		}
		return false
	}
	if len(got) == 0 || !matchLine(want[0], got[0]) {
		return false
	}
	return matchOutput(want[1:], got[1:])
}

func matchLine(want, got string) bool {
	if !strings.Contains(want, "...") {
		return want == got
	}
	parts := strings.Split(want, "...")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$").MatchString(got)
}

// normalizeLines drops trailing spaces and trailing blank lines.
func normalizeLines(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, strings.TrimRight(l, " \t\r"))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// docFiles is README.md and docs/*.md, in that order.
func docFiles(t *testing.T) []string {
	files, err := filepath.Glob(filepath.Join("docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return append([]string{"README.md"}, files...)
}

// The prologue and epilogue around every block: restore the previous
// block's variables and folder, report the failing line, save them again.
// The prologue is one line, so the block's line numbers are bash's minus one.
const docPrologue = `__docs_state="$DOCS_STATE"; cd "$(cat "$__docs_state/cwd")"; . "$__docs_state/vars"; trap '__rc=$?; echo "docs harness: $DOCS_FILE:$((DOCS_LINE + LINENO - 2)): exit $__rc" >&2' ERR; trap '__docs_save' EXIT; __docs_save() { pwd > "$__docs_state/cwd"; for __v in $(compgen -v); do case $__v in __*|BASH*|SHELLOPTS|SHLVL|_|PWD|OLDPWD|EUID|UID|PPID|GROUPS|FUNCNAME|PIPESTATUS|RANDOM|SRANDOM|SECONDS|LINENO|HISTCMD|DIRSTACK|EPOCHSECONDS|EPOCHREALTIME|COLUMNS|LINES|OPTERR|OPTIND|OPTARG|IFS|PS1|PS2|PS4|HOSTNAME|HOSTTYPE|MACHTYPE|OSTYPE|COMP_WORDBREAKS|DOCS_*|HISTFILE*|HISTSIZE|MAILCHECK|TERM|HOME|PATH) continue;; esac; declare -p "$__v" 2>/dev/null; done > "$__docs_state/vars.new"; mv "$__docs_state/vars.new" "$__docs_state/vars"; }
`

type docRun struct {
	mu      sync.Mutex
	summary map[string]string
}

func TestDocs(t *testing.T) {
	if testing.Short() {
		t.Skip("the docs harness starts a sandbox per file")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	bokuctl, err := exec.LookPath("bokuctl")
	if err != nil || !strings.Contains(bokuctl, "testscript-main") {
		t.Fatalf("bokuctl is not the test binary on PATH (%s, %v): TestMain sets it up", bokuctl, err)
	}
	run := &docRun{summary: map[string]string{}}
	files := docFiles(t)
	t.Cleanup(func() {
		var total []string
		for _, f := range files {
			if s, ok := run.summary[f]; ok {
				total = append(total, f+": "+s)
			}
		}
		t.Logf("docs harness summary:\n  %s", strings.Join(total, "\n  "))
	})
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			blocks, err := parseDocBlocks(file, data)
			if err != nil {
				t.Fatal(err)
			}
			ran, reasons := runDocFile(t, bash, file, blocks)
			s := fmt.Sprintf("%d run, %d not run", ran, len(reasons))
			if len(reasons) > 0 {
				s += " (" + strings.Join(reasons, "; ") + ")"
			}
			t.Log(s)
			run.mu.Lock()
			run.summary[file] = s
			run.mu.Unlock()
		})
	}
}

// runDocFile runs a file's blocks and returns how many ran and the
// reasons of those not run.
func runDocFile(t *testing.T, bash, file string, blocks []docBlock) (ran int, notRun []string) {
	for _, b := range blocks {
		if b.notRun != "" {
			notRun = append(notRun, fmt.Sprintf("line %d: %s", b.line-1, b.notRun))
			// Not run, but it must still be a valid shell script.
			if out, err := exec.Command(bash, "-n", "-c", strings.Join(b.script, "\n")).CombinedOutput(); err != nil {
				t.Errorf("%s:%d: not a valid shell script: %v\n%s", file, b.line, err, out)
			}
		}
	}
	runnable := 0
	for _, b := range blocks {
		if b.notRun == "" {
			runnable++
		}
	}
	if runnable == 0 {
		return 0, notRun
	}

	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	work := filepath.Join(dir, "work")
	state := filepath.Join(dir, "state")
	for _, d := range []string{home, work, state} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(state, "cwd"), []byte(work+"\n"), 0o600)
	os.WriteFile(filepath.Join(state, "vars"), nil, 0o600)
	env := docEnv(home)

	var groups []int // process groups to end when the file is done
	t.Cleanup(func() {
		for _, pgid := range groups {
			syscall.Kill(-pgid, syscall.SIGTERM)
		}
		time.Sleep(100 * time.Millisecond)
		for _, pgid := range groups {
			syscall.Kill(-pgid, syscall.SIGKILL)
		}
	})

	// The file's sandbox.
	ready := filepath.Join(dir, "sandbox.url")
	logFile, err := os.Create(filepath.Join(dir, "sandbox.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	serve := exec.Command("bokuctl", "sandbox", "serve", "--ready-file", ready)
	serve.Env, serve.Dir, serve.Stdout, serve.Stderr = env, work, logFile, logFile
	serve.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	groups = append(groups, serve.Process.Pid)
	go serve.Wait()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if data, err := os.ReadFile(ready); err == nil && len(data) > 0 {
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("bokuctl sandbox serve was not ready within 60s:\n%s", log)
		}
	}

	for _, b := range blocks {
		if b.notRun != "" {
			continue
		}
		script, err := shellScript(b)
		if err != nil {
			t.Error(err)
			continue
		}
		path := filepath.Join(dir, fmt.Sprintf("block-%d.sh", b.line))
		if err := os.WriteFile(path, []byte(docPrologue+script), 0o600); err != nil {
			t.Fatal(err)
		}
		outPath := filepath.Join(dir, fmt.Sprintf("block-%d.out", b.line))
		errPath := filepath.Join(dir, fmt.Sprintf("block-%d.err", b.line))
		out, err := os.Create(outPath)
		if err != nil {
			t.Fatal(err)
		}
		errOut, err := os.Create(errPath)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bash, "--noprofile", "--norc", "-e", "-o", "pipefail", path)
		cmd.Env = append(env, "DOCS_STATE="+state, "DOCS_FILE="+file, fmt.Sprintf("DOCS_LINE=%d", b.line))
		cmd.Dir = work
		// Files, not pipes: a background job keeping them open does not
		// keep the block from ending.
		cmd.Stdout, cmd.Stderr = out, errOut
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			out.Close()
			errOut.Close()
			t.Fatal(err)
		}
		groups = append(groups, cmd.Process.Pid)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var runErr error
		select {
		case runErr = <-done:
		case <-time.After(3 * time.Minute):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			runErr = fmt.Errorf("still running after 3 minutes: %v", <-done)
		}
		out.Close()
		errOut.Close()
		ran++
		output, _ := os.ReadFile(outPath)
		stderr, _ := os.ReadFile(errPath)
		if runErr != nil {
			t.Errorf("%s:%d: the block failed (%v); its stdout:\n%s\nits stderr:\n%s", file, b.line, runErr, output, stderr)
			continue
		}
		if b.hasExpect {
			got := normalizeLines(strings.Split(string(output), "\n"))
			want := normalizeLines(b.expect)
			if !matchOutput(want, got) {
				t.Errorf("%s:%d: stdout does not match the ```text block after it.\nwant:\n%s\ngot:\n%s\n(stderr:\n%s)",
					file, b.line, strings.Join(want, "\n"), strings.Join(got, "\n"), stderr)
			}
		}
	}
	return ran, notRun
}

// docEnv is a reader's environment on a clean, keyring-less machine: the
// test process's environment without anything of bokuctl's, with HOME and
// the XDG folders below home and no session bus.
func docEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "BOKUCTL_"), strings.HasPrefix(name, "XDG_"),
			name == "HOME", name == "DBUS_SESSION_BUS_ADDRESS", name == "NO_COLOR",
			name == "CLICOLOR", name == "CLICOLOR_FORCE", name == "LEAK_MARKER",
			name == "GOFLAGS", name == "TERM":
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_STATE_HOME="+filepath.Join(home, ".local", "state"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(home, "no-dbus"),
		"TERM=dumb",
		"TZ=UTC",
	)
}

// TestDocsHarnessRules checks the harness's own parsing and matching, so
// that a harness bug cannot pass every doc.
func TestDocsHarnessRules(t *testing.T) {
	md := "intro\n\n<!-- not run: a real account -->\n```sh\nbokuctl init\n```\n\n```sh\necho hi   # exit 3: why\nfalse \\\n  x # exit 1\n```\n\n```text\nhi\n...\n```\n```yaml\na: 1\n```\n"
	blocks, err := parseDocBlocks("x.md", []byte(md))
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 2 || blocks[0].notRun != "a real account" || blocks[1].notRun != "" || !blocks[1].hasExpect || len(blocks[1].expect) != 2 {
		t.Fatalf("parsed %+v", blocks)
	}
	script, err := shellScript(blocks[1])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(script, "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "__rc=0; echo hi || __rc=$?; [ \"$__rc\" -eq 3 ]") ||
		!strings.HasPrefix(lines[1], "__rc=0; false \\") || !strings.HasPrefix(lines[2], "  x || __rc=$?; [ \"$__rc\" -eq 1 ]") {
		t.Fatalf("script:\n%s", script)
	}
	if _, err := parseDocBlocks("y.md", []byte("```bash\nls\n```\n")); err == nil {
		t.Fatal("a ```bash block was accepted")
	}
	if _, err := parseDocBlocks("y.md", []byte("<!-- not run: -->\n```sh\nls\n```\n")); err == nil {
		t.Fatal("a not-run marker without a reason was accepted")
	}
	// `# exit 4 if …` is prose, not the convention.
	if exitComment.MatchString("bokuctl secret status   # exit 4 if a secret is missing") {
		t.Fatal("`# exit 4 if …` taken for an expected exit code")
	}
	for _, c := range []struct {
		want, got string
		ok        bool
	}{
		{"a\nb", "a\nb", true},
		{"a\nb", "a\nb\nc", false},
		{"a\n...", "a\nb\nc", true},
		{"...\nc", "a\nb\nc", true},
		{"a\n...\nc", "a\nc", true},
		{"id: ...", "id: oi-123", true},
		{"id: ...-9", "id: oi-123", false},
		{"x", "", false},
	} {
		if got := matchOutput(strings.Split(c.want, "\n"), strings.Split(c.got, "\n")); got != c.ok {
			t.Errorf("matchOutput(%q, %q) = %v", c.want, c.got, got)
		}
	}
	// The real harness: a block's exit code, variables and output.
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	os.MkdirAll(state, 0o700)
	os.WriteFile(filepath.Join(state, "cwd"), []byte(dir+"\n"), 0o600)
	os.WriteFile(filepath.Join(state, "vars"), nil, 0o600)
	runOne := func(lines ...string) (string, error) {
		script, err := shellScript(docBlock{file: "t.md", line: 10, script: lines})
		if err != nil {
			return "", err
		}
		path := filepath.Join(dir, "b.sh")
		os.WriteFile(path, []byte(docPrologue+script), 0o600)
		cmd := exec.Command(bash, "--noprofile", "--norc", "-e", "-o", "pipefail", path)
		cmd.Env = append(os.Environ(), "DOCS_STATE="+state, "DOCS_FILE=t.md", "DOCS_LINE=10")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := runOne("x=kept; export Y=exported", "sh -c 'exit 4'   # exit 4"); err != nil {
		t.Fatalf("a documented exit 4 failed: %v\n%s", err, out)
	}
	if out, err := runOne(`echo "$x $Y"`); err != nil || out != "kept exported\n" {
		t.Fatalf("variables did not carry over: %q %v", out, err)
	}
	if out, err := runOne("true   # exit 4"); err == nil || !strings.Contains(out, "t.md:10: exit 0, the doc says 4") {
		t.Fatalf("a success where the doc says exit 4 passed: %q %v", out, err)
	}
	if out, err := runOne("true", "false", "true"); err == nil || !strings.Contains(out, "t.md:11: exit 1") {
		t.Fatalf("a failing line passed or was misreported: %q %v", out, err)
	}
	if out, err := runOne("printf x | false | cat"); err == nil {
		t.Fatalf("a failing command inside a pipeline passed: %q", out)
	}
}
