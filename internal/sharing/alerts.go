package sharing

import (
	"context"
	"fmt"
	"time"

	"github.com/acd-platform/acd/internal/textfield"
	"github.com/acd-platform/acd/internal/tlp"
)

// Alert is a public alert: a published TLP:CLEAR advisory as anyone,
// without logging in, reads it (§41, one voice). It names no account.
type Alert struct {
	ID          string    `json:"id"`
	Revision    int       `json:"revision"`
	Supersedes  int       `json:"supersedes,omitempty"`
	Title       string    `json:"title"`
	Technical   Technical `json:"technical"`
	Executive   Executive `json:"executive"`
	PublishedAt time.Time `json:"published_at"`
}

func alertOf(a Advisory) Alert {
	return Alert{ID: a.ID, Revision: a.Revision, Supersedes: a.Supersedes, Title: a.Title, Technical: a.Technical,
		Executive: a.Executive, PublishedAt: a.PublishedAt}
}

// PublicAlerts lists the published TLP:CLEAR advisories, newest first, at
// most limit (default 100, at most 1000). Withdrawn ones are not listed.
func (s *Service) PublicAlerts(ctx context.Context, n int) ([]Alert, error) {
	rows, err := s.db.Query(ctx, "SELECT data FROM shr_advisories WHERE state = ? AND tlp = ? ORDER BY published_at DESC, id LIMIT ?",
		string(StatePublished), string(tlp.Clear), limit(n))
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	as, err := scanAdvisories(rows)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	out := []Alert{}
	for _, a := range as {
		out = append(out, alertOf(a))
	}
	return out, nil
}

// PublicAlert returns the public alert id: the latest published revision
// of the advisory, if it is TLP:CLEAR and not withdrawn.
func (s *Service) PublicAlert(ctx context.Context, id string) (Alert, error) {
	a, err := loadShared(ctx, s.db, id)
	if err != nil {
		return Alert{}, err
	}
	if a.State != StatePublished || a.Marking.Level != tlp.Clear {
		return Alert{}, fmt.Errorf("alert %q: %w", textfield.Cut(id, 80), ErrNotFound)
	}
	return alertOf(a), nil
}
