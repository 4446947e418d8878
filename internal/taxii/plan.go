package taxii

import (
	"strings"

	"github.com/acd-platform/acd/internal/tlp"
)

// queryPlan is the SQL of one page's batches.
//
// A batch reads the next rows in page order (date_added, seq) that the
// indexes can find: the rows of the collection, or of the types asked for
// (index taxii_objects_type, one ordered subquery per type), or of the
// objects asked for (index taxii_objects_version, materialised first:
// there are few), after the position and added_after. Every other filter —
// a first cut of visibility, spec_version, version timestamps — is
// computed as the row's ok column rather than put in the WHERE clause, so
// that a batch examines at most its LIMIT of rows, whatever the filters
// let through: a page costs at most Config.MaxScan rows.
type queryPlan struct {
	// sel is the select list; flag the ok expression, with flagArgs.
	sel      string
	flag     string
	flagArgs []any
	// drive are the index conditions, with driveArgs, the collection's
	// first; types and ids the values the plan drives by.
	drive     []string
	driveArgs []any
	types     []string
	ids       []string
	withData  bool
}

// planQuery builds the plan of a page.
func (s *Service) planQuery(collectionID string, q Query, sel versionSelect, r tlp.Reader, withData bool) *queryPlan {
	p := &queryPlan{withData: withData, ids: q.IDs, types: q.Types}
	var flags []string
	in := func(col string, vs []string) string {
		for _, v := range vs {
			p.flagArgs = append(p.flagArgs, v)
		}
		return col + " IN (" + placeholders(len(vs)) + ")"
	}
	// The first cut of visibility, so that a page does not wade through
	// rows the reader could never see; tlp.Scale.Visible is the decision.
	if r.Council && r.OrgID != "" {
		flags = append(flags, `(tlp IN ('clear', 'green') OR recipient_orgs LIKE ? ESCAPE '\' OR recipient_users LIKE ? ESCAPE '\')`)
		user := "," // matches no stored list: those are "" or ",id,…,"
		if r.UserID != "" {
			user = "%," + likeEscape(r.UserID) + ",%"
		}
		p.flagArgs = append(p.flagArgs, "%,"+likeEscape(r.OrgID)+",%", user)
	} else {
		flags = append(flags, "tlp = 'clear'")
	}
	if len(q.SpecVersions) > 0 {
		flags = append(flags, in("spec_version", q.SpecVersions))
	}
	if !sel.all && !sel.first && !sel.last {
		flags = append(flags, in("version", sel.at))
	}
	if len(q.IDs) > 0 && len(q.Types) > 0 {
		flags = append(flags, in("object_type", q.Types))
		p.types = nil
	}
	p.flag = "CASE WHEN " + strings.Join(flags, " AND ") + " THEN 1 ELSE 0 END"
	p.sel = rowCols + ", " + p.flag + " AS ok"
	if withData {
		p.sel += ", CASE WHEN " + strings.Join(flags, " AND ") + " THEN data ELSE '' END AS data"
	}
	p.drive = []string{"collection_id = ?"}
	p.driveArgs = []any{collectionID}
	if !q.AddedAfter.IsZero() {
		p.drive = append(p.drive, "date_added > ?")
		p.driveArgs = append(p.driveArgs, formatTime(q.AddedAfter))
	}
	return p
}

// selectArgs are the arguments of the select list.
func (p *queryPlan) selectArgs() []any {
	if p.withData {
		return append(append([]any{}, p.flagArgs...), p.flagArgs...)
	}
	return append([]any{}, p.flagArgs...)
}

// batch returns the query of the next n rows after last (nil: from the
// start).
func (p *queryPlan) batch(last *row, n int) (string, []any) {
	drive, args := append([]string{}, p.drive...), append([]any{}, p.driveArgs...)
	if last != nil {
		drive = append(drive, "(date_added > ? OR (date_added = ? AND seq > ?))")
		args = append(args, last.added, last.added, last.seq)
	}
	const order = " ORDER BY date_added, seq"
	switch {
	case len(p.ids) > 0:
		// Few rows: find them by id first (index taxii_objects_version;
		// with the position in the same WHERE, SQLite would take the
		// page index instead), then keep and order them.
		ids := make([]any, len(p.ids))
		for i, id := range p.ids {
			ids[i] = id
		}
		q := "WITH m AS MATERIALIZED (SELECT " + p.sel + " FROM taxii_objects WHERE collection_id = ? AND object_id IN (" + placeholders(len(p.ids)) + "))" +
			" SELECT * FROM m"
		if len(drive) > 1 {
			q += " WHERE " + strings.Join(drive[1:], " AND ") // after collection_id
		}
		q += order + " LIMIT ?"
		return q, append(append(append(append(p.selectArgs(), args[0]), ids...), args[1:]...), n)
	case len(p.types) > 0:
		// One ordered subquery per type, each on the type index.
		var parts []string
		var all []any
		for i, t := range p.types {
			parts = append(parts, "SELECT * FROM (SELECT "+p.sel+" FROM taxii_objects WHERE "+strings.Join(drive, " AND ")+
				" AND object_type = ?"+order+" LIMIT ?) AS t"+itoa(i))
			all = append(append(append(all, p.selectArgs()...), args...), t, n)
		}
		return strings.Join(parts, " UNION ALL ") + order + " LIMIT ?", append(all, n)
	}
	q := "SELECT " + p.sel + " FROM taxii_objects WHERE " + strings.Join(drive, " AND ") + order + " LIMIT ?"
	return q, append(append(p.selectArgs(), args...), n)
}

// placeholders returns n comma-separated question marks.
func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
