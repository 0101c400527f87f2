package mock

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var soakFor = flag.Duration("soak", 2*time.Second, "how long TestSoak runs (make soak: 60s)")

// TestSoak runs 32 concurrent clients over real HTTP mixing reads, writes,
// resets, session create/delete and fault changes. Nothing may answer 500,
// nothing may panic, no goroutine may leak and memory must stay flat.
// `make test` runs it for 2 s under -race; `make soak` for 60 s.
func TestSoak(t *testing.T) {
	runtime.GC()
	goroutinesBefore := runtime.NumGoroutine()
	s := newTestServer(t, Options{MaxSessions: 64})
	ts := httptest.NewServer(s)
	tr := &http.Transport{MaxIdleConnsPerHost: 32}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	var (
		requests, errors5xx atomic.Int64
		failures            sync.Map
		wg                  sync.WaitGroup
	)
	call := func(method, path, token, body string) (int, string) {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, ts.URL+path, rd)
		if token != "" {
			req.Header.Set("PRIVATE-TOKEN", token)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			failures.Store(method+" "+path+": "+err.Error(), true)
			return 0, ""
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		requests.Add(1)
		if resp.StatusCode == http.StatusInternalServerError {
			errors5xx.Add(1)
			failures.Store(fmt.Sprintf("%s %s -> 500 %s", method, path, b), true)
		}
		return resp.StatusCode, string(b)
	}

	deadline := time.Now().Add(*soakFor)
	var heapMid uint64
	var midOnce sync.Once
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for i := 0; time.Now().Before(deadline); i++ {
				if time.Until(deadline) < *soakFor/2 {
					midOnce.Do(func() { heapMid = heapInUse() })
				}
				switch op := rng.IntN(100); {
				case op < 35:
					call("GET", fmt.Sprintf("/api/v4/users?per_page=5&page=%d", 1+rng.IntN(3)), rootToken, "")
				case op < 55:
					call("GET", fmt.Sprintf("/api/v4/users/%d", 1+rng.IntN(9)), johnToken, "")
				case op < 65:
					name := fmt.Sprintf("soak_%d_%d", w, i)
					code, body := call("POST", "/api/v4/users", rootToken,
						`{"email":"`+name+`@x.io","name":"S","username":"`+name+`","reset_password":true}`)
					if code == http.StatusCreated {
						id := body[strings.Index(body, `"id":`)+5 : strings.Index(body, `,`)]
						call("PUT", "/api/v4/users/"+id, rootToken, `{"bio":"soaked"}`)
						call("DELETE", "/api/v4/users/"+id, rootToken, "")
					}
				case op < 70:
					call("POST", "/-/mock/reset", "", "")
				case op < 82:
					code, body := call("POST", "/-/mock/sessions", "", "")
					if code == http.StatusCreated {
						id := body[strings.Index(body, `"id":"`)+6:]
						id = id[:strings.Index(id, `"`)]
						call("GET", "/-/sessions/"+id+"/api/v4/user", rootToken, "")
						call("POST", "/-/sessions/"+id+"/api/v4/users/7/block", rootToken, "")
						call("DELETE", "/-/mock/sessions/"+id, "", "")
					}
				case op < 90:
					call("POST", "/-/mock/faults", "", `{"match":{"path":"/api/v4/version"},"error":"bad_gateway","times":1}`)
					call("GET", "/api/v4/version", johnToken, "")
				case op < 93:
					call("DELETE", "/-/mock/faults", "", "")
				default:
					call("GET", "/-/mock/requests?method=POST", "", "")
				}
			}
		}(w)
	}
	wg.Wait()
	heapEnd := heapInUse()

	failures.Range(func(k, _ any) bool { t.Error(k); return true })
	if n := errors5xx.Load(); n > 0 {
		t.Errorf("%d answers were 500", n)
	}
	if p := s.Panics(); p != 0 {
		t.Errorf("%d panics recovered", p)
	}
	t.Logf("%d requests in %s; heap in use %.1f MB at half time, %.1f MB at the end",
		requests.Load(), *soakFor, float64(heapMid)/1e6, float64(heapEnd)/1e6)
	if heapMid > 0 && heapEnd > 2*heapMid+16<<20 {
		t.Errorf("memory grew from %d to %d bytes", heapMid, heapEnd)
	}

	ts.Close()
	tr.CloseIdleConnections()
	var after int
	for wait := time.Now().Add(5 * time.Second); time.Now().Before(wait); {
		if after = runtime.NumGoroutine(); after <= goroutinesBefore+2 {
			return
		}
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond) // connections wind down asynchronously
	}
	t.Errorf("goroutines: %d before, %d after", goroutinesBefore, after)
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
