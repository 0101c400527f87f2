package main

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// repoRoot is the gitlab-mock module's directory.
const repoRoot = "../../.."

// buildBinary builds gitlab-mock as the Dockerfile does.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gitlab-mock")
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(goCmd, "build", "-trimpath", "-ldflags", "-s -w -X main.version=image-test", "-o", bin, "./cmd/gitlab-mock")
	cmd.Dir = repoRoot
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CGO_ENABLED=") && !strings.HasPrefix(kv, "GOOS=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "CGO_ENABLED=0", "GOOS=linux")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// finalStage returns the Dockerfile's last stage's instructions.
func finalStage(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var stage []string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "FROM "):
			stage = nil
		default:
			stage = append(stage, l)
		}
	}
	return stage
}

func TestImageMatchesTheDockerfile(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	ociDir, tarPath := filepath.Join(dir, "oci"), filepath.Join(dir, "image.tar")
	if err := run(bin, "v9.9.9+dirty", runtime.GOARCH, ociDir, tarPath, "gitlab-mock"); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}

	idx, err := layout.ImageIndexFromPath(ociDir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil || len(m.Manifests) != 1 {
		t.Fatalf("OCI index: %v, %v", m, err)
	}
	fromLayout, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	fromTar, err := tarball.ImageFromPath(tarPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, img := range map[string]v1.Image{"oci layout": fromLayout, "tarball": fromTar} {
		t.Run(name, func(t *testing.T) {
			checkImage(t, img, want, finalStage(t))
		})
	}
	d1, _ := fromLayout.Digest()
	again, err := Build(want, "v9.9.9+dirty", runtime.GOARCH)
	if err != nil {
		t.Fatal(err)
	}
	if d2, _ := again.Digest(); d1 != d2 {
		t.Errorf("two builds of one binary differ: %s, %s", d1, d2)
	}
}

func checkImage(t *testing.T, img v1.Image, bin []byte, dockerfile []string) {
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if cf.OS != "linux" || cf.Architecture != runtime.GOARCH {
		t.Errorf("platform %s/%s", cf.OS, cf.Architecture)
	}
	if !slices.Equal(c.Entrypoint, []string{"/gitlab-mock"}) || len(c.Cmd) != 0 {
		t.Errorf("entrypoint %q cmd %q", c.Entrypoint, c.Cmd)
	}
	if c.User != "65532:65532" {
		t.Errorf("user %q, want 65532:65532 (non-root)", c.User)
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok || len(c.ExposedPorts) != 1 {
		t.Errorf("exposed ports %v", c.ExposedPorts)
	}
	if !slices.Equal(c.Env, []string{"GITLAB_MOCK_ADDR=0.0.0.0:8080"}) {
		t.Errorf("env %q", c.Env)
	}
	if c.Healthcheck == nil || !slices.Equal(c.Healthcheck.Test, []string{"CMD", "/gitlab-mock", "healthcheck"}) {
		t.Errorf("healthcheck %+v", c.Healthcheck)
	}
	if c.Labels["org.opencontainers.image.version"] != "v9.9.9+dirty" {
		t.Errorf("labels %v", c.Labels)
	}

	// The Dockerfile's final stage says the same.
	for _, line := range []string{
		`ENTRYPOINT ["` + c.Entrypoint[0] + `"]`,
		"USER " + c.User,
		"EXPOSE " + strings.TrimSuffix("8080/tcp", "/tcp"),
		"ENV " + c.Env[0],
	} {
		if !slices.Contains(dockerfile, line) {
			t.Errorf("the Dockerfile's final stage lacks %q", line)
		}
	}
	hc := slices.IndexFunc(dockerfile, func(l string) bool { return strings.HasPrefix(l, "HEALTHCHECK ") })
	if hc < 0 || !strings.HasSuffix(dockerfile[hc], `CMD ["/gitlab-mock","healthcheck"]`) ||
		!strings.Contains(dockerfile[hc], "--interval="+c.Healthcheck.Interval.String()) ||
		!strings.Contains(dockerfile[hc], "--timeout="+c.Healthcheck.Timeout.String()) {
		t.Errorf("Dockerfile HEALTHCHECK does not match the image's %+v", c.Healthcheck)
	}

	// One layer, one file: the binary, executable, identical to the build.
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("%d layers, %v", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	var files []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, h.Name)
		got, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == "gitlab-mock" {
			if h.Mode&0o111 != 0o111 || h.Typeflag != tar.TypeReg {
				t.Errorf("mode %o type %c: not executable by the image's user", h.Mode, h.Typeflag)
			}
			if !bytes.Equal(got, bin) {
				t.Error("the layer's binary differs from the build")
			}
			f, err := elf.NewFile(bytes.NewReader(got))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range f.Progs {
				if p.Type == elf.PT_INTERP {
					t.Error("the binary needs a dynamic loader; scratch has none")
				}
			}
		}
	}
	if !slices.Equal(files, []string{"gitlab-mock"}) {
		t.Errorf("layer files %q, want only gitlab-mock", files)
	}
}

func TestTagSafe(t *testing.T) {
	for in, want := range map[string]string{"v1.2.3": "v1.2.3", "9237939-dirty": "9237939-dirty", "v1+meta": "v1-meta", "": "dev"} {
		if got := tagSafe(in); got != want {
			t.Errorf("tagSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
