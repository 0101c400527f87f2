package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-mock/gitlab-mock/mock"
)

const adminToken = "9koXpg98eAheJpvBs5tK"

// env is a getenv backed by a map.
func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

// syncBuffer is a bytes.Buffer safe for the server's log goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRunUsageErrors: every bad input is exit code 2 and one stderr line
// naming the problem; the flag package's usage text is not printed.
func TestRunUsageErrors(t *testing.T) {
	badYAML := writeFile(t, "bad.yaml", `users:
  - id: 1
    username: root
    name: Administrator
    email: admin@example.com
    favourite_colour: blue
`)
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	notDir := writeFile(t, "file.txt", "x")
	badScenario := writeFile(t, "bad-scenario.yaml", "description: broken\nfaults:\n  - error: teapot\n")

	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string // substrings of the one stderr line
	}{
		{"unknown flag", []string{"-bogus"}, nil, []string{"-bogus"}},
		{"flag missing value", []string{"-addr"}, nil, []string{"-addr"}},
		{"positional argument", []string{"serve"}, nil, []string{`"serve"`}},
		{"bad log level", []string{"-log-level", "loud"}, nil, []string{"-log-level", `"loud"`}},
		{"bad log level env", nil, map[string]string{"GITLAB_MOCK_LOG_LEVEL": "loud"}, []string{"GITLAB_MOCK_LOG_LEVEL", `"loud"`}},
		{"bad log format", []string{"-log-format", "xml"}, nil, []string{"-log-format", `"xml"`}},
		{"bad log format env", nil, map[string]string{"GITLAB_MOCK_LOG_FORMAT": "xml"}, []string{"GITLAB_MOCK_LOG_FORMAT", `"xml"`}},
		{"bad compat", []string{"-compat", "v2"}, nil, []string{"-compat", `"v2"`}},
		{"generated users with fixtures", []string{"-generate-users", "10", "-fixtures", "."}, nil, []string{"-generate-users", "no -fixtures"}},
		{"token seed not a number", []string{"-token-seed", "abc"}, nil, []string{"-token-seed"}},
		{"negative generated users from env", nil, map[string]string{"GITLAB_MOCK_GENERATE_USERS": "-3"}, []string{"GITLAB_MOCK_GENERATE_USERS", "positive"}},
		{"bad compat env", nil, map[string]string{"GITLAB_MOCK_COMPAT": "v5"}, []string{"GITLAB_MOCK_COMPAT", `"v5"`}},
		{"flag wins over env", []string{"-compat", "v2"}, map[string]string{"GITLAB_MOCK_COMPAT": "v3"}, []string{"-compat", `"v2"`}},
		{"bad addr", []string{"-addr", "no-port"}, nil, []string{"-addr", "no-port"}},
		{"bad addr env", nil, map[string]string{"GITLAB_MOCK_ADDR": "no-port"}, []string{"GITLAB_MOCK_ADDR", "no-port"}},
		{"unknown scenario", []string{"-scenario", "nope"}, nil, []string{"-scenario", `"nope"`, "unknown scenario", "ldap-blocked"}},
		{"unknown scenario env", nil, map[string]string{"GITLAB_MOCK_SCENARIO": "nope"}, []string{`"nope"`, "unknown scenario"}},
		{"invalid scenario file", []string{"-scenarios", filepath.Dir(badScenario)}, nil, []string{"bad-scenario.yaml:3", "faults[0]", "teapot"}},
		{"scenarios not a dir", []string{"-scenarios", notDir}, nil, []string{"-scenarios", "not a directory"}},
		{"missing fixtures file", []string{"-fixtures", missing}, nil, []string{"-fixtures", "nope.yaml"}},
		{"missing fixtures env", nil, map[string]string{"GITLAB_MOCK_FIXTURES": missing}, []string{"GITLAB_MOCK_FIXTURES", "nope.yaml"}},
		{"invalid fixture", []string{"-fixtures", badYAML}, nil, []string{"bad.yaml:6", "favourite_colour"}},
		{"bad external url", []string{"-external-url", "not a url"}, nil, []string{"not a url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, env(tt.env), &stdout, &stderr)
			if code != 2 {
				t.Errorf("exit code = %d, want 2 (stderr %q)", code, stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
			out := stderr.String()
			if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
				t.Fatalf("stderr is not exactly one line: %q", out)
			}
			if !strings.HasPrefix(out, "gitlab-mock: ") {
				t.Errorf("stderr %q does not start with %q", out, "gitlab-mock: ")
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("stderr %q does not mention %q", out, w)
				}
			}
		})
	}
}

func TestRunVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	// -version works even with a broken environment.
	code := run(context.Background(), []string{"-version"}, env(map[string]string{"GITLAB_MOCK_LOG_LEVEL": "loud"}), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit code = %d, want 0 (stderr %q)", code, stderr.String())
	}
	want := "(GitLab " + mock.DefaultGitLabVersion + ")\n"
	if got := stdout.String(); !strings.HasPrefix(got, "gitlab-mock ") || !strings.HasSuffix(got, want) {
		t.Errorf("stdout = %q, want %q", got, "gitlab-mock <version> "+want)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr = %q, want nothing", stderr.String())
	}
}

func TestRunHelp(t *testing.T) {
	for _, arg := range []string{"-h", "-help"} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{arg}, env(nil), &stdout, &stderr); code != 0 {
			t.Errorf("%s: exit code = %d, want 0", arg, code)
		}
		for _, w := range []string{"-addr", "GITLAB_MOCK_ADDR", "-fixtures", "-log-level"} {
			if !strings.Contains(stderr.String(), w) {
				t.Errorf("%s: usage does not mention %s:\n%s", arg, w, stderr.String())
			}
		}
	}
}

// started is a run() serving in a goroutine.
type started struct {
	url    string
	cancel context.CancelFunc
	done   chan int
	stderr *syncBuffer
}

// start runs run() in a goroutine and waits for its "listening on" line.
func start(t *testing.T, args []string, kv map[string]string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &started{cancel: cancel, done: make(chan int, 1), stderr: &syncBuffer{}}
	go func() {
		code := run(ctx, args, env(kv), pw, s.stderr)
		pw.Close()
		s.done <- code
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(15 * time.Second):
			t.Error("run did not return after cancel")
		}
	})

	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(pr).ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case line := <-lines:
		url, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "listening on ")
		if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, ":0") {
			t.Fatalf("first stdout line = %q, want %q; stderr:\n%s", line, "listening on http://127.0.0.1:PORT", s.stderr.String())
		}
		s.url = url
	case code := <-s.done:
		s.done <- code
		t.Fatalf("run exited with %d before listening; stderr:\n%s", code, s.stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("no \"listening on\" line within 10s")
	}
	return s
}

// stop cancels run's context and returns its exit code.
func (s *started) stop(t *testing.T) int {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code // for the cleanup
		return code
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return within 15s of cancel")
		return -1
	}
}

func get(t *testing.T, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestRunServes(t *testing.T) {
	s := start(t, []string{"-addr", "127.0.0.1:0", "-log-level", "debug"}, nil)

	resp, body := get(t, s.url+"/-/readiness", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /-/readiness: %s %s", resp.Status, body)
	}

	resp, body = get(t, s.url+"/api/v4/user", map[string]string{"PRIVATE-TOKEN": adminToken})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v4/user: %s %s", resp.Status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var user struct {
		Username string `json:"username"`
	}
	if err := json.Unmarshal(body, &user); err != nil {
		t.Fatalf("GET /api/v4/user: %v in %s", err, body)
	}
	if user.Username != "root" {
		t.Errorf("username = %q, want root", user.Username)
	}

	if code := s.stop(t); code != 0 {
		t.Errorf("exit code = %d, want 0; stderr:\n%s", code, s.stderr.String())
	}
	if logs := s.stderr.String(); strings.Contains(logs, adminToken) {
		t.Errorf("the logs contain a token:\n%s", logs)
	}
}

