package sharing

import (
	"context"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/tlp"
)

// Reader resolves p to the reader the visibility decision needs: its
// organisation's council membership now and the user's clearance. A nil
// principal, and any principal that is not a logged-in user (a sensor, a
// feed subscriber), is tlp.Public. The TAXII server calls it for every
// request, so that a member that leaves the council, or a user whose
// clearance is revoked, loses access at once.
func (s *Service) Reader(ctx context.Context, p *auth.Principal) (tlp.Reader, error) {
	if !isUser(p) {
		return tlp.Public, nil
	}
	member, err := isMember(ctx, s.db, p.OrgID, p.OrgKind)
	if err != nil {
		return tlp.Reader{}, err
	}
	level, err := s.clearanceOf(ctx, s.db, p.UserID)
	if err != nil {
		return tlp.Reader{}, err
	}
	return tlp.Reader{UserID: p.UserID, OrgID: p.OrgID, Council: member, Clearance: level}, nil
}
