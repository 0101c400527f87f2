package mock

import (
	"time"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/fixture"
)

// GeneratedAdminToken is the admin's token (scopes api, sudo) in generated
// states; user N (N >= 2) has the read_api token "glpat-gen-N".
const GeneratedAdminToken = fixture.GenerateAdminToken

// generatedEpoch dates generated users: user N is created N minutes after it.
var generatedEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// GenerateFixtures returns a fixture document with n users for load tests:
// an admin (root, GeneratedAdminToken) and n-1 users "user000002"... each
// with an ed25519 SSH key, a confirmed secondary email and a token; every
// tenth user is blocked, every seventh external, every fifth has 2FA.
// Options.GenerateUsers builds the same state without the YAML round trip.
func GenerateFixtures(n int) ([]byte, error) {
	d, err := fixture.Generate(n, generatedEpoch)
	if err != nil {
		return nil, err
	}
	return fixture.Export(d)
}
