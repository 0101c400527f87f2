// Package scenarios embeds the named scenarios shipped with gitlab-mock:
// fault rules, fixtures and a clock that script a situation (an LDAP-managed
// user base, a throttled or unreachable GitLab, expired tokens, ...). Apply
// one with POST /-/mock/scenarios/NAME, gitlab-mock -scenario NAME or
// (*mock.Server).ApplyScenario. It lives beside the YAML files because
// go:embed cannot reach parent directories.
package scenarios

import "embed"

// FS holds every scenario file of this directory (NAME.yaml).
//
//go:embed *.yaml
var FS embed.FS
