package deadline

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
	"unicode"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/store"
)

// SMTPConfig configures e-mail delivery. Addr and From are required; the
// other fields' zero values work.
type SMTPConfig struct {
	// Addr is the submission server, host:port.
	Addr string
	// From is the sender, e.g. "ACD <noreply@acd.example.go.jp>".
	From string
	// HelloName is sent in EHLO; default "localhost".
	HelloName string
	// Username and Password, when Username is set, authenticate with PLAIN,
	// which net/smtp sends only over TLS or to localhost.
	Username string
	Password string
	// StartTLS requires the server to offer STARTTLS and uses it. With
	// neither StartTLS nor ImplicitTLS mail goes in the clear, which suits
	// only a relay on the same host or network.
	StartTLS bool
	// ImplicitTLS connects with TLS from the start (port 465).
	ImplicitTLS bool
	// TLSConfig is used for TLS; nil verifies against the system roots with
	// the host of Addr as server name.
	TLSConfig *tls.Config
	// Timeout bounds one delivery (connect to QUIT); default 30s.
	Timeout time.Duration
	// SendInterval is how often Notifier.Run looks for mail to send;
	// default 5s.
	SendInterval time.Duration
	// RetryBase is the wait after the first failed attempt, doubled after
	// each further failure up to RetryMax; defaults 30s and 1h.
	RetryBase time.Duration
	RetryMax  time.Duration
	// MaxAttempts is how many times a message is tried before it is given
	// up as failed; default 12 (about seven hours with the default waits).
	MaxAttempts int
}

// LogValue redacts the password.
func (c SMTPConfig) LogValue() slog.Value {
	pw := ""
	if c.Password != "" {
		pw = "xxxxx"
	}
	return slog.GroupValue(
		slog.String("addr", c.Addr), slog.String("from", c.From), slog.String("username", c.Username),
		slog.String("password", pw), slog.Bool("starttls", c.StartTLS), slog.Bool("implicit_tls", c.ImplicitTLS))
}

// String describes c without the password.
func (c SMTPConfig) String() string { return c.LogValue().String() }

func (c SMTPConfig) withDefaults() (*SMTPConfig, *mail.Address, error) {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return nil, nil, fmt.Errorf("smtp addr %q: %w", c.Addr, err)
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, nil, fmt.Errorf("smtp from %q: %w", c.From, err)
	}
	if c.StartTLS && c.ImplicitTLS {
		return nil, nil, errors.New("smtp: StartTLS and ImplicitTLS are exclusive")
	}
	if c.HelloName == "" {
		c.HelloName = "localhost"
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.SendInterval <= 0 {
		c.SendInterval = 5 * time.Second
	}
	if c.RetryBase <= 0 {
		c.RetryBase = 30 * time.Second
	}
	if c.RetryMax <= 0 {
		c.RetryMax = time.Hour
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 12
	}
	return &c, from, nil
}

// backoff is the wait after the attempt-th failed attempt (1-based).
func (c *SMTPConfig) backoff(attempt int) time.Duration {
	d := c.RetryBase
	for i := 1; i < attempt && d < c.RetryMax; i++ {
		d *= 2
	}
	return min(d, c.RetryMax)
}

// mailState is where an outbox row is.
type mailState string

const (
	mailPending  mailState = "pending"  // to be resolved (address "") or sent
	mailExpanded mailState = "expanded" // resolved into one row per address
	mailSent     mailState = "sent"     // accepted by the SMTP server
	mailFailed   mailState = "failed"   // given up; last_error says why
	mailSkipped  mailState = "skipped"  // no address to send to
)

const insertOutbox = `INSERT INTO mail_outbox (id, notice_id, to_user, to_org, address, subject, body, link, state, attempts, next_attempt_at, last_error, created_at, done_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, '', ?, NULL)`

type outboxRow struct {
	ID, NoticeID, ToUser, ToOrg, Address, Subject, Body, Link string
	Attempts                                                  int
}

// deliverBatch is the most rows one Deliver pass handles per stage.
const deliverBatch = 100