func TestRunEnvFallback(t *testing.T) {
	s := start(t, nil, map[string]string{
		"GITLAB_MOCK_ADDR":       "127.0.0.1:0",
		"GITLAB_MOCK_LOG_FORMAT": "json",
		"GITLAB_MOCK_COMPAT":     "v3",
	})
	if resp, body := get(t, s.url+"/-/readiness", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /-/readiness: %s %s", resp.Status, body)
	}
	if code := s.stop(t); code != 0 {
		t.Errorf("exit code = %d, want 0", code)
	}
	// The JSON handler was picked from the environment.
	first, _, _ := strings.Cut(s.stderr.String(), "\n")
	if !json.Valid([]byte(first)) {
		t.Errorf("first log line is not JSON: %q", first)
	}
}

func TestRunFixturesFlag(t *testing.T) {
	p := writeFile(t, "one.yaml", `users:
  - id: 7
    username: alice
    name: Alice
    email: alice@example.com
    admin: true
    personal_access_tokens:
      - {id: 1, name: t, token: glpat-alice-test-token, scopes: [api]}
`)
	s := start(t, []string{"-addr", "127.0.0.1:0", "-fixtures", p}, nil)
	resp, body := get(t, s.url+"/api/v4/user", map[string]string{"PRIVATE-TOKEN": "glpat-alice-test-token"})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"username":"alice"`) {
		t.Errorf("GET /api/v4/user as alice: %s %s", resp.Status, body)
	}
	resp, body = get(t, s.url+"/api/v4/user", map[string]string{"PRIVATE-TOKEN": adminToken})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/v4/user with a default-fixture token: %s %s, want 401", resp.Status, body)
	}
}

func TestRunListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-addr", ln.Addr().String()}, env(nil), &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit code = %d, want 1", code)
	}
	if out := stderr.String(); strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "gitlab-mock: ") {
		t.Errorf("stderr is not one error line: %q", out)
	}
}

func TestHealthcheck(t *testing.T) {
	s := start(t, []string{"-addr", "127.0.0.1:0"}, nil)
	addr := strings.TrimPrefix(s.url, "http://")
	_, port, _ := net.SplitHostPort(addr)
	closed := closedAddr(t)

	tests := []struct {
		name string
		args []string
		env  map[string]string
		want int
	}{
		{"flag", []string{"-addr", addr}, nil, 0},
		{"env", nil, map[string]string{"GITLAB_MOCK_ADDR": addr}, 0},
		{"unspecified host", []string{"-addr", "0.0.0.0:" + port}, nil, 0},
		{"empty host", []string{"-addr", ":" + port}, nil, 0},
		{"flag wins over env", []string{"-addr", addr}, map[string]string{"GITLAB_MOCK_ADDR": closed}, 0},
		{"closed port", []string{"-addr", closed}, nil, 1},
		{"bad flag", []string{"-bogus"}, nil, 2},
		{"bad addr", []string{"-addr", "no-port"}, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"healthcheck"}, tt.args...), env(tt.env), &stdout, &stderr)
			if code != tt.want {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.want, stderr.String())
			}
			if tt.want == 0 && stderr.Len() != 0 {
				t.Errorf("stderr = %q, want nothing", stderr.String())
			}
			if tt.want != 0 && strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("stderr is not one line: %q", stderr.String())
			}
		})
	}
}

func TestHealthcheckNot200(t *testing.T) {
	ts := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "starting", http.StatusServiceUnavailable)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go ts.Serve(ln)
	defer ts.Close()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"healthcheck", "-addr", ln.Addr().String()}, env(nil), &stdout, &stderr); code != 1 {
		t.Errorf("exit code = %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "503") {
		t.Errorf("stderr %q does not mention the status", stderr.String())
	}
}

// closedAddr is an address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// goTool is the go command of the toolchain running this test.
func goTool(t *testing.T) string {
	t.Helper()
	name := "go"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if p := filepath.Join(runtime.GOROOT(), "bin", name); fileExists(p) {
		return p
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("no go command to build the binary with")
	}
	return p
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// cleanEnv is the test's environment without GITLAB_MOCK_* settings.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GITLAB_MOCK_") {
			out = append(out, kv)
		}
	}
	return out
}

// TestBinary builds the real binary and checks startup, the healthcheck
// subcommand and a graceful exit on SIGTERM.
func TestBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "gitlab-mock")
	build := exec.Command(goTool(t), "build", "-o", bin, ".")
	build.Env = cleanEnv()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	cmd.Env = cleanEnv()
	var stderr syncBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := false
	defer func() {
		if !exited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()

	br := bufio.NewReader(stdout)
	lineCh := make(chan string, 1)
	go func() {
		line, _ := br.ReadString('\n')
		lineCh <- line
	}()
	var url string
	select {
	case line := <-lineCh:
		var ok bool
		url, ok = strings.CutPrefix(strings.TrimSuffix(line, "\n"), "listening on http://")
		if !ok {
			t.Fatalf("first stdout line = %q; stderr:\n%s", line, stderr.String())
		}
		url = "http://" + url
	case <-time.After(10 * time.Second):
		t.Fatalf("no \"listening on\" line within 10s; stderr:\n%s", stderr.String())
	}

	// Poll readiness.
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get(url + "/-/readiness")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/-/readiness not 200 within 5s (last error %v); stderr:\n%s", err, stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}

	addr := strings.TrimPrefix(url, "http://")
	for _, tc := range []struct {
		addr string
		want int
	}{{addr, 0}, {closedAddr(t), 1}} {
		hc := exec.Command(bin, "healthcheck", "-addr", tc.addr)
		hc.Env = cleanEnv()
		out, err := hc.CombinedOutput()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tc.want {
			t.Errorf("healthcheck -addr %s: exit code %d, want %d; output %q", tc.addr, code, tc.want, out)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() {
		_, _ = io.Copy(io.Discard, br) // drain stdout before Wait
		waited <- cmd.Wait()
	}()
	select {
	case err := <-waited:
		exited = true
		if err != nil {
			t.Errorf("exit after SIGTERM: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10s after SIGTERM; stderr:\n%s", stderr.String())
	}
	if logs := stderr.String(); strings.Contains(logs, adminToken) {
		t.Errorf("the logs contain a token:\n%s", logs)
	}
}

// -scenario applies a scenario at start (and on every reset); -scenarios
// reads them from a directory; -control-token guards the control API.
func TestRunScenarioAndControlToken(t *testing.T) {
	dir := filepath.Dir(writeFile(t, "teapot.yaml", "description: teapot\nfaults:\n  - {match: {path: /api/v4/user}, respond: {status: 418, body: {message: teapot}}}\n"))
	s := start(t, []string{"-addr", "127.0.0.1:0", "-scenarios", dir, "-scenario", "teapot", "-control-token", "ctl-secret"}, nil)
	admin := map[string]string{"PRIVATE-TOKEN": adminToken}
	if resp, body := get(t, s.url+"/api/v4/user", admin); resp.StatusCode != 418 || string(body) != `{"message":"teapot"}` {
		t.Fatalf("GET /api/v4/user: %s %s", resp.Status, body)
	}
	if resp, body := get(t, s.url+"/-/mock/scenarios", nil); resp.StatusCode != 401 || !strings.Contains(string(body), "X-Gitlab-Mock-Token") {
		t.Fatalf("control call without the token: %s %s", resp.Status, body)
	}
	resp, body := get(t, s.url+"/-/mock/scenarios", map[string]string{"X-Gitlab-Mock-Token": "ctl-secret"})
	if resp.StatusCode != 200 || string(body) != `[{"name":"teapot","description":"teapot"}]` {
		t.Fatalf("GET /-/mock/scenarios: %s %s", resp.Status, body)
	}
	if code := s.stop(t); code != 0 {
		t.Errorf("exit code = %d", code)
	}
	if logs := s.stderr.String(); strings.Contains(logs, "ctl-secret") {
		t.Errorf("the logs contain the control token:\n%s", logs)
	}
}

func TestRunEmbeddedScenarioFromEnv(t *testing.T) {
	s := start(t, nil, map[string]string{"GITLAB_MOCK_ADDR": "127.0.0.1:0", "GITLAB_MOCK_SCENARIO": "gitlab-down"})
	if resp, body := get(t, s.url+"/api/v4/user", map[string]string{"PRIVATE-TOKEN": adminToken}); resp.StatusCode != 503 {
		t.Fatalf("GET /api/v4/user: %s %s", resp.Status, body)
	}
	if resp, _ := get(t, s.url+"/-/readiness", nil); resp.StatusCode != 200 {
		t.Fatalf("readiness: %s", resp.Status)
	}
}
