package deadline_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestInbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, deadline.NotifierConfig{})
		orgWide := e.notify(t, deadline.Notice{ToOrg: "o_power", Subject: "Advisory published", Body: "See the advisory.", Link: "/advisories/a_1"})
		e.clock.Advance(time.Minute)
		personal := e.notify(t, deadline.Notice{ToUser: "u_alice", ToOrg: "o_power", Subject: "Your report was received"})
		e.clock.Advance(time.Minute)
		e.notify(t, deadline.Notice{ToOrg: "o_gas", Subject: "For another operator"})

		ids := func(ms []deadline.Message) []string {
			var out []string
			for _, m := range ms {
				out = append(out, m.ID)
			}
			return out
		}
		tests := []struct {
			name       string
			user, org  string
			want       []string
			wantUnread int
		}{
			{"user sees personal and org-wide, newest first", "u_alice", "o_power", []string{personal, orgWide}, 2},
			{"colleague sees only org-wide", "u_carol", "o_power", []string{orgWide}, 1},
			{"user without org sees only personal", "u_alice", "", []string{personal}, 1},
			{"other org sees neither", "u_dave", "o_water", nil, 0},
		}
		for _, tc := range tests {
			if diff := cmp.Diff(tc.want, ids(e.inbox(t, tc.user, tc.org))); diff != "" {
				t.Errorf("%s: inbox (-want +got):\n%s", tc.name, diff)
			}
			if got, err := e.n.Unread(ctx, tc.user, tc.org); err != nil || got != tc.wantUnread {
				t.Errorf("%s: Unread = %d, %v; want %d", tc.name, got, err, tc.wantUnread)
			}
		}

		// Reading an org-wide notice marks it for that reader only.
		e.clock.Advance(time.Minute)
		readAt := e.clock.Now()
		for range 2 {
			if err := e.n.MarkRead(ctx, "u_alice", "o_power", orgWide); err != nil {
				t.Fatalf("MarkRead: %v", err)
			}
			e.clock.Advance(time.Minute)
		}
		msgs := e.inbox(t, "u_alice", "o_power")
		if !msgs[1].ReadAt.Equal(readAt) || !msgs[0].ReadAt.IsZero() {
			t.Errorf("after MarkRead: read_at %v and %v, want zero and %v (first read kept)", msgs[0].ReadAt, msgs[1].ReadAt, readAt)
		}
		if got, _ := e.n.Unread(ctx, "u_alice", "o_power"); got != 1 {
			t.Errorf("Unread for reader = %d, want 1", got)
		}
		if got, _ := e.n.Unread(ctx, "u_carol", "o_power"); got != 1 {
			t.Errorf("Unread for colleague = %d, want still 1", got)
		}
		if got := audits(t, db, "notice.mark_read"); got != 1 {
			t.Errorf("notice.mark_read audit entries = %d, want 1", got)
		}
		// Someone who cannot see a notice cannot mark it.
		if err := e.n.MarkRead(ctx, "u_dave", "o_water", orgWide); !errors.Is(err, deadline.ErrNotFound) {
			t.Errorf("MarkRead by another org: %v, want ErrNotFound", err)
		}
		if err := e.n.MarkRead(ctx, "u_carol", "o_power", personal); !errors.Is(err, deadline.ErrNotFound) {
			t.Errorf("MarkRead of a colleague's personal notice: %v, want ErrNotFound", err)
		}
	})
}

func TestNoticeValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, deadline.NotifierConfig{})
		tests := []struct {
			name string
			nt   deadline.Notice
		}{
			{"nobody to send to", deadline.Notice{Subject: "x"}},
			{"no subject", deadline.Notice{ToOrg: "o_power"}},
			{"CR LF in subject would inject a header", deadline.Notice{ToOrg: "o_power", Subject: "Hello\r\nBcc: spy@evil.example"}},
			{"bare LF in subject", deadline.Notice{ToOrg: "o_power", Subject: "Hello\nX-Injected: 1"}},
			{"subject too long", deadline.Notice{ToOrg: "o_power", Subject: strings.Repeat("長", 201)}},
			{"absolute link", deadline.Notice{ToOrg: "o_power", Subject: "x", Link: "https://evil.example/"}},
		}
		for _, tc := range tests {
			err := db.Tx(ctx, func(tx *store.Tx) error { _, err := e.n.Notify(ctx, tx, tc.nt); return err })
			if !errors.Is(err, deadline.ErrInvalid) {
				t.Errorf("%s: Notify: %v, want ErrInvalid", tc.name, err)
			}
		}
	})
}

func TestEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ms := startMailServer(t, "127.0.0.1:0")
		e := newEnv(t, db, mailConfig(ms.Addr))
		subject := "【是正命令】報告書の提出期限について — correction order"
		body := "貴社は第5条に基づく報告を期限までに提出していません。\nPlease file the report.\n"

		// Nothing is sent before the caller's transaction commits.
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if _, err := e.n.Notify(ctx, tx, deadline.Notice{ToUser: "u_alice", ToOrg: "o_power", Subject: subject, Body: body, Link: "/orders/co_1"}); err != nil {
				return err
			}
			if err := e.n.Deliver(ctx); err != nil {
				return err
			}
			if got := len(ms.messages()); got != 0 {
				t.Errorf("%d e-mails sent before commit, want 0", got)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Notify: %v", err)
		}
		if err := e.n.Deliver(ctx); err != nil {
			t.Fatalf("Deliver: %v", err)
		}
		got := ms.messages()
		if len(got) != 1 {
			t.Fatalf("server received %d messages, want 1", len(got))
		}
		if diff := cmp.Diff(received{From: "noreply@acd.example.go.jp", To: []string{"alice@power.example.jp"}}, received{From: got[0].From, To: got[0].To}); diff != "" {
			t.Errorf("envelope (-want +got):\n%s", diff)
		}
		p := parse(t, got[0])
		if p.Subject != subject {
			t.Errorf("decoded Subject = %q, want %q", p.Subject, subject)
		}
		for _, line := range strings.Split(string(got[0].Data), "\r\n") {
			if len(line) > 998 {
				t.Errorf("line of %d octets, want at most 998: %.60s…", len(line), line)
			}
		}
		if !strings.HasPrefix(p.Body, body) || !strings.Contains(p.Body, "https://acd.example.go.jp/orders/co_1") {
			t.Errorf("decoded body = %q, want the notice body and its absolute link", p.Body)
		}
		from, err := mail.ParseAddress(p.Header.Get("From"))
		if err != nil || from.Address != "noreply@acd.example.go.jp" || from.Name != "ACD 通知" {
			t.Errorf("From = %q (%v, %v), want ACD 通知 <noreply@acd.example.go.jp>", p.Header.Get("From"), from, err)
		}
		if got := p.Header.Get("To"); got != "<alice@power.example.jp>" {
			t.Errorf("To = %q", got)
		}
		if date, err := p.Header.Date(); err != nil || !date.Equal(t0) {
			t.Errorf("Date = %q (%v), want %v", p.Header.Get("Date"), err, t0)
		}
		if id := p.Header.Get("Message-ID"); !strings.HasPrefix(id, "<mail_") || !strings.HasSuffix(id, "@acd.example.go.jp>") {
			t.Errorf("Message-ID = %q", id)
		}
		if ct := p.Header.Get("Content-Type"); !strings.Contains(strings.ToLower(ct), "utf-8") {
			t.Errorf("Content-Type = %q, want UTF-8", ct)
		}
		if got := p.Header.Get("MIME-Version"); got != "1.0" {
			t.Errorf("MIME-Version = %q", got)
		}

		// Delivered once: a further pass sends nothing.
		if err := e.n.Deliver(ctx); err != nil {
			t.Fatalf("Deliver: %v", err)
		}
		if got := len(ms.messages()); got != 1 {
			t.Errorf("after another pass %d messages, want still 1", got)
		}
		if got := audits(t, db, "notice.mail_sent"); got != 1 {
			t.Errorf("notice.mail_sent audit entries = %d, want 1", got)
		}
	})
}

