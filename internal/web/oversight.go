package web

import (
	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
)

// registerOversight adds the oversight pages when the service is configured.
func (s *Site) registerOversight(page func(pattern string, action auth.Action, h api.HandlerFunc)) {
	if s.cfg.Oversight == nil {
		return
	}
	_ = page
}
