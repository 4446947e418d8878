package vuln

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/textfield"
	"github.com/acd-platform/acd/internal/vuln/cve"
	"github.com/acd-platform/acd/internal/vuln/match"
)

// Limits of an import.
const (
	// importBatch is how many good records share one transaction.
	importBatch = 100
	// MaxRejections is how many rejected records an ImportResult lists;
	// Rejected counts them all.
	MaxRejections = 1000
)

// ImportResult says what an import did with each record.
type ImportResult struct {
	// Records is the number of records read, good or bad.
	Records int `json:"records"`
	// Imported lists the records stored.
	Imported []Imported `json:"imported"`
	// RejectedCount counts the records refused; Rejected lists the first
	// MaxRejections of them.
	RejectedCount int         `json:"rejected_count"`
	Rejected      []Rejection `json:"rejected"`
	// Stopped, when set, says why the rest of the input could not be
	// read (not JSON, a record over the size limit); the records before
	// it were imported.
	Stopped string `json:"stopped,omitempty"`
}

// Imported is one record stored by an import.
type Imported struct {
	// Index is the record's place in the input, from 0.
	Index int    `json:"index"`
	ID    string `json:"id"`
	// Replaced is true when a record of the same id was replaced.
	Replaced bool `json:"replaced"`
	// NewPairs and Resolved count the assets newly affected and no longer
	// affected.
	NewPairs int `json:"new_pairs"`
	Resolved int `json:"resolved"`
}

// Rejection is a record refused by an import: which (its place and id)
// and why (the JSON path of the field and what is wrong).
type Rejection struct {
	Index   int    `json:"index"`
	ID      string `json:"id,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// record is a good record read from the input.
type record struct {
	index int
	v     *cve.Vulnerability
	raw   []byte
}

// Import reads records from r (see package cve: a CVE JSON 5 record, an
// NVD item or response, a JSON array or NDJSON of them), stores the good
// ones and updates the matches, and reports each bad one with its place,
// id and field. It fails with a *FieldError (field "body") when the input
// holds no record at all; a read error after some records sets Stopped.
// A database error stops the import: the batches before it stay imported.
func (s *Service) Import(ctx context.Context, p *auth.Principal, r io.Reader) (ImportResult, error) {
	if !cabinetOffice(p) {
		return ImportResult{}, refuse(CodeNotCabinetOffice, "only the Cabinet Office imports vulnerability records")
	}
	res := ImportResult{Imported: []Imported{}, Rejected: []Rejection{}}
	rd := cve.NewReader(r, cve.ReaderConfig{})
	var batch []record
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		done, err := s.importBatch(ctx, p, batch)
		res.Imported = append(res.Imported, done...)
		batch = batch[:0]
		return err
	}
	for {
		v, err := rd.Next()
		if err == io.EOF {
			break
		}
		if re, ok := errors.AsType[*cve.RecordError](err); ok {
			res.RejectedCount++
			if len(res.Rejected) < MaxRejections {
				res.Rejected = append(res.Rejected, Rejection{Index: re.Index, ID: re.ID, Path: re.Path, Message: re.Msg})
			}
			continue
		}
		if err != nil {
			if rd.Progress().Records == 0 {
				return res, svcerr.Fieldf("body", "%v", err)
			}
			res.Stopped = err.Error()
			break
		}
		if inBatch(batch, v.ID) { // one record per id per transaction
			if err := flush(); err != nil {
				res.Records = rd.Progress().Records
				return res, err
			}
		}
		batch = append(batch, record{index: rd.Progress().Records - 1, v: v, raw: append([]byte(nil), rd.Raw()...)})
		if len(batch) == importBatch {
			if err := flush(); err != nil {
				res.Records = rd.Progress().Records
				return res, err
			}
		}
	}
	res.Records = rd.Progress().Records
	if res.Records == 0 {
		return res, svcerr.Fieldf("body", "no record in the input")
	}
	return res, flush()
}

func inBatch(batch []record, id string) bool {
	for _, r := range batch {
		if r.v.ID == id {
			return true
		}
	}
	return false
}

// importBatch puts recs into the index and stores them with their pairs
// in one transaction; if that fails, the index is put back.
func (s *Service) importBatch(ctx context.Context, p *auth.Principal, recs []record) ([]Imported, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var undos []undo
	out := make([]Imported, len(recs))
	for i, rc := range recs {
		var old []byte
		{
			var rec string
			err := s.db.QueryRow(ctx, "SELECT record FROM vuln_records WHERE id = ?", rc.v.ID).Scan(&rec)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				s.restore(undos)
				return nil, fmt.Errorf("read vulnerability %s: %w", rc.v.ID, err)
			default:
				old = []byte(rec)
			}
		}
		undos = append(undos, undo{rc.v.ID, old})
		s.ix.PutVulnerability(rc.v)
		out[i] = Imported{Index: rc.index, ID: rc.v.ID, Replaced: old != nil}
	}
	now := store.FormatTime(s.now())
	actor := "system"
	if p != nil {
		actor = p.UserID
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		var fresh []match.Pair
		for i, rc := range recs {
			v := rc.v
			if _, err := tx.Exec(ctx, `INSERT INTO vuln_records (id, format, rejected, title, score, published, updated, record, imported_by, imported_at, exploited, exploited_evidence)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '')