func TestEmailOrgWideAndOverdue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ms := startMailServer(t, "127.0.0.1:0")
		e := newEnv(t, db, mailConfig(ms.Addr))
		d := e.set(t, report("report/r_1", time.Minute))
		e.clock.Advance(time.Hour)
		e.tick(t)
		if err := e.n.Deliver(ctx); err != nil {
			t.Fatalf("Deliver: %v", err)
		}
		var to []string
		for _, m := range ms.messages() {
			to = append(to, m.To...)
			p := parse(t, m)
			if want := "【期限超過】 / Overdue: " + d.Title; p.Subject != want {
				t.Errorf("Subject = %q, want %q", p.Subject, want)
			}
			if !strings.Contains(p.Body, "詳細報告 report/r_1") || !strings.Contains(p.Body, d.ID) {
				t.Errorf("body lacks the Japanese title or the deadline id:\n%s", p.Body)
			}
		}
		// The org's list holds one address twice in different case.
		slices.Sort(to)
		if diff := cmp.Diff([]string{"ciso@power.example.jp", "soc@power.example.jp"}, to); diff != "" {
			t.Errorf("recipients (-want +got):\n%s", diff)
		}
		// A restarted server sends nothing again.
		r := e.restart(t, mailConfig(ms.Addr))
		r.clock.Advance(24 * time.Hour)
		r.tick(t)
		if err := r.n.Deliver(ctx); err != nil {
			t.Fatalf("Deliver after restart: %v", err)
		}
		if got := len(ms.messages()); got != 2 {
			t.Errorf("after restart %d messages, want still 2", got)
		}
	})
}

func TestEmailRetry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Reserve a port with nothing listening on it.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()

		e := newEnv(t, db, mailConfig(addr))
		e.notify(t, deadline.Notice{ToUser: "u_alice", Subject: "Request for materials", Body: "Please submit."})
		if err := e.n.Deliver(ctx); err == nil {
			t.Fatal("Deliver with the server down returned nil, want the connection error")
		}
		if got := count(t, db, `SELECT COUNT(*) FROM mail_outbox WHERE state = 'pending' AND attempts = 1 AND last_error <> ''`); got != 1 {
			t.Fatalf("pending mails with one failed attempt = %d, want 1", got)
		}

		ms := startMailServer(t, addr)
		// Not before the backoff has passed...
		if err := e.n.Deliver(ctx); err != nil {
			t.Fatalf("Deliver during backoff: %v", err)
		}
		if got := len(ms.messages()); got != 0 {
			t.Fatalf("%d messages during backoff, want 0", got)
		}
		// ...then delivered.
		e.clock.Advance(30 * time.Second)
		if err := e.n.Deliver(ctx); err != nil {
			t.Fatalf("Deliver after backoff: %v", err)
		}
		if got := ms.messages(); len(got) != 1 || parse(t, got[0]).Subject != "Request for materials" {
			t.Fatalf("after backoff the server has %d messages, want the one notice", len(got))
		}
		if got := count(t, db, `SELECT COUNT(*) FROM mail_outbox WHERE state = 'sent' AND attempts = 2`); got != 1 {
			t.Errorf("sent mails after two attempts = %d, want 1", got)
		}
	})
}

func TestEmailGivesUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ms := startMailServer(t, "127.0.0.1:0")
		cfg := mailConfig(ms.Addr)
		cfg.SMTP.MaxAttempts = 2
		e := newEnv(t, db, cfg)
		// A recipient refused with 550 fails at once.
		e.notify(t, deadline.Notice{ToUser: "u_ghost", Subject: "x"})
		// A user without an address is skipped.
		e.notify(t, deadline.Notice{ToUser: "u_nomail", Subject: "y"})
		// A lookup that keeps failing is given up after MaxAttempts.
		e.notify(t, deadline.Notice{ToOrg: "o_broken", Subject: "z"})
		for range 3 {
			e.n.Deliver(ctx)
			e.clock.Advance(time.Hour)
		}
		for action, want := range map[string]int{"notice.mail_failed": 2, "notice.mail_skipped": 1, "notice.mail_queued": 1, "notice.mail_sent": 0} {
			if got := audits(t, db, action); got != want {
				t.Errorf("%s audit entries = %d, want %d", action, got, want)
			}
		}
		if got := count(t, db, `SELECT COUNT(*) FROM mail_outbox WHERE state = 'pending'`); got != 0 {
			t.Errorf("%d mails still pending, want 0", got)
		}
		if got := len(ms.messages()); got != 0 {
			t.Errorf("server received %d messages, want 0", got)
		}
	})
}

