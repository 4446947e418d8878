package deadline

import (
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/store"
)

// component is the name under which this package's tables are migrated.
const component = "deadline"

// migrations create the deadline, inbox and mail outbox tables. Optional
// times are NULL when unset, so that comparisons on them are false.
var migrations = []store.Migration{{
	Version: 1,
	Name:    "deadlines, inbox, mail outbox",
	SQL: `
CREATE TABLE deadlines (
	id TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	subject TEXT NOT NULL,
	org_id TEXT NOT NULL,
	user_id TEXT NOT NULL,
	title TEXT NOT NULL,
	title_ja TEXT NOT NULL,
	link TEXT NOT NULL,
	due_at TEXT NOT NULL,
	remind_at TEXT,
	state TEXT NOT NULL,
	created_at TEXT NOT NULL,
	reminded_at TEXT,
	overdue_at TEXT,
	met_at TEXT,
	late INTEGER NOT NULL,
	cancelled_at TEXT,
	cancel_reason TEXT NOT NULL
);
CREATE INDEX deadlines_state_due ON deadlines (state, due_at);
CREATE INDEX deadlines_state_remind ON deadlines (state, remind_at);
CREATE INDEX deadlines_org ON deadlines (org_id, state, due_at);
CREATE INDEX deadlines_subject ON deadlines (subject, kind);
CREATE TABLE notices (
	id TEXT PRIMARY KEY,
	to_user TEXT NOT NULL,
	to_org TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	link TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX notices_user ON notices (to_user, created_at);
CREATE INDEX notices_org ON notices (to_org, created_at);
CREATE TABLE notice_reads (
	notice_id TEXT NOT NULL,
	user_id TEXT NOT NULL,
	read_at TEXT NOT NULL,
	PRIMARY KEY (notice_id, user_id)
);
CREATE TABLE mail_outbox (
	id TEXT PRIMARY KEY,
	notice_id TEXT NOT NULL,
	to_user TEXT NOT NULL,
	to_org TEXT NOT NULL,
	address TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	link TEXT NOT NULL,
	state TEXT NOT NULL,
	attempts INTEGER NOT NULL,
	next_attempt_at TEXT NOT NULL,
	last_error TEXT NOT NULL,
	created_at TEXT NOT NULL,
	done_at TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt_at);
CREATE INDEX mail_outbox_notice ON mail_outbox (notice_id);`,
}}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newID returns prefix followed by 80 random bits in lower-case base32.
func newID(prefix string) string {
	var b [10]byte
	rand.Read(b[:]) // never returns an error
	return prefix + strings.ToLower(idEncoding.EncodeToString(b[:]))
}

// nullTime renders an optional time for storage: NULL when zero.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return store.FormatTime(t)
}

// parseNullTime reads an optional stored time.
func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	return store.ParseTime(s.String)
}
