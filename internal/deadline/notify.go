package deadline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/store"
)

// Notice is a message to a user or to everyone in an organisation.
type Notice struct {
	// ToUser, when set, addresses the notice to this user alone.
	ToUser string `json:"to_user,omitempty"`
	// ToOrg addresses the notice to every user of the organisation when
	// ToUser is empty; with ToUser it only records the user's organisation.
	ToOrg string `json:"to_org,omitempty"`
	// Subject is one line of at most 200 characters.
	Subject string `json:"subject"`
	// Body is plain text.
	Body string `json:"body"`
	// Link is a path in the app, starting with "/"; e-mails prefix it with
	// NotifierConfig.BaseURL.
	Link string `json:"link,omitempty"`
}

// Message is a notice as an inbox shows it to one user.
type Message struct {
	ID      string    `json:"id"`
	ToUser  string    `json:"to_user,omitempty"`
	ToOrg   string    `json:"to_org,omitempty"`
	Subject string    `json:"subject"`
	Body    string    `json:"body"`
	Link    string    `json:"link,omitempty"`
	Created time.Time `json:"created"`
	// ReadAt is when this user marked it read; zero when unread.
	ReadAt time.Time `json:"read_at,omitzero"`
}

// NotifierConfig configures a Notifier. The zero value gives an in-app inbox
// without e-mail.
type NotifierConfig struct {
	// SMTP enables e-mail; nil sends none.
	SMTP *SMTPConfig
	// UserEmail returns a user's e-mail address, or "" when the user has
	// none. Required with SMTP. It is called after commit, by the sender.
	UserEmail func(ctx context.Context, userID string) (string, error)
	// OrgEmails returns the addresses that receive an organisation-wide
	// notice. Required with SMTP. It is called after commit, by the sender.
	OrgEmails func(ctx context.Context, orgID string) ([]string, error)
	// BaseURL is put before a notice's Link in e-mails, e.g.
	// "https://acd.example.go.jp"; empty leaves links out of e-mails.
	BaseURL string
	// Actor names who calls Notify; nil records "system".
	Actor ActorFunc
}

// Notifier writes notices to the in-app inbox and queues and sends their
// e-mails. It is safe for concurrent use.
type Notifier struct {
	db     *store.DB
	log    *auditlog.Log
	clock  Clock
	logger *slog.Logger
	cfg    NotifierConfig
	smtp   *SMTPConfig   // with defaults applied; nil without e-mail
	from   *mail.Address // parsed smtp.From
}

