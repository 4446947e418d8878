package web

import (
	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
)

// registerCommsinfo adds the commsinfo pages when the service is configured.
func (s *Site) registerCommsinfo(page func(pattern string, action auth.Action, h api.HandlerFunc)) {
	if s.cfg.Commsinfo == nil {
		return
	}
	_ = page
}
