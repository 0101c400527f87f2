package main

// The container image's premises, proved without a Docker engine: the
// Dockerfile's key lines, and a binary built exactly as its build stage does
// that is static, starts with an empty environment in a directory holding
// nothing but itself (as FROM scratch does), runs as the image's non-root
// uid, answers its HEALTHCHECK and stops cleanly on SIGTERM.

import (
	"bufio"
	"debug/elf"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-mock/gitlab-mock/mock"
)

// dockerBuild is the build command of the Dockerfile's build stage; the test
// builds with the same environment and flags.
const dockerBuild = `RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/gitlab-mock ./cmd/gitlab-mock`

// imageUID is the Dockerfile's USER.
const imageUID = 65532

// dockerfileStage is one FROM ... stage of the Dockerfile: its instructions
// (continuation lines joined, comments dropped).
type dockerfileStage struct {
	from  string
	lines []string
}

func parseDockerfile(t *testing.T) []dockerfileStage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var stages []dockerfileStage
	var cur string
	for _, raw := range strings.Split(string(b), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if cont, ok := strings.CutSuffix(line, `\`); ok {
			cur += cont + " "
			continue
		}
		line, cur = cur+line, ""
		if strings.HasPrefix(strings.ToUpper(line), "FROM ") {
			stages = append(stages, dockerfileStage{from: strings.TrimSpace(line[5:])})
			continue
		}
		if len(stages) == 0 {
			continue // ARG before the first FROM
		}
		stages[len(stages)-1].lines = append(stages[len(stages)-1].lines, line)
	}
	return stages
}

func TestDockerfileKeyLines(t *testing.T) {
	stages := parseDockerfile(t)
	if len(stages) != 2 {
		t.Fatalf("%d stages, want 2 (build, then scratch)", len(stages))
	}
	if !slicesContains(stages[0].lines, dockerBuild) {
		t.Errorf("the build stage does not run\n  %s\nit has %q", dockerBuild, stages[0].lines)
	}
	final := stages[1]
	if final.from != "scratch" {
		t.Errorf("final stage FROM %q, want scratch", final.from)
	}
	want := []string{
		"COPY --from=build /out/gitlab-mock /gitlab-mock", // the binary only
		"EXPOSE 8080",
		"ENV GITLAB_MOCK_ADDR=0.0.0.0:8080",
		"USER 65532:65532",
		`ENTRYPOINT ["/gitlab-mock"]`,
	}
	for _, w := range want {
		if !slicesContains(final.lines, w) {
			t.Errorf("final stage lacks %q; it has %q", w, final.lines)
		}
	}
	var copies, healthchecks int
	for _, l := range final.lines {
		switch word := strings.ToUpper(strings.Fields(l)[0]); word {
		case "COPY", "ADD":
			copies++
		case "HEALTHCHECK":
			healthchecks++
			if !strings.HasSuffix(l, `CMD ["/gitlab-mock","healthcheck"]`) {
				t.Errorf("HEALTHCHECK %q does not run the healthcheck subcommand in exec form", l)
			}
		case "USER":
			if u := strings.Fields(l)[1]; u == "0" || strings.HasPrefix(u, "0:") || strings.HasPrefix(u, "root") {
				t.Errorf("USER %s is root", u)
			}
		case "RUN", "SHELL", "CMD":
			t.Errorf("final stage has %q: scratch has no shell", l)
		}
	}
	if copies != 1 || healthchecks != 1 {
		t.Errorf("final stage: %d COPY/ADD and %d HEALTHCHECK lines, want 1 and 1", copies, healthchecks)
	}
}

func slicesContains(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

// buildAsDockerfile builds the binary as the Dockerfile's build stage does,
// alone in a fresh directory readable by the image's uid.
func buildAsDockerfile(t *testing.T, version string) (dir, bin string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "gitlab-mock-container-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(dir, "gitlab-mock")
	build := exec.Command(goTool(t), "build", "-trimpath", "-ldflags", "-s -w -X main.version="+version, "-o", bin, ".")
	build.Env = append(cleanEnv(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir, bin
}

// runAsImage starts bin as the image would: from dir, with only env set and,
// when the test runs as root, as the image's uid and gid.
func runAsImage(bin, dir string, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{}, env...)
	if os.Getuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: imageUID, Gid: imageUID}}
	}
	return cmd
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Fatal(err)
	return -1
}

func TestContainerBinaryIsStatic(t *testing.T) {
	_, bin := buildAsDockerfile(t, "container-test")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has a PT_INTERP program header: it needs a dynamic loader that scratch lacks")
		}
		if p.Type == elf.PT_DYNAMIC {
			t.Error("the binary has a PT_DYNAMIC program header")
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) != 0 {
		t.Errorf("DT_NEEDED libraries %q (err %v), want none", libs, err)
	}
	if s := f.Section(".dynamic"); s != nil {
		t.Error("the binary has a .dynamic section")
	}
	if s := f.Section(".interp"); s != nil {
		t.Error("the binary has an .interp section")
	}

	// -trimpath: no path of this machine is baked in.
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if wd, _ := os.Getwd(); len(filepath.Dir(filepath.Dir(wd))) >= 8 && strings.Contains(string(b), filepath.Dir(filepath.Dir(wd))) {
		t.Errorf("the binary contains the build directory %s: not built with -trimpath", filepath.Dir(filepath.Dir(wd)))
	}
}

func TestContainerRunsFromScratch(t *testing.T) {
	dir, bin := buildAsDockerfile(t, "container-test")

	// -version: the build stamped the version.
	out, err := runAsImage(bin, dir, nil, "-version").Output()
	if err != nil {
		t.Fatalf("-version: %v", err)
	}
	if want := "gitlab-mock container-test (GitLab " + mock.DefaultGitLabVersion + ")\n"; string(out) != want {
		t.Errorf("-version = %q, want %q", out, want)
	}

	// An empty environment but the address (the image sets
	// GITLAB_MOCK_ADDR=0.0.0.0:8080; the test picks a free loopback port).
	cmd := runAsImage(bin, dir, []string{"GITLAB_MOCK_ADDR=127.0.0.1:0"})
	p := startProcess(t, cmd)
	url, stderr, waited := p.url, p.stderr, p.waited
	// The listener is bound before that line is printed: no polling needed.
	for _, tc := range []struct {
		path, token string
		want        map[string]any
	}{
		{"/-/readiness", "", map[string]any{"status": "ok"}},
		{"/api/v4/user", adminToken, map[string]any{"username": "root", "is_admin": true}},
		{"/api/v4/users/1", adminToken, map[string]any{"username": "john_smith", "email": "john@example.com"}},
		{"/api/v4/version", adminToken, map[string]any{"version": mock.DefaultGitLabVersion}},
	} {
		resp, body := get(t, url+tc.path, map[string]string{"PRIVATE-TOKEN": tc.token})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s %s", tc.path, resp.Status, body)
		}
		var got map[string]any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("GET %s: %v in %s", tc.path, err, body)
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("GET %s: %s = %v, want %v", tc.path, k, got[k], v)
			}
		}
	}

	// HEALTHCHECK CMD ["/gitlab-mock","healthcheck"] runs with the image's
	// environment only: GITLAB_MOCK_ADDR=0.0.0.0:PORT dials loopback.
	port := url[strings.LastIndex(url, ":")+1:]
	for _, tc := range []struct {
		name string
		env  []string
		want int
	}{
		{"image env, server up", []string{"GITLAB_MOCK_ADDR=0.0.0.0:" + port}, 0},
		{"loopback, server up", []string{"GITLAB_MOCK_ADDR=127.0.0.1:" + port}, 0},
		{"closed port", []string{"GITLAB_MOCK_ADDR=" + closedAddr(t)}, 1},
	} {
		out, err := runAsImage(bin, dir, tc.env, "healthcheck").CombinedOutput()
		if code := exitCode(t, err); code != tc.want {
			t.Errorf("healthcheck (%s): exit %d, want %d; output %q", tc.name, code, tc.want, out)
		}
	}

	// docker stop: SIGTERM, exit 0.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-waited:
		p.stopped = true
		if code := exitCode(t, err); code != 0 {
			t.Errorf("exit %d after SIGTERM, want 0; stderr:\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30s after SIGTERM; stderr:\n%s", stderr.String())
	}

	// It wrote nothing: a read-only root filesystem is fine.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "gitlab-mock" {
		t.Errorf("the directory holds %v, want only the binary", entries)
	}
	if logs := stderr.String(); !strings.Contains(logs, "gitlab-mock started") || !strings.Contains(logs, "stopped") {
		t.Errorf("logs lack the start or stop line:\n%s", logs)
	}
}

// process is a started gitlab-mock binary.
type process struct {
	url     string
	stderr  *syncBuffer
	waited  chan error // cmd.Wait's result once it exited
	stopped bool       // set once waited was read
}

// startProcess starts cmd and reads its "listening on" line. The process is
// killed at the end of the test unless the test saw it exit.
func startProcess(t *testing.T, cmd *exec.Cmd) *process {
	t.Helper()
	p := &process{stderr: &syncBuffer{}, waited: make(chan error, 1)}
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !p.stopped {
			cmd.Process.Kill()
			<-p.waited
		}
	})
	br := bufio.NewReader(stdout)
	lineCh := make(chan string, 1)
	go func() {
		line, _ := br.ReadString('\n')
		lineCh <- line
		_, _ = io.Copy(io.Discard, br) // drain stdout before Wait
		p.waited <- cmd.Wait()
	}()
	select {
	case line := <-lineCh:
		url, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "listening on ")
		if !ok {
			t.Fatalf("first stdout line = %q; stderr:\n%s", line, p.stderr.String())
		}
		p.url = url
	case <-time.After(30 * time.Second):
		t.Fatalf("no \"listening on\" line within 30s; stderr:\n%s", p.stderr.String())
	}
	return p
}

// startBinary starts cmd and returns its URL.
func startBinary(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	return startProcess(t, cmd).url
}

// TestDockerignoreKeepsTheSources: .dockerignore keeps the
// sources the build stage compiles (go.mod, go.sum, Go files, embedded
// fixtures) in the build context.
func TestDockerignoreKeepsTheSources(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	keep := []string{"go.mod", "go.sum", "cmd/gitlab-mock/main.go", "mock/server.go", "fixtures/default.yaml", "fixtures/embed.go"}
	for _, raw := range strings.Split(string(b), "\n") {
		pat := strings.TrimSpace(raw)
		if pat == "" || strings.HasPrefix(pat, "#") || strings.HasPrefix(pat, "!") {
			continue
		}
		re := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(strings.TrimPrefix(pat, "/")), `\*`, `[^/]*`) + "(/.*)?$")
		for _, k := range keep {
			if re.MatchString(k) {
				t.Errorf(".dockerignore pattern %q drops %s, which the build needs", pat, k)
			}
		}
	}
}
