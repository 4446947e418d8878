package annualreport

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/svcerr"
)

// component is the name under which this package's tables are migrated.
const component = "annualreport"

var migrations = []store.Migration{
	{Version: 1, Name: "published public summaries", SQL: `
CREATE TABLE annual_reports (
	year INTEGER PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	figures TEXT NOT NULL,
	html_ja TEXT NOT NULL,
	html_en TEXT NOT NULL,
	sha256_figures TEXT NOT NULL,
	sha256_ja TEXT NOT NULL,
	sha256_en TEXT NOT NULL,
	published_by TEXT NOT NULL,
	published_org TEXT NOT NULL,
	published_at TEXT NOT NULL
)`},
}

// Queries, by name.
const (
	pubCols          = "id, year, sha256_figures, sha256_ja, sha256_en, published_by, published_org, published_at"
	insertPub        = "INSERT INTO annual_reports (year, id, figures, html_ja, html_en, sha256_figures, sha256_ja, sha256_en, published_by, published_org, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	selectPub        = "SELECT " + pubCols + " FROM annual_reports WHERE year = ?"
	selectPubs       = "SELECT " + pubCols + " FROM annual_reports ORDER BY year DESC"
	selectPubHTMLJA  = "SELECT html_ja FROM annual_reports WHERE year = ?"
	selectPubHTMLEN  = "SELECT html_en FROM annual_reports WHERE year = ?"
	selectPubFigures = "SELECT figures FROM annual_reports WHERE year = ?"
	selectPubYears   = "SELECT year FROM annual_reports"
)

// Errors callers branch on; the HTTP layer maps them to statuses.
var (
	// ErrNotFound: no report for that year (before MinYear or not yet
	// begun), or no published summary of it. 404.
	ErrNotFound = svcerr.ErrNotFound
	// ErrForbidden: the caller may not do this: only the commission reads
	// the report, only its chair publishes. 403.
	ErrForbidden = svcerr.ErrForbidden
	// ErrConflict: the year is not over, or its summary is already
	// published (a publication is frozen). 409.
	ErrConflict = svcerr.ErrConflict
)

// Source counts the figures of a year. Collect builds one from the
// oversight, communications-information and inspection services; tests
// and tools may give any other.
//
// Figures returns the counts of the calendar year in Japan time
// (YearBounds). The Service sets Year, From and To itself, sets
// GeneratedAt when the source leaves it zero, and checks the result
// (Figures.Check); it ignores Withheld. ctx carries the principal the
// report is counted for (auth.FromContext), always the commission's: a
// source may list detail for the full report with it.
type Source interface {
	Figures(ctx context.Context, year int) (Figures, error)
}

// SourceFunc adapts a function to a Source.
type SourceFunc func(ctx context.Context, year int) (Figures, error)

// Figures calls f(ctx, year).
func (f SourceFunc) Figures(ctx context.Context, year int) (Figures, error) { return f(ctx, year) }

// Deps are what a Service builds on; all are required.
type Deps struct {
	DB     *store.DB
	Log    *auditlog.Log
	Source Source
}