func TestEmailHeaderInjection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ms := startMailServer(t, "127.0.0.1:0")
		e := newEnv(t, db, mailConfig(ms.Addr))
		// Notify rejects line breaks (TestNoticeValidation). Should a row with
		// one reach the outbox another way, the sender still keeps it in the
		// Subject header.
		now := store.FormatTime(e.clock.Now())
		_, err := db.Exec(ctx, `INSERT INTO mail_outbox (id, notice_id, to_user, to_org, address, subject, body, link, state, attempts, next_attempt_at, last_error, created_at)
			VALUES ('mail_x', 'msg_x', 'u_alice', '', 'alice@power.example.jp', ?, 'body', '', 'pending', 0, ?, '', ?)`,
			"Hello\r\nBcc: spy@evil.example\r\n\r\nforged body", now, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.n.Deliver(ctx); err != nil {
			t.Fatalf("Deliver: %v", err)
		}
		got := ms.messages()
		if len(got) != 1 {
			t.Fatalf("server received %d messages, want 1", len(got))
		}
		if diff := cmp.Diff([]string{"alice@power.example.jp"}, got[0].To); diff != "" {
			t.Errorf("recipients (-want +got):\n%s", diff)
		}
		p := parse(t, got[0])
		if _, ok := p.Header["Bcc"]; ok {
			t.Errorf("message has a Bcc header:\n%s", got[0].Data)
		}
		if p.Subject != "Hello  Bcc: spy@evil.example    forged body" {
			t.Errorf("Subject = %q, want the line breaks turned into spaces", p.Subject)
		}
		if strings.Contains(p.Body, "forged") {
			t.Errorf("body contains the forged part:\n%s", p.Body)
		}
	})
}

func TestSMTPConfigRedactsPassword(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	cfg := deadline.SMTPConfig{Addr: "mail.example.jp:587", From: "acd@example.jp", Username: "acd", Password: "hunter2-secret", StartTLS: true}
	logger.Info("smtp", "config", cfg, "ptr", &cfg)
	if strings.Contains(buf.String(), "hunter2") {
		t.Errorf("log output contains the password: %s", buf.String())
	}
	if !strings.Contains(buf.String(), "mail.example.jp:587") {
		t.Errorf("log output lacks the address: %s", buf.String())
	}
}

func TestNotifierConfigErrors(t *testing.T) {
	db := storetest.SQLite(t)
	e := newEnv(t, db, deadline.NotifierConfig{})
	ctx := context.Background()
	tests := []struct {
		name string
		cfg  deadline.NotifierConfig
	}{
		{"SMTP without lookups", deadline.NotifierConfig{SMTP: &deadline.SMTPConfig{Addr: "127.0.0.1:25", From: "a@b.jp"}}},
		{"bad From", func() deadline.NotifierConfig {
			c := mailConfig("127.0.0.1:25")
			c.SMTP.From = "not an address"
			return c
		}()},
		{"Addr without port", func() deadline.NotifierConfig { c := mailConfig("mail.example.jp"); return c }()},
		{"base URL without scheme", deadline.NotifierConfig{BaseURL: "acd.example.go.jp"}},
	}
	for _, tc := range tests {
		if _, err := deadline.NewNotifier(ctx, db, e.log, e.clock, nil, tc.cfg); err == nil {
			t.Errorf("%s: NewNotifier succeeded, want an error", tc.name)
		}
	}
}

func TestEmailStartTLSAndAuth(t *testing.T) {
	// httptest makes a certificate for 127.0.0.1 and a client that trusts it.
	hs := httptest.NewUnstartedServer(nil)
	hs.StartTLS()
	defer hs.Close()
	roots := x509.NewCertPool()
	roots.AddCert(hs.Certificate())

	ms := startMailServerTLS(t, "127.0.0.1:0", &tls.Config{Certificates: hs.TLS.Certificates})
	db := storetest.SQLite(t)
	cfg := mailConfig(ms.Addr)
	cfg.SMTP.StartTLS = true
	cfg.SMTP.Username, cfg.SMTP.Password = "acd", "s3cret"
	cfg.SMTP.TLSConfig = &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"}
	e := newEnv(t, db, cfg)
	e.notify(t, deadline.Notice{ToUser: "u_alice", Subject: "Over TLS"})
	if err := e.n.Deliver(context.Background()); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	got := ms.messages()
	if len(got) != 1 || got[0].User != "acd" {
		t.Fatalf("server received %+v, want one message from authenticated user acd", got)
	}

	// Without the right roots the server's certificate is refused and
	// nothing is sent.
	cfg.SMTP.TLSConfig = nil
	e2 := newEnv(t, storetest.SQLite(t), cfg)
	e2.notify(t, deadline.Notice{ToUser: "u_alice", Subject: "Untrusted"})
	if err := e2.n.Deliver(context.Background()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("Deliver to an untrusted server: %v, want a certificate error", err)
	}
	if got := len(ms.messages()); got != 1 {
		t.Errorf("server has %d messages, want still 1", got)
	}
}
