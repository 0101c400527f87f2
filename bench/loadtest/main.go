// Command loadtest measures gitlab-mock against the budgets of design.md in
// one run on this machine: throughput of GET /api/v4/users/:id against a bare
// net/http handler serving the same bytes, list and search latency at 100k
// users, reset and session creation at 100k users, start-to-ready time and
// RSS of the binary, and 1,000 sequential go-gitlab requests.
//
//	go run ./bench/loadtest [-duration 5s] [-concurrency 32] [-users 100000]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	xgitlab "github.com/xanzy/go-gitlab"

	"github.com/gitlab-mock/gitlab-mock/mock"
)

const adminToken = "9koXpg98eAheJpvBs5tK"

func main() {
	duration := flag.Duration("duration", 5*time.Second, "load duration per server and round")
	concurrency := flag.Int("concurrency", 32, "concurrent clients")
	users := flag.Int("users", 100_000, "users for the large-state measurements")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the throughput phase to this file")
	flag.Parse()
	// The same GC setting as the gitlab-mock binary with default fixtures
	// (see tuneGC in its main), for both servers of the comparison alike.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		_, m, b, err := throughput(*duration, *concurrency)
		pprof.StopCPUProfile()
		fmt.Printf("mock %.0f req/s, bare %.0f req/s (%v)\n", m, b, err)
		return
	}
	if err := run(*duration, *concurrency, *users); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(duration time.Duration, concurrency, users int) error {
	fmt.Printf("machine: %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel())
	fmt.Printf("%-58s %14s %12s\n", "measurement", "value", "budget")

	ratio, mockRPS, bareRPS, err := throughput(duration, concurrency)
	if err != nil {
		return err
	}
	row("GET /users/:id req/s, gitlab-mock", fmt.Sprintf("%.0f", mockRPS), "")
	row("GET /users/:id req/s, bare net/http, same bytes", fmt.Sprintf("%.0f", bareRPS), "")
	row("throughput ratio mock/bare", fmt.Sprintf("%.2fx", ratio), ">= 0.75x")

	newDur, err := timeNew()
	if err != nil {
		return err
	}
	row("mock.New with default fixtures (median)", newDur.String(), "< 1ms")

	if err := largeState(users); err != nil {
		return err
	}
	seq, err := sequentialClient()
	if err != nil {
		return err
	}
	row("1,000 sequential xanzy/go-gitlab requests (httptest)", seq.Round(time.Millisecond).String(), "< 0.5s")
	return binaryMeasurements(users)
}

func row(name, value, budget string) { fmt.Printf("%-58s %14s %12s\n", name, value, budget) }

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "model name") {
			return strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
		}
	}
	return "unknown CPU"
}

// listen serves h on a loopback port.
func listen(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// throughput compares the mock with a bare handler returning the same
// bytes, alternating rounds so that machine noise hits both alike.
func throughput(d time.Duration, concurrency int) (ratio, mockRPS, bareRPS float64, err error) {
	const rounds = 4
	srv, err := mock.New(mock.Options{})
	if err != nil {
		return 0, 0, 0, err
	}
	mockURL, stopMock, err := listen(srv)
	if err != nil {
		return 0, 0, 0, err
	}
	defer stopMock()
	body, hdr, err := fetch(mockURL + "/api/v4/users/1")
	if err != nil {
		return 0, 0, 0, err
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Private-Token") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", hdr.Get("Content-Type"))
		w.Write(body)
	})
	bareURL, stopBare, err := listen(bare)
	if err != nil {
		return 0, 0, 0, err
	}
	defer stopBare()
	var m, b float64
	for round := 0; round < rounds; round++ {
		m += load(mockURL+"/api/v4/users/1", d/rounds, concurrency)
		b += load(bareURL+"/api/v4/users/1", d/rounds, concurrency)
	}
	return m / b, m / rounds, b / rounds, nil
}