// Deliver makes one pass over the outbox: it resolves newly queued notices
// into addresses, then sends every message whose time has come. A failed
// attempt is retried after a backoff (SMTPConfig.RetryBase…RetryMax) up to
// SMTPConfig.MaxAttempts times; a recipient the server refuses permanently
// (5xx) fails at once. Outcomes are audited. It returns the errors of this
// pass's attempts joined, for logs; the outbox keeps its state regardless.
// Without SMTP it does nothing.
func (n *Notifier) Deliver(ctx context.Context) error {
	if n.smtp == nil {
		return nil
	}
	var errs []error
	for _, stage := range []struct {
		cond string
		do   func(context.Context, outboxRow) error
	}{
		{"address = ''", n.expand},
		{"address <> ''", n.send},
	} {
		now := n.clock.Now()
		rows, err := n.db.Query(ctx, `SELECT id, notice_id, to_user, to_org, address, subject, body, link, attempts FROM mail_outbox
		WHERE state = 'pending' AND next_attempt_at <= ? AND `+stage.cond+` ORDER BY next_attempt_at, id LIMIT `+fmt.Sprint(deliverBatch),
			store.FormatTime(now))
		if err != nil {
			return fmt.Errorf("read outbox: %w", err)
		}
		var due []outboxRow
		for rows.Next() {
			var r outboxRow
			if err := rows.Scan(&r.ID, &r.NoticeID, &r.ToUser, &r.ToOrg, &r.Address, &r.Subject, &r.Body, &r.Link, &r.Attempts); err != nil {
				rows.Close()
				return fmt.Errorf("read outbox: %w", err)
			}
			due = append(due, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read outbox: %w", err)
		}
		for _, r := range due {
			if ctx.Err() != nil {
				return errors.Join(append(errs, ctx.Err())...)
			}
			ok, err := n.claim(ctx, &r, now)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if !ok {
				continue // another sender has it
			}
			if err := stage.do(ctx, r); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// claim counts an attempt on r and moves its next attempt past the backoff
// before the attempt is made, so that a second server skips it and a crash
// mid-attempt retries it later. It reports whether this caller won r.
func (n *Notifier) claim(ctx context.Context, r *outboxRow, now time.Time) (bool, error) {
	next := now.Add(n.smtp.backoff(r.Attempts + 1))
	res, err := n.db.Exec(ctx, `UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ? AND state = 'pending' AND attempts = ?`,
		store.FormatTime(next), r.ID, r.Attempts)
	if err != nil {
		return false, fmt.Errorf("claim mail %s: %w", r.ID, err)
	}
	c, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim mail %s: %w", r.ID, err)
	}
	r.Attempts++
	return c == 1, nil
}

// expand resolves a queued notice's recipients into one outbox row per
// address, each then sent and retried on its own.
func (n *Notifier) expand(ctx context.Context, r outboxRow) error {
	var addrs []string
	var err error
	if r.ToUser != "" {
		var a string
		if a, err = n.cfg.UserEmail(ctx, r.ToUser); a != "" {
			addrs = []string{a}
		}
	} else {
		addrs, err = n.cfg.OrgEmails(ctx, r.ToOrg)
	}
	if err != nil {
		return n.attemptFailed(ctx, r, fmt.Errorf("look up recipients: %w", err), false)
	}
	seen := map[string]bool{}
	var good []string
	for _, a := range addrs {
		pa, err := mail.ParseAddress(a)
		if err != nil {
			n.logger.Warn("skipping bad e-mail address", "mail", r.ID, "user", r.ToUser, "org", r.ToOrg, "err", err)
			continue
		}
		if !seen[strings.ToLower(pa.Address)] {
			seen[strings.ToLower(pa.Address)] = true
			good = append(good, pa.Address)
		}
	}
	now := n.clock.Now()
	return n.db.Tx(ctx, func(tx *store.Tx) error {
		state, action := mailExpanded, "notice.mail_queued"
		if len(good) == 0 {
			state, action = mailSkipped, "notice.mail_skipped"
		}
		var ids []string
		for _, a := range good {
			id := newID("mail_")
			ids = append(ids, id)
			if _, err := tx.Exec(ctx, insertOutbox, id, r.NoticeID, r.ToUser, r.ToOrg, a, r.Subject, r.Body, r.Link,
				string(mailPending), store.FormatTime(now), store.FormatTime(now)); err != nil {
				return fmt.Errorf("queue mail for %s: %w", r.NoticeID, err)
			}
		}
		if err := n.finish(ctx, tx, r, state, ""); err != nil {
			return err
		}
		return n.auditMail(ctx, tx, action, r, map[string]any{"mails": ids, "recipients": len(good)})
	})
}

// send delivers one addressed message.
func (n *Notifier) send(ctx context.Context, r outboxRow) error {
	msg := n.formatMessage(r, n.clock.Now())
	err := n.deliverSMTP(ctx, r.Address, msg)
	if err != nil {
		var re *rcptError
		return n.attemptFailed(ctx, r, err, errors.As(err, &re))
	}
	return n.db.Tx(ctx, func(tx *store.Tx) error {
		if err := n.finish(ctx, tx, r, mailSent, ""); err != nil {
			return err
		}
		return n.auditMail(ctx, tx, "notice.mail_sent", r, map[string]any{"attempts": r.Attempts})
	})
}

// attemptFailed records a failed attempt; the retry time was set by claim.
// After the last attempt, or when permanent, the row fails (audited).
func (n *Notifier) attemptFailed(ctx context.Context, r outboxRow, cause error, permanent bool) error {
	msg := cause.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	cause = fmt.Errorf("mail %s (attempt %d): %w", r.ID, r.Attempts, cause)
	if !permanent && r.Attempts < n.smtp.MaxAttempts {
		n.logger.Warn("e-mail attempt failed; will retry", "mail", r.ID, "attempt", r.Attempts, "err", msg)
		if _, err := n.db.Exec(ctx, `UPDATE mail_outbox SET last_error = ? WHERE id = ?`, msg, r.ID); err != nil {
			return errors.Join(cause, fmt.Errorf("record mail error: %w", err))
		}
		return cause
	}
	n.logger.Error("e-mail given up", "mail", r.ID, "attempts", r.Attempts, "err", msg)
	err := n.db.Tx(ctx, func(tx *store.Tx) error {
		if err := n.finish(ctx, tx, r, mailFailed, msg); err != nil {
			return err
		}
		return n.auditMail(ctx, tx, "notice.mail_failed", r, map[string]any{"attempts": r.Attempts, "error": msg})
	})
	return errors.Join(cause, err)
}

func (n *Notifier) finish(ctx context.Context, tx *store.Tx, r outboxRow, state mailState, lastErr string) error {
	_, err := tx.Exec(ctx, `UPDATE mail_outbox SET state = ?, last_error = ?, done_at = ? WHERE id = ? AND state = 'pending'`,
		string(state), lastErr, store.FormatTime(n.clock.Now()), r.ID)
	if err != nil {
		return fmt.Errorf("mark mail %s %s: %w", r.ID, state, err)
	}
	return nil
}

func (n *Notifier) auditMail(ctx context.Context, tx *store.Tx, action string, r outboxRow, extra map[string]any) error {
	payload := map[string]any{"id": r.ID, "notice": r.NoticeID, "to_user": r.ToUser, "to_org": r.ToOrg, "address": r.Address}
	for k, v := range extra {
		payload[k] = v
	}
	if _, err := n.log.Append(ctx, tx, auditlog.Entry{Action: action, Resource: "notice/" + r.NoticeID, Payload: payload}); err != nil {
		return fmt.Errorf("%s %s: %w", action, r.ID, err)
	}
	return nil
}

// Run delivers the outbox every SMTPConfig.SendInterval until ctx is
// cancelled, then returns nil. Failures are logged and retried; Run returns
// an error only if it cannot start. Without SMTP it waits for ctx.
func (n *Notifier) Run(ctx context.Context) error {
	if n.smtp == nil {
		<-ctx.Done()
		return nil
	}
	t := time.NewTicker(n.smtp.SendInterval)
	defer t.Stop()
	for {
		if err := n.Deliver(ctx); err != nil && ctx.Err() == nil {
			n.logger.Warn("e-mail delivery pass", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// headerText makes s safe for a header: control characters, CR and LF
// included, become spaces, so no text can start a new header line.
func headerText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// encodeHeader RFC 2047-encodes s when it is not plain ASCII and folds the
// encoded words onto continuation lines, keeping lines under 998 octets.
func encodeHeader(s string) string {
	e := mime.QEncoding.Encode("utf-8", headerText(s))
	return strings.ReplaceAll(e, "?= =?", "?=\r\n =?")
}

// formatMessage renders r as an RFC 5322 message in UTF-8.
func (n *Notifier) formatMessage(r outboxRow, now time.Time) []byte {
	domain := n.from.Address[strings.LastIndexByte(n.from.Address, '@')+1:]
	var b bytes.Buffer
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("From", n.from.String())
	hdr("To", "<"+headerText(r.Address)+">")
	hdr("Subject", encodeHeader(r.Subject))
	hdr("Date", now.Format(time.RFC1123Z))
	// Stable across retries, so a message delivered twice can be recognised.
	hdr("Message-ID", "<"+r.ID+"@"+domain+">")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", `text/plain; charset="UTF-8"`)
	hdr("Content-Transfer-Encoding", "quoted-printable")
	hdr("Auto-Submitted", "auto-generated") // RFC 3834: no auto-replies
	b.WriteString("\r\n")
	body := r.Body
	if r.Link != "" && n.cfg.BaseURL != "" {
		body = strings.TrimRight(body, "\n") + "\n\n" + n.cfg.BaseURL + r.Link + "\n"
	}
	body = strings.TrimRight(body, "\n") + "\n\n-- \nこのメールは ACD から自動送信されています。\nThis message was sent automatically by ACD.\n"
	w := quotedprintable.NewWriter(&b)
	w.Write([]byte(body))
	w.Close()
	return b.Bytes()
}

// rcptError is a permanent refusal of the recipient: retrying will not help.
type rcptError struct{ err error }

func (e *rcptError) Error() string { return "recipient refused: " + e.err.Error() }
func (e *rcptError) Unwrap() error { return e.err }

// deliverSMTP sends msg to one recipient.
func (n *Notifier) deliverSMTP(ctx context.Context, to string, msg []byte) error {
	c := n.smtp
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	host, _, _ := net.SplitHostPort(c.Addr)
	tlsConfig := c.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", c.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	// Cancelling ctx (shutdown) breaks off the conversation.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if c.ImplicitTLS {
		conn = tls.Client(conn, tlsConfig)
	}
	cl, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: %w", c.Addr, err)
	}
	defer cl.Close()
	if err := cl.Hello(c.HelloName); err != nil {
		return fmt.Errorf("smtp hello: %w", err)
	}
	if c.StartTLS {
		if ok, _ := cl.Extension("STARTTLS"); !ok {
			return fmt.Errorf("smtp %s does not offer STARTTLS", c.Addr)
		}
		if err := cl.StartTLS(tlsConfig); err != nil {
			return fmt.Errorf("smtp starttls: %w", err)
		}
	}
	if c.Username != "" {
		if err := cl.Auth(smtp.PlainAuth("", c.Username, c.Password, host)); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := cl.Mail(n.from.Address); err != nil {
		return fmt.Errorf("smtp mail from: %w", err)
	}
	if err := cl.Rcpt(to); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) && te.Code >= 500 {
			return &rcptError{err}
		}
		return fmt.Errorf("smtp rcpt to: %w", err)
	}
	w, err := cl.Data()
	if err != nil {
		return fmt.Errorf("smtp data: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp data: %w", err)
	}
	if err := cl.Quit(); err != nil {
		// The message was accepted at the end of DATA; a failed QUIT
		// does not undo that.
		n.logger.Debug("smtp quit", "err", err)
	}
	return nil
}
