package mock_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gitlab-mock/gitlab-mock/mock"
)

// sidecarReady polls GET /-/readiness until it answers 200, as a test suite
// does before its first test when the mock runs as a sidecar (a CI service
// or a compose container) and may still be starting.
func sidecarReady(base string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get(base + "/-/readiness")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gitlab-mock at %s not ready after %s (last error: %v)", base, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sidecarDo sends one request with the docs' admin token.
func sidecarDo(method, url string) int {
	req, _ := http.NewRequest(method, url, nil)
	req.Header.Set("PRIVATE-TOKEN", "9koXpg98eAheJpvBs5tK") // root in the default fixtures
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The sidecar workflow of a test suite, served here by httptest so it runs
// anywhere; against the container, base is e.g. http://gitlab-mock:8080.
// Wait for readiness once, then reset the state between tests with
// POST /-/mock/reset (in Go, in-process: srv.Reset()).
func Example_sidecar() {
	srv, err := mock.New(mock.Options{}) // the embedded default fixtures
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	base := ts.URL // in CI: os.Getenv("GITLAB_URL")

	if err := sidecarReady(base, 30*time.Second); err != nil {
		panic(err)
	}

	// A test deletes jane_doe ...
	fmt.Println("delete:", sidecarDo(http.MethodDelete, base+"/api/v4/users/42"))
	fmt.Println("after delete:", sidecarDo(http.MethodGet, base+"/api/v4/users/42"))

	// ... and the next test starts from the fixtures again.
	fmt.Println("reset:", sidecarDo(http.MethodPost, base+"/-/mock/reset"))
	fmt.Println("after reset:", sidecarDo(http.MethodGet, base+"/api/v4/users/42"))

	// Output:
	// delete: 204
	// after delete: 404
	// reset: 204
	// after reset: 200
}
