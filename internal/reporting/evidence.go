package reporting

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// Evidence is a file attached to a report (logs, screenshots, captures),
// without its bytes.
type Evidence struct {
	ID        string    `json:"id"`
	ReportID  string    `json:"report_id"`
	Name      string    `json:"name"`
	MediaType string    `json:"media_type"`
	Size      int64     `json:"size"`
	SHA256    string    `json:"sha256"`
	Actor     string    `json:"actor"`
	At        time.Time `json:"at"`
}

// EvidenceTypes are the media types accepted as evidence, each checked
// against the file's first bytes: a file must be what it says it is.
var EvidenceTypes = []string{
	"application/pdf", "image/png", "image/jpeg", "text/plain", "text/csv", "application/json",
	"application/zip", "application/vnd.tcpdump.pcap",
}

// checkEvidence checks that data looks like mediaType.
func checkEvidence(mediaType string, data []byte) error {
	text := func() error {
		if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
			return fmt.Errorf("declared %s but the file is not UTF-8 text", mediaType)
		}
		return nil
	}
	magic := func(prefixes ...string) error {
		for _, p := range prefixes {
			if bytes.HasPrefix(data, []byte(p)) {
				return nil
			}
		}
		return fmt.Errorf("declared %s but the file does not start like one (detected %s)", mediaType, http.DetectContentType(data))
	}
	switch mediaType {
	case "application/pdf":
		return magic("%PDF-")
	case "image/png":
		return magic("\x89PNG\r\n\x1a\n")
	case "image/jpeg":
		return magic("\xff\xd8\xff")
	case "application/zip":
		return magic("PK\x03\x04", "PK\x05\x06")
	case "application/vnd.tcpdump.pcap":
		return magic("\xd4\xc3\xb2\xa1", "\xa1\xb2\xc3\xd4", "\x4d\x3c\xb2\xa1", "\xa1\xb2\x3c\x4d", "\x0a\x0d\x0d\x0a")
	case "text/plain", "text/csv":
		return text()
	case "application/json":
		if err := text(); err != nil {
			return err
		}
		if !json.Valid(data) {
			return fmt.Errorf("declared application/json but the file is not valid JSON")
		}
		return nil
	}
	return fmt.Errorf("media type %q is not accepted; accepted: %s", mediaType, strings.Join(EvidenceTypes, ", "))
}

// AddEvidence attaches a file to report id of p's operator. contentType is
// the declared media type (parameters ignored); r is read up to the size
// limit.
func (s *Service) AddEvidence(ctx context.Context, p *auth.Principal, id, name, contentType string, r io.Reader) (Evidence, error) {
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), "\\", "/"))
	if name == "." || name == "/" {
		name = ""
	}
	if err := textfield.CheckLine("name", name, true); err != nil {
		return Evidence{}, err
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return Evidence{}, fieldErrorf("content_type", "%q is not a media type", contentType)
	}
	data, err := io.ReadAll(io.LimitReader(r, s.cfg.MaxEvidence+1))
	if err != nil {
		return Evidence{}, fmt.Errorf("read evidence: %w", err)
	}
	if int64(len(data)) > s.cfg.MaxEvidence {
		return Evidence{}, fieldErrorf("file", "larger than the limit of %d bytes", s.cfg.MaxEvidence)
	}
	if len(data) == 0 {
		return Evidence{}, fieldErrorf("file", "empty")
	}
	if err := checkEvidence(mt, data); err != nil {
		return Evidence{}, fieldErrorf("file", "%v", err)
	}
	sum := sha256.Sum256(data)
	actor, _ := actorOf(p)
	e := Evidence{ID: newID("ev_"), ReportID: id, Name: name, MediaType: mt, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Actor: actor, At: s.now()}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := s.requireDesignated(ctx, tx, p); err != nil {
			return err
		}
		r, err := getReport(ctx, tx, id)
		if err != nil || r.OrgID != p.OrgID {
			return fmt.Errorf("report %q: %w", id, ErrNotFound)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO rep_evidence (id, report_id, name, media_type, size, sha256, data, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			e.ID, e.ReportID, e.Name, e.MediaType, e.Size, e.SHA256, data, e.Actor, store.FormatTime(e.At)); err != nil {
			return fmt.Errorf("store evidence: %w", err)
		}
		return s.audit(ctx, tx, p, "report.evidence.add", "evidence/"+e.ID, e)
	})
	return e, err
}

func (s *Service) evidenceList(ctx context.Context, reportID string) ([]Evidence, error) {
	rows, err := s.db.Query(ctx, "SELECT id, report_id, name, media_type, size, sha256, actor, at FROM rep_evidence WHERE report_id = ? ORDER BY at, id", reportID)
	if err != nil {
		return nil, fmt.Errorf("list evidence: %w", err)
	}
	defer rows.Close()
	var out []Evidence
	for rows.Next() {
		var e Evidence
		var at string
		if err := rows.Scan(&e.ID, &e.ReportID, &e.Name, &e.MediaType, &e.Size, &e.SHA256, &e.Actor, &at); err != nil {
			return nil, err
		}
		if e.At, err = store.ParseTime(at); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EvidenceFile returns one evidence file of report id with its bytes, if p
// may see the report (the read is audited like the report's).
func (s *Service) EvidenceFile(ctx context.Context, p *auth.Principal, id, evID string) (Evidence, []byte, error) {
	if _, err := s.visible(ctx, p, id, "evidence "+evID); err != nil {
		return Evidence{}, nil, err
	}
	var e Evidence
	var at string
	var data []byte
	err := s.db.QueryRow(ctx, "SELECT id, report_id, name, media_type, size, sha256, actor, at, data FROM rep_evidence WHERE id = ? AND report_id = ?", evID, id).
		Scan(&e.ID, &e.ReportID, &e.Name, &e.MediaType, &e.Size, &e.SHA256, &e.Actor, &at, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return Evidence{}, nil, fmt.Errorf("evidence %q: %w", evID, ErrNotFound)
	}
	if err != nil {
		return Evidence{}, nil, fmt.Errorf("read evidence: %w", err)
	}
	e.At, err = store.ParseTime(at)
	return e, data, err
}