// NewNotifier migrates the package's tables and returns a Notifier. clock nil
// means SystemClock; logger nil discards.
func NewNotifier(ctx context.Context, db *store.DB, log *auditlog.Log, clock Clock, logger *slog.Logger, cfg NotifierConfig) (*Notifier, error) {
	if clock == nil {
		clock = SystemClock{}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Actor == nil {
		cfg.Actor = systemActor
	}
	if l := cfg.BaseURL; l != "" && !strings.HasPrefix(l, "https://") && !strings.HasPrefix(l, "http://") {
		return nil, fmt.Errorf("notifier base URL %q: want http:// or https://", l)
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	n := &Notifier{db: db, log: log, clock: clock, logger: logger.With("component", "notify"), cfg: cfg}
	if cfg.SMTP != nil {
		sc, from, err := cfg.SMTP.withDefaults()
		if err != nil {
			return nil, err
		}
		if cfg.UserEmail == nil || cfg.OrgEmails == nil {
			return nil, errors.New("notifier: SMTP needs UserEmail and OrgEmails")
		}
		n.smtp, n.from = sc, from
	}
	if err := db.Migrate(ctx, component, migrations); err != nil {
		return nil, err
	}
	return n, nil
}

// EmailEnabled reports whether notices are also sent by e-mail.
func (n *Notifier) EmailEnabled() bool { return n.smtp != nil }

const maxSubject = 200

func (nt *Notice) validate() error {
	switch {
	case nt.ToUser == "" && nt.ToOrg == "":
		return invalidf("notice needs a user or an organisation")
	case strings.TrimSpace(nt.Subject) == "":
		return invalidf("notice needs a subject")
	case nt.Link != "" && (!strings.HasPrefix(nt.Link, "/") || strings.HasPrefix(nt.Link, "//")):
		return invalidf("notice link %q: want a path starting with one /", nt.Link)
	case !utf8.ValidString(nt.Body):
		return invalidf("notice body is not UTF-8")
	case len(nt.Body) > 64<<10:
		return invalidf("notice body longer than 64 KiB")
	}
	if err := checkLine("notice subject", nt.Subject, maxSubject); err != nil {
		return err
	}
	return checkLine("notice link", nt.Link, 500)
}

// Notify writes nt to the inbox inside tx and, when e-mail is enabled, queues
// its e-mail in the outbox in the same tx: both exist exactly when tx
// commits, and the e-mail goes out only after that. It returns the notice's
// id ("msg_…"). Audited as "notice.create". A subject with a line break is
// rejected (ErrInvalid), so it can never add a mail header.
func (n *Notifier) Notify(ctx context.Context, tx *store.Tx, nt Notice) (string, error) {
	if err := nt.validate(); err != nil {
		return "", err
	}
	id := newID("msg_")
	now := store.FormatTime(n.clock.Now())
	if _, err := tx.Exec(ctx, `INSERT INTO notices (id, to_user, to_org, subject, body, link, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, nt.ToUser, nt.ToOrg, nt.Subject, nt.Body, nt.Link, now); err != nil {
		return "", fmt.Errorf("notify: %w", err)
	}
	payload := struct {
		Notice
		ID    string `json:"id"`
		Email bool   `json:"email"`
	}{nt, id, n.smtp != nil}
	actor, org := n.cfg.Actor(ctx)
	if _, err := n.log.Append(ctx, tx, auditlog.Entry{Actor: actor, Org: org, Action: "notice.create", Resource: "notice/" + id, Payload: payload}); err != nil {
		return "", fmt.Errorf("notify: %w", err)
	}
	if n.smtp != nil {
		// One row for the notice's recipients; the sender resolves it into
		// one row per address after commit (see Deliver).
		if _, err := tx.Exec(ctx, insertOutbox, newID("mail_"), id, nt.ToUser, nt.ToOrg, "", nt.Subject, nt.Body, nt.Link,
			string(mailPending), now, now); err != nil {
			return "", fmt.Errorf("notify: queue e-mail: %w", err)
		}
	}
	return id, nil
}

// InboxLimit is the most messages Inbox returns.
const InboxLimit = 200

// visible is the condition for notices that user (of org) may see; it
// returns the SQL and its arguments.
func visible(userID, orgID string) (string, []any) {
	if orgID == "" {
		return "n.to_user = ?", []any{userID}
	}
	return "(n.to_user = ? OR (n.to_user = '' AND n.to_org = ?))", []any{userID, orgID}
}

// Inbox returns the newest InboxLimit messages for userID: those addressed to
// the user and the organisation-wide ones of orgID (which may be empty).
func (n *Notifier) Inbox(ctx context.Context, userID, orgID string) ([]Message, error) {
	if userID == "" {
		return nil, invalidf("inbox needs a user")
	}
	cond, args := visible(userID, orgID)
	rows, err := n.db.Query(ctx, `SELECT n.id, n.to_user, n.to_org, n.subject, n.body, n.link, n.created_at, r.read_at
	FROM notices n LEFT JOIN notice_reads r ON r.notice_id = n.id AND r.user_id = ?
	WHERE `+cond+` ORDER BY n.created_at DESC, n.id DESC LIMIT `+fmt.Sprint(InboxLimit), append([]any{userID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		var created string
		var read sql.NullString
		if err := rows.Scan(&m.ID, &m.ToUser, &m.ToOrg, &m.Subject, &m.Body, &m.Link, &created, &read); err != nil {
			return nil, fmt.Errorf("inbox: %w", err)
		}
		if m.Created, err = store.ParseTime(created); err != nil {
			return nil, fmt.Errorf("inbox: %w", err)
		}
		if m.ReadAt, err = parseNullTime(read); err != nil {
			return nil, fmt.Errorf("inbox: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	return out, nil
}

// Unread counts the messages visible to userID (of orgID) not yet marked read.
func (n *Notifier) Unread(ctx context.Context, userID, orgID string) (int, error) {
	if userID == "" {
		return 0, invalidf("inbox needs a user")
	}
	cond, args := visible(userID, orgID)
	var c int
	err := n.db.QueryRow(ctx, `SELECT COUNT(*) FROM notices n LEFT JOIN notice_reads r ON r.notice_id = n.id AND r.user_id = ?
	WHERE r.read_at IS NULL AND `+cond, append([]any{userID}, args...)...).Scan(&c)
	if err != nil {
		return 0, fmt.Errorf("unread notices: %w", err)
	}
	return c, nil
}

// MarkRead records that userID (of orgID) has read message msgID. Marking a
// message read twice keeps the first time. It returns ErrNotFound when the
// message does not exist or is not visible to the user. Audited as
// "notice.mark_read", so the log shows that an order or notice reached its reader.
func (n *Notifier) MarkRead(ctx context.Context, userID, orgID, msgID string) error {
	if userID == "" {
		return invalidf("marking read needs a user")
	}
	cond, args := visible(userID, orgID)
	err := n.db.Tx(ctx, func(tx *store.Tx) error {
		var c int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM notices n WHERE n.id = ? AND `+cond, append([]any{msgID}, args...)...).Scan(&c); err != nil {
			return err
		}
		if c == 0 {
			return fmt.Errorf("notice %s: %w", msgID, ErrNotFound)
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM notice_reads WHERE notice_id = ? AND user_id = ?`, msgID, userID).Scan(&c); err != nil {
			return err
		}
		if c > 0 {
			return nil
		}
		now := n.clock.Now().UTC()
		if _, err := tx.Exec(ctx, `INSERT INTO notice_reads (notice_id, user_id, read_at) VALUES (?, ?, ?)`, msgID, userID, store.FormatTime(now)); err != nil {
			return err
		}
		_, err := n.log.Append(ctx, tx, auditlog.Entry{Actor: userID, Org: orgID, Action: "notice.mark_read", Resource: "notice/" + msgID,
			Payload: map[string]any{"id": msgID, "user": userID, "read_at": now}})
		return err
	})
	switch {
	case err == nil, store.IsUniqueViolation(err): // read concurrently: the first time stands
		return nil
	case errors.Is(err, ErrNotFound):
		return err
	}
	return fmt.Errorf("mark notice %s read: %w", msgID, err)
}