ON CONFLICT (id) DO UPDATE SET format = excluded.format, rejected = excluded.rejected, title = excluded.title, score = excluded.score,
published = excluded.published, updated = excluded.updated, record = excluded.record, imported_by = excluded.imported_by, imported_at = excluded.imported_at`,
				v.ID, v.Format.String(), boolInt(v.Rejected), titleOf(v), scoreOf(v), timeText(v.Published), timeText(v.Updated), string(rc.raw), actor, now); err != nil {
				return fmt.Errorf("store vulnerability %s: %w", v.ID, err)
			}
			// The pairs of v as the index has them now, against those
			// stored: this also repairs any drift.
			have, err := openPairs(ctx, tx, "vuln_id", []string{v.ID})
			if err != nil {
				return err
			}
			f, resolved, err := s.settle(ctx, tx, s.ix.VulnerabilityPairs(v.ID), have)
			if err != nil {
				return err
			}
			fresh = append(fresh, f...)
			out[i].NewPairs, out[i].Resolved = len(f), resolved
			if err := s.audit(ctx, tx, p, "vuln.import", "vulnerability/"+v.ID, importAudit{ID: v.ID, Format: v.Format.String(), Index: rc.index,
				Replaced: out[i].Replaced, NewPairs: len(f), Resolved: resolved}); err != nil {
				return err
			}
		}
		return s.tellOperators(ctx, tx, fresh)
	})
	if err != nil {
		s.restore(undos)
		return nil, err
	}
	return out, nil
}

// undo is how to put one vulnerability of the index back.
type undo struct {
	id  string
	old []byte // the record before, nil if none
}

// restore undoes index changes, last first.
func (s *Service) restore(undos []undo) {
	for i := len(undos) - 1; i >= 0; i-- {
		u := undos[i]
		if u.old == nil {
			s.ix.RemoveVulnerability(u.id)
			continue
		}
		v, err := cve.Parse(u.old)
		if err != nil {
			s.logger.Error("restore vulnerability", "id", u.id, "err", err)
			s.ix.RemoveVulnerability(u.id)
			continue
		}
		s.ix.PutVulnerability(v)
	}
}

// importAudit is the audit payload of an imported record.
type importAudit struct {
	ID       string `json:"id"`
	Format   string `json:"format"`
	Index    int    `json:"index"`
	Replaced bool   `json:"replaced"`
	NewPairs int    `json:"new_pairs"`
	Resolved int    `json:"resolved"`
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return store.FormatTime(t)
}

// titleOf is the record's title, or the start of its English description.
func titleOf(v *cve.Vulnerability) string {
	if v.Title != "" {
		return textfield.Cut(v.Title, 200)
	}
	for _, d := range v.Descriptions {
		if d.Lang == "" || strings.HasPrefix(d.Lang, "en") {
			return textfield.Cut(d.Value, 200)
		}
	}
	return ""
}

// scoreOf is the highest CVSS base score ×10, or -1 if none.
func scoreOf(v *cve.Vulnerability) int {
	best := -1
	for _, c := range v.CVSS {
		if x := int(math.Round(c.BaseScore * 10)); x > best {
			best = x
		}
	}
	return best
}
