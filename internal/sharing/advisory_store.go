package sharing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// loadAdvisory reads revision rev of advisory id; rev 0 is the latest.
func loadAdvisory(ctx context.Context, q store.Querier, id string, rev int) (Advisory, error) {
	var row *sql.Row
	if rev > 0 {
		row = q.QueryRow(ctx, "SELECT data FROM shr_advisories WHERE id = ? AND revision = ?", id, rev)
	} else {
		row = q.QueryRow(ctx, "SELECT data FROM shr_advisories WHERE id = ? ORDER BY revision DESC LIMIT 1", id)
	}
	return scanAdvisory(row, id)
}

// loadShared reads the latest revision of advisory id that was published:
// published, or withdrawn after publication.
func loadShared(ctx context.Context, q store.Querier, id string) (Advisory, error) {
	row := q.QueryRow(ctx, "SELECT data FROM shr_advisories WHERE id = ? AND state IN (?, ?) ORDER BY revision DESC LIMIT 1",
		id, string(StatePublished), string(StateWithdrawn))
	return scanAdvisory(row, id)
}

func scanAdvisory(row *sql.Row, id string) (Advisory, error) {
	var data string
	err := row.Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return Advisory{}, fmt.Errorf("advisory %q: %w", textfield.Cut(id, 80), ErrNotFound)
	}
	if err != nil {
		return Advisory{}, fmt.Errorf("read advisory: %w", err)
	}
	var a Advisory
	return a, unmarshal(data, &a)
}

// saveAdvisory inserts or replaces a revision. Forwards are kept in their
// own table and never stored with it.
func saveAdvisory(ctx context.Context, tx *store.Tx, a Advisory) error {
	a.Forwards = nil
	data, err := marshal(a)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO shr_advisories (id, revision, state, tlp, published_at, updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id, revision) DO UPDATE SET state = excluded.state, tlp = excluded.tlp, published_at = excluded.published_at,
	updated_at = excluded.updated_at, data = excluded.data`,
		a.ID, a.Revision, string(a.State), string(a.Marking.Level), formatTime(a), store.FormatTime(a.UpdatedAt), data)
	if err != nil {
		return fmt.Errorf("record advisory: %w", err)
	}
	return nil
}

func formatTime(a Advisory) string {
	if a.PublishedAt.IsZero() {
		return ""
	}
	return store.FormatTime(a.PublishedAt)
}

// scanAdvisories reads the data column of rows as advisories.
func scanAdvisories(rows *sql.Rows) ([]Advisory, error) {
	var out []Advisory
	for rows.Next() {
		var data string
		var a Advisory
		if err := rows.Scan(&data); err != nil {
			return nil, closeRows(rows, err)
		}
		if err := unmarshal(data, &a); err != nil {
			return nil, closeRows(rows, err)
		}
		out = append(out, a)
	}
	return out, closeRows(rows, nil)
}
