package web

import (
	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
)

// registerVuln adds the vulnerability pages: the public catalogue of
// vulnerabilities exploited in Japan, its KEV candidates, operators'
// affected assets and the exposure views.
func (s *Site) registerVuln(page func(pattern string, action auth.Action, h api.HandlerFunc)) {
	if s.cfg.Vuln == nil {
		return
	}
}