func fetch(url string) ([]byte, http.Header, error) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("PRIVATE-TOKEN", adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return nil, nil, fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return b, resp.Header, err
}

// load runs concurrency keep-alive clients against url for d; req/s.
func load(url string, d time.Duration, concurrency int) float64 {
	tr := &http.Transport{MaxIdleConnsPerHost: concurrency, MaxConnsPerHost: concurrency}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var n atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("PRIVATE-TOKEN", adminToken)
			for time.Now().Before(deadline) {
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					n.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / d.Seconds()
}

func timeNew() (time.Duration, error) {
	var ds []time.Duration
	for i := 0; i < 50; i++ {
		start := time.Now()
		if _, err := mock.New(mock.Options{}); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	return ds[len(ds)/2], nil
}

// percentiles of sequential requests against url.
func latency(client *http.Client, url, token string, n int) (p50, p99 time.Duration, err error) {
	var ds []time.Duration
	for i := 0; i < n; i++ {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("PRIVATE-TOKEN", token)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return 0, 0, fmt.Errorf("GET %s: %d", url, resp.StatusCode)
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	return ds[len(ds)/2], ds[len(ds)*99/100], nil
}

func largeState(users int) error {
	start := time.Now()
	srv, err := mock.New(mock.Options{GenerateUsers: users})
	if err != nil {
		return err
	}
	row(fmt.Sprintf("mock.New with %d generated users", users), time.Since(start).Round(time.Millisecond).String(), "")
	url, stop, err := listen(srv)
	if err != nil {
		return err
	}
	defer stop()
	client := &http.Client{}
	for _, c := range []struct{ name, path, token string }{
		{"list page (admin, default order)", "/api/v4/users?per_page=20&page=3", mock.GeneratedAdminToken},
		{"list page (admin, active, order_by=name)", "/api/v4/users?active=true&order_by=name&sort=asc&per_page=50", mock.GeneratedAdminToken},
		{"list page (user, default order)", "/api/v4/users?per_page=20", "glpat-gen-2"},
		{"search (admin, ?search=user09999)", "/api/v4/users?search=user09999", mock.GeneratedAdminToken},
		{"search (user, ?search=generated user 0500)", "/api/v4/users?search=generated%20user%200500", "glpat-gen-2"},
	} {
		p50, p99, err := latency(client, url+c.path, c.token, 300)
		if err != nil {
			return err
		}
		row(fmt.Sprintf("%dk users: %s p50", users/1000, c.name), p50.Round(time.Microsecond).String(), "")
		row(fmt.Sprintf("%dk users: %s p99", users/1000, c.name), p99.Round(time.Microsecond).String(), "< 5ms")
	}
	return resetAndSessions(srv, url, users)
}

func sequentialClient() (time.Duration, error) {
	srv, err := mock.New(mock.Options{})
	if err != nil {
		return 0, err
	}
	url, stop, err := listen(srv)
	if err != nil {
		return 0, err
	}
	defer stop()
	client, err := xgitlab.NewClient(adminToken, xgitlab.WithBaseURL(url))
	if err != nil {
		return 0, err
	}
	start := time.Now()
	for i := 0; i < 1000; i++ {
		if _, _, err := client.Users.GetUser(1, xgitlab.GetUsersOptions{}); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// binaryMeasurements builds gitlab-mock and measures start-to-ready and RSS.
func binaryMeasurements(users int) error {
	dir, err := os.MkdirTemp("", "gitlab-mock-loadtest")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "gitlab-mock")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/gitlab-mock")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v\n%s", err, out)
	}
	var ready []time.Duration
	var rss int
	for i := 0; i < 5; i++ {
		d, r, err := startToReady(bin)
		if err != nil {
			return err
		}
		ready, rss = append(ready, d), r
	}
	slices.Sort(ready)
	row("binary start to /-/readiness 200 (median of 5)", ready[2].Round(100*time.Microsecond).String(), "< 50ms")
	row("RSS idle, default fixtures", fmt.Sprintf("%.1f MB", float64(rss)/1024), "< 30 MB")

	doc, err := mock.GenerateFixtures(users)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		return err
	}
	d, rss, err := startToReady(bin, "-fixtures", path)
	if err != nil {
		return err
	}
	row(fmt.Sprintf("binary start to ready with %dk users (-fixtures YAML)", users/1000), d.Round(time.Millisecond).String(), "")
	row(fmt.Sprintf("RSS with %dk users loaded from YAML", users/1000), fmt.Sprintf("%.1f MB", float64(rss)/1024), "< 400 MB")
	d, rss, err = startToReady(bin, "-generate-users", strconv.Itoa(users))
	if err != nil {
		return err
	}
	row(fmt.Sprintf("binary start to ready with %dk users (-generate-users)", users/1000), d.Round(time.Millisecond).String(), "")
	row(fmt.Sprintf("RSS with %dk users (-generate-users)", users/1000), fmt.Sprintf("%.1f MB", float64(rss)/1024), "< 400 MB")
	return nil
}

// startToReady starts bin on a free port, waits for readiness, reads RSS
// (kB) after a short idle, and stops it with SIGTERM.
func startToReady(bin string, args ...string) (time.Duration, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-addr", "127.0.0.1:0", "-log-level", "error"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return 0, 0, fmt.Errorf("reading the listening line: %w", err)
	}
	url := strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get(url + "/-/readiness")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if ctx.Err() != nil {
			return 0, 0, errors.New("binary never became ready")
		}
		time.Sleep(200 * time.Microsecond)
	}
	ready := time.Since(start)
	time.Sleep(300 * time.Millisecond)
	return ready, rssKB(cmd.Process.Pid), nil
}

