package mock

import "testing"

func TestGeneratedStatesServeAndMatchTheirFixtureDocument(t *testing.T) {
	gen := newTestServer(t, Options{GenerateUsers: 30})
	doc, err := GenerateFixtures(30)
	if err != nil {
		t.Fatal(err)
	}
	fromDoc := newTestServer(t, Options{Fixtures: doc})
	a, _ := gen.State()
	b, _ := fromDoc.State()
	if string(a) != string(b) {
		t.Fatal("Options.GenerateUsers and GenerateFixtures describe different states")
	}
	for _, s := range []*Server{gen, fromDoc} {
		rec := do(t, s, req{path: "/api/v4/users?per_page=5", token: GeneratedAdminToken})
		expect(t, rec, 200, "")
		if rec.Header().Get("X-Total") != "30" {
			t.Fatalf("X-Total = %s", rec.Header().Get("X-Total"))
		}
		// user 10 is blocked, user 2 reads with its read_api token
		u := decode[map[string]any](t, do(t, s, req{path: "/api/v4/users/10", token: "glpat-gen-2"}))
		if u["state"] != "blocked" || u["username"] != "user000010" {
			t.Fatalf("user 10: %v", u)
		}
	}
}
