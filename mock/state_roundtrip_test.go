package mock

import (
	"reflect"
	"testing"
)

// GET /-/mock/state must load back to the same state, follows, statuses and
// preferences included (design.md: every exported document loads back).
func TestExportedStateLoadsBackWithFollowsStatusesAndPreferences(t *testing.T) {
	s := newTestServer(t, Options{})
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/7/follow", token: johnToken}), 201, "")
	expect(t, do(t, s, req{method: "PUT", path: "/api/v4/user/status", token: johnToken, body: `{"emoji":"coffee","message":"brb","availability":"busy"}`}), 200, "")
	expect(t, do(t, s, req{method: "PUT", path: "/api/v4/user/preferences", token: johnToken, body: `{"show_whitespace_in_diffs":true}`}), 200, "")

	state := do(t, s, req{path: "/-/mock/state"})
	expect(t, state, 200, "")
	loaded := newTestServer(t, Options{Fixtures: state.Body.Bytes()})
	for _, path := range []string{"/api/v4/users/7", "/api/v4/user/status", "/api/v4/user/preferences"} {
		want := decode[map[string]any](t, do(t, s, req{path: path, token: johnToken}))
		got := decode[map[string]any](t, do(t, loaded, req{path: path, token: johnToken}))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s after a state round trip:\n%v\nwant %v", path, got, want)
		}
	}
	if u := decode[map[string]any](t, do(t, loaded, req{path: "/api/v4/users/7", token: johnToken})); u["followers"] != float64(1) || u["is_followed"] != true {
		t.Fatalf("follow lost: %v", u)
	}
	// And reset returns to the loaded baseline, follows included.
	expect(t, do(t, loaded, req{method: "POST", path: "/api/v4/users/7/unfollow", token: johnToken}), 201, "")
	loaded.Reset()
	if u := decode[map[string]any](t, do(t, loaded, req{path: "/api/v4/users/7", token: johnToken})); u["followers"] != float64(1) {
		t.Fatalf("reset lost the baseline follow: %v", u)
	}
}