func rssKB(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	return 0
}

// resetAndSessions times Reset (each after a write through the API) and
// session creation on the large state.
func resetAndSessions(srv *mock.Server, url string, users int) error {
	var resets []time.Duration
	for i := 0; i < 200; i++ {
		req, _ := http.NewRequest("PUT", url+"/api/v4/users/5", strings.NewReader(`{"bio":"changed"}`))
		req.Header.Set("PRIVATE-TOKEN", mock.GeneratedAdminToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("PUT user: %d", resp.StatusCode)
		}
		start := time.Now()
		srv.Reset()
		resets = append(resets, time.Since(start))
	}
	slices.Sort(resets)
	row(fmt.Sprintf("%dk users: reset p50", users/1000), resets[len(resets)/2].String(), "")
	row(fmt.Sprintf("%dk users: reset p99", users/1000), resets[len(resets)*99/100].String(), "< 5ms")
	return sessionCreation(url, users)
}

// sessionCreation times POST /-/mock/sessions (and ends each session).
func sessionCreation(url string, users int) error {
	var ds []time.Duration
	for i := 0; i < 200; i++ {
		start := time.Now()
		resp, err := http.Post(url+"/-/mock/sessions", "application/json", nil)
		if err != nil {
			return err
		}
		var info struct{ ID string }
		err = json.NewDecoder(resp.Body).Decode(&info)
		resp.Body.Close()
		ds = append(ds, time.Since(start))
		if err != nil || resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("POST /-/mock/sessions: %d %v", resp.StatusCode, err)
		}
		req, _ := http.NewRequest("DELETE", url+"/-/mock/sessions/"+info.ID, nil)
		if resp, err = http.DefaultClient.Do(req); err != nil {
			return err
		}
		resp.Body.Close()
	}
	slices.Sort(ds)
	row(fmt.Sprintf("%dk users: POST /-/mock/sessions p50 (HTTP)", users/1000), ds[len(ds)/2].Round(time.Microsecond).String(), "")
	row(fmt.Sprintf("%dk users: POST /-/mock/sessions p99 (HTTP)", users/1000), ds[len(ds)*99/100].Round(time.Microsecond).String(), "< 5ms")
	return nil
}