// Config configures a Service. The zero value works.
type Config struct {
	// Printer prints the PDF export; nil means a zero Printer (Chromium
	// found on the PATH).
	Printer *Printer
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// Service renders the commission's annual report (§61) from a Source,
// exports it as HTML and PDF, and publishes a year's public summary as a
// frozen snapshot that the public reads. It is safe for concurrent use.
type Service struct {
	db      *store.DB
	log     *auditlog.Log
	src     Source
	printer *Printer
	now     func() time.Time
	logger  *slog.Logger
}

// New migrates the package's table, registers the audit-log resolver and
// lister of published summaries ("annual_report/<year>"), and returns the
// service.
func New(ctx context.Context, d Deps, cfg Config) (*Service, error) {
	if d.DB == nil || d.Log == nil || d.Source == nil {
		return nil, errors.New("annualreport: every dependency is required")
	}
	if err := d.DB.Migrate(ctx, component, migrations); err != nil {
		return nil, err
	}
	RegisterResolvers(d.Log)
	if cfg.Printer == nil {
		cfg.Printer = &Printer{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d.DB, log: d.Log, src: d.Source, printer: cfg.Printer, now: cfg.Now,
		logger: cfg.Logger.With("component", component)}, nil
}

// RegisterResolvers lets auditlog.Verify check every published summary
// against its publication entry, and find one stored without an entry.
// New calls it; tools that verify the log without a Service call it
// themselves.
func RegisterResolvers(l *auditlog.Log) {
	l.RegisterResolver("annual_report", func(ctx context.Context, q store.Querier, id string) (any, error) {
		year, err := strconv.Atoi(id)
		if err != nil {
			return nil, auditlog.ErrNoRecord
		}
		p, err := scanPublication(q.QueryRow(ctx, selectPub, year))
		if errors.Is(err, sql.ErrNoRows) {
			return nil, auditlog.ErrNoRecord
		}
		return p, err
	})
	l.RegisterLister("annual_report", func(ctx context.Context, q store.Querier) ([]string, error) {
		if ok, err := store.Migrated(ctx, q, component); err != nil || !ok {
			return nil, err // a database that never published a report
		}
		rows, err := q.Query(ctx, selectPubYears)
		if err != nil {
			return nil, fmt.Errorf("list annual reports: %w", err)
		}
		defer rows.Close()
		var ids []string
		for rows.Next() {
			var y int
			if err := rows.Scan(&y); err != nil {
				return nil, fmt.Errorf("list annual reports: %w", err)
			}
			ids = append(ids, strconv.Itoa(y))
		}
		return ids, rows.Err()
	})
}

// Publication is a published public summary, as the audit log records it.
type Publication struct {
	ID   string `json:"id"`
	Year int    `json:"year"`
	// The SHA-256 (hex) of the stored figures (JSON) and of the stored
	// HTML in each language: what was published, byte for byte.
	FiguresSHA256  string    `json:"figures_sha256"`
	JapaneseSHA256 string    `json:"ja_sha256"`
	EnglishSHA256  string    `json:"en_sha256"`
	PublishedBy    string    `json:"published_by"`
	PublishedOrg   string    `json:"published_org"`
	PublishedAt    time.Time `json:"published_at"`
}

func scanPublication(row interface{ Scan(...any) error }) (Publication, error) {
	var p Publication
	var at string
	if err := row.Scan(&p.ID, &p.Year, &p.FiguresSHA256, &p.JapaneseSHA256, &p.EnglishSHA256, &p.PublishedBy, &p.PublishedOrg, &at); err != nil {
		return p, err
	}
	t, err := store.ParseTime(at)
	if err != nil {
		return p, err
	}
	p.PublishedAt = t
	return p, nil
}

// isCommission reports whether p is the commission's chair or a member.
func isCommission(p *auth.Principal) bool {
	return p != nil && !p.Disabled && (p.Has(auth.RoleCommissionChair) || p.Has(auth.RoleCommissionMember))
}

// checkYear refuses a year before MinYear or not yet begun in Japan time.
func (s *Service) checkYear(year int) error {
	now := s.now().In(jst)
	if year < MinYear || year > now.Year() {
		return fmt.Errorf("%w: no annual report for %d (reports cover %d to %d)", ErrNotFound, year, MinYear, now.Year())
	}
	return nil
}

// Figures returns the year's figures, counted now, for the commission.
func (s *Service) Figures(ctx context.Context, p *auth.Principal, year int) (Figures, error) {
	if !isCommission(p) {
		return Figures{}, fmt.Errorf("%w: only the commission reads the annual report", ErrForbidden)
	}
	if err := s.checkYear(year); err != nil {
		return Figures{}, err
	}
	return s.figures(ctx, p, year)
}

// figures counts the year with p, for whom the report is, in the context
// the source gets (see Collect).
func (s *Service) figures(ctx context.Context, p *auth.Principal, year int) (Figures, error) {
	f, err := s.src.Figures(auth.WithPrincipal(ctx, p), year)
	if err != nil {
		return Figures{}, fmt.Errorf("count figures of %d: %w", year, err)
	}
	f.Year = year
	f.From, f.To = YearBounds(year)
	if f.GeneratedAt.IsZero() {
		f.GeneratedAt = s.now().UTC()
	}
	f.Withheld = nil
	if err := f.Check(); err != nil {
		return Figures{}, fmt.Errorf("count figures of %d: %w", year, err)
	}
	return f.normalize(), nil
}

// HTML renders the year's report for the commission, counted now, as one
// self-contained HTML document.
func (s *Service) HTML(ctx context.Context, p *auth.Principal, year int, o Options) ([]byte, error) {
	f, err := s.Figures(ctx, p, year)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := Render(&b, f, o); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// PDF renders the year's report for the commission as a PDF on A4 paper.
// It returns an error wrapping ErrNoBrowser when the server has no
// Chromium to print with.
func (s *Service) PDF(ctx context.Context, p *auth.Principal, year int, o Options) ([]byte, error) {
	html, err := s.HTML(ctx, p, year, o)
	if err != nil {
		return nil, err
	}
	return s.printer.PDF(ctx, html)
}

// Publish publishes the year's public summary: it counts the figures now,
// renders the public variant in Japanese and in English, and stores both
// documents and the public figures as a frozen snapshot, with an audit-log
// entry in the same transaction. Only the commission's chair publishes;
// the year must be over; a year is published once (ErrConflict after).
func (s *Service) Publish(ctx context.Context, p *auth.Principal, year int) (Publication, error) {
	if p == nil || p.Disabled || !p.Has(auth.RoleCommissionChair) {
		return Publication{}, fmt.Errorf("%w: only the commission's chair publishes the annual report", ErrForbidden)
	}
	if err := s.checkYear(year); err != nil {
		return Publication{}, err
	}
	now := s.now().UTC()
	if _, to := YearBounds(year); now.Before(to) {
		return Publication{}, fmt.Errorf("%w: %d is not over until %s", ErrConflict, year, to.In(jst).Format("2006-01-02 15:04 MST"))
	}
	if pub, err := scanPublication(s.db.QueryRow(ctx, selectPub, year)); err == nil {
		return Publication{}, fmt.Errorf("%w: the summary of %d was published at %s", ErrConflict, year, pub.PublishedAt.Format(time.RFC3339))
	} else if !errors.Is(err, sql.ErrNoRows) {
		return Publication{}, fmt.Errorf("publish annual report %d: %w", year, err)
	}
	f, err := s.figures(ctx, p, year)
	if err != nil {
		return Publication{}, err
	}
	public := f.Public()
	figures, err := json.Marshal(public)
	if err != nil {
		return Publication{}, fmt.Errorf("publish annual report %d: %w", year, err)
	}
	var ja, en bytes.Buffer
	if err := Render(&ja, public, Options{Lang: Japanese, Variant: VariantPublic}); err != nil {
		return Publication{}, err
	}
	if err := Render(&en, public, Options{Lang: English, Variant: VariantPublic}); err != nil {
		return Publication{}, err
	}
	pub := Publication{
		ID: newID("arp_"), Year: year,
		FiguresSHA256: sha(figures), JapaneseSHA256: sha(ja.Bytes()), EnglishSHA256: sha(en.Bytes()),
		PublishedBy: p.UserID, PublishedOrg: p.OrgID, PublishedAt: now,
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, insertPub, year, pub.ID, string(figures), ja.String(), en.String(),
			pub.FiguresSHA256, pub.JapaneseSHA256, pub.EnglishSHA256, pub.PublishedBy, pub.PublishedOrg, store.FormatTime(now)); err != nil {
			if store.IsUniqueViolation(err) {
				return fmt.Errorf("%w: the summary of %d is already published", ErrConflict, year)
			}
			return fmt.Errorf("store annual report %d: %w", year, err)
		}
		_, err := s.log.Append(ctx, tx, auditlog.Entry{
			Actor: p.UserID, Org: p.OrgID, Action: "annual_report.publish",
			Resource: "annual_report/" + strconv.Itoa(year), Payload: pub,
		})
		return err
	})
	if err != nil {
		return Publication{}, err
	}
	s.logger.Info("annual report published", "year", year, "id", pub.ID, "by", p.UserID)
	return pub, nil
}

// Publications lists the published summaries, newest year first. It is
// public.
func (s *Service) Publications(ctx context.Context) ([]Publication, error) {
	rows, err := s.db.Query(ctx, selectPubs)
	if err != nil {
		return nil, fmt.Errorf("list annual reports: %w", err)
	}
	defer rows.Close()
	var out []Publication
	for rows.Next() {
		p, err := scanPublication(rows)
		if err != nil {
			return nil, fmt.Errorf("list annual reports: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list annual reports: %w", err)
	}
	return out, nil
}

// Published returns the published summary of year in lang, exactly as it
// was stored, with its publication. It is public; a year not published
// is ErrNotFound.
func (s *Service) Published(ctx context.Context, year int, lang Lang) ([]byte, Publication, error) {
	lang, err := ParseLang(string(lang))
	if err != nil {
		return nil, Publication{}, err
	}
	pub, err := scanPublication(s.db.QueryRow(ctx, selectPub, year))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Publication{}, fmt.Errorf("%w: no published annual report for %d", ErrNotFound, year)
	}
	if err != nil {
		return nil, Publication{}, fmt.Errorf("read annual report %d: %w", year, err)
	}
	q := selectPubHTMLJA
	if lang == English {
		q = selectPubHTMLEN
	}
	var html string
	if err := s.db.QueryRow(ctx, q, year).Scan(&html); err != nil {
		return nil, Publication{}, fmt.Errorf("read annual report %d: %w", year, err)
	}
	return []byte(html), pub, nil
}

// PublishedFigures returns the figures of the published summary of year:
// the public figures, with the withheld ones named and absent. It is
// public; a year not published is ErrNotFound.
func (s *Service) PublishedFigures(ctx context.Context, year int) (Figures, error) {
	var raw string
	err := s.db.QueryRow(ctx, selectPubFigures, year).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return Figures{}, fmt.Errorf("%w: no published annual report for %d", ErrNotFound, year)
	}
	if err != nil {
		return Figures{}, fmt.Errorf("read annual report %d: %w", year, err)
	}
	var f Figures
	if err := json.Unmarshal([]byte(raw), &f); err != nil {
		return Figures{}, fmt.Errorf("read annual report %d: stored figures: %w", year, err)
	}
	return f, nil
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func newID(prefix string) string { return prefix + strings.ToLower(rand.Text()) }
