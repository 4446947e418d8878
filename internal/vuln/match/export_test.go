package match

import "github.com/acd-platform/acd/internal/vuln/cve"

// SetContains reports whether the compiled set of vs contains version v,
// for checking the interval arithmetic against VersionStatus.
func SetContains(vs cve.Versions, v string) bool {
	s := compileVersions(vs)
	return s.contains(versionKey(s.scheme, v))
}
