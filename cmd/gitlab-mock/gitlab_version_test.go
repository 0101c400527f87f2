package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gitlab-mock/gitlab-mock/mock"
)

// reported is what /api/v4/version and /api/v4/metadata say.
func reported(t *testing.T, url string) (version, metadata string) {
	t.Helper()
	for _, p := range []struct {
		path string
		dst  *string
	}{{"/api/v4/version", &version}, {"/api/v4/metadata", &metadata}} {
		resp, body := get(t, url+p.path, map[string]string{"PRIVATE-TOKEN": adminToken})
		var v struct {
			Version string `json:"version"`
		}
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &v) != nil {
			t.Fatalf("GET %s: %s %s", p.path, resp.Status, body)
		}
		*p.dst = v.Version
	}
	return version, metadata
}

func TestRunGitLabVersion(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"default", nil, nil, mock.DefaultGitLabVersion},
		{"flag", []string{"-gitlab-version", "17.11.3"}, nil, "17.11.3"},
		{"env", nil, map[string]string{"GITLAB_MOCK_GITLAB_VERSION": "16.11.10-ee"}, "16.11.10-ee"},
		{"flag wins over env", []string{"-gitlab-version", "18.0.0"}, map[string]string{"GITLAB_MOCK_GITLAB_VERSION": "16.0.0"}, "18.0.0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, append([]string{"-addr", "127.0.0.1:0"}, tc.args...), tc.env)
			if v, m := reported(t, s.url); v != tc.want || m != tc.want {
				t.Errorf("version %q, metadata %q, want %q", v, m, tc.want)
			}
			if code := s.stop(t); code != 0 {
				t.Errorf("exit code %d", code)
			}
			if logs := s.stderr.String(); !strings.Contains(logs, "gitlab_version="+tc.want) {
				t.Errorf("start line does not log gitlab_version=%s:\n%s", tc.want, logs)
			}
		})
	}
}

func TestRunGitLabVersionInvalid(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-gitlab-version", "18"}, nil, "-gitlab-version"},
		{[]string{"-gitlab-version", "latest"}, nil, "-gitlab-version"},
		{nil, map[string]string{"GITLAB_MOCK_GITLAB_VERSION": "v18.1.0"}, "GITLAB_MOCK_GITLAB_VERSION"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, env(tc.env), &stdout, &stderr)
		if code != exitUsage || strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v %v: exit %d, stderr %q; want 2 and one line naming %s", tc.args, tc.env, code, stderr.String(), tc.want)
		}
	}
}

func TestRunVersionShowsGitLabVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-version", "-gitlab-version", "17.0.1"}, env(nil), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if got := stdout.String(); !strings.HasSuffix(got, "(GitLab 17.0.1)\n") {
		t.Errorf("stdout = %q", got)
	}
}

func put(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("PRIVATE-TOKEN", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRunCompatV3(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		env    map[string]string
		status int
		body   string
	}{
		{"off: 410 as modern GitLab", nil, nil, http.StatusGone, `{"error":"API V3 is no longer supported. Use API V4 instead."}`},
		{"-compat v3: PUT block is 200 true", []string{"-compat", "v3"}, nil, http.StatusOK, `true`},
		{"GITLAB_MOCK_COMPAT=v3", nil, map[string]string{"GITLAB_MOCK_COMPAT": "v3"}, http.StatusOK, `true`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, append([]string{"-addr", "127.0.0.1:0"}, tc.args...), tc.env)
			if status, body := put(t, s.url+"/api/v3/users/1/block", adminToken); status != tc.status || body != tc.body {
				t.Errorf("PUT /api/v3/users/1/block: %d %s, want %d %s", status, body, tc.status, tc.body)
			}
		})
	}
}

// TestBinaryGitLabVersionAndCompat: the Dockerfile-built binary configured
// by environment variables only, as a container is.
func TestBinaryGitLabVersionAndCompat(t *testing.T) {
	dir, bin := buildAsDockerfile(t, "container-test")
	cmd := runAsImage(bin, dir, []string{"GITLAB_MOCK_ADDR=127.0.0.1:0", "GITLAB_MOCK_GITLAB_VERSION=17.8.2", "GITLAB_MOCK_COMPAT=v3"})
	url := startBinary(t, cmd)
	if v, m := reported(t, url); v != "17.8.2" || m != "17.8.2" {
		t.Errorf("version %q, metadata %q, want 17.8.2", v, m)
	}
	if status, body := put(t, url+"/api/v3/users/1/block", adminToken); status != http.StatusOK || body != "true" {
		t.Errorf("PUT /api/v3/users/1/block: %d %s, want 200 true", status, body)
	}
}
