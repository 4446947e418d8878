package web

import (
	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
)

// registerInspection adds the inspection pages when the service is configured.
func (s *Site) registerInspection(page func(pattern string, action auth.Action, h api.HandlerFunc)) {
	if s.cfg.Inspection == nil {
		return
	}
	_ = page
}
