package deadline_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	smtp "github.com/emersion/go-smtp"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// t0 is the fake clock's starting time in every test.
var t0 = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

// env is one server's deadline machinery on a test database.
type env struct {
	db    *store.DB
	keys  string // key directory, shared by a restarted env
	clock *deadline.FakeClock
	log   *auditlog.Log
	n     *deadline.Notifier
	s     *deadline.Service
}

// newEnv builds a Notifier and Service on db. A zero ncfg gives an
// inbox-only notifier.
func newEnv(t *testing.T, db *store.DB, ncfg deadline.NotifierConfig) *env {
	t.Helper()
	e := &env{db: db, keys: t.TempDir(), clock: deadline.NewFakeClock(t0)}
	e.start(t, ncfg)
	return e
}

// restart builds a fresh Notifier and Service on the same database and keys,
// as a server restart does; the clock keeps its time.
func (e *env) restart(t *testing.T, ncfg deadline.NotifierConfig) *env {
	t.Helper()
	r := &env{db: e.db, keys: e.keys, clock: e.clock}
	r.start(t, ncfg)
	return r
}

func (e *env) start(t *testing.T, ncfg deadline.NotifierConfig) {
	t.Helper()
	ctx := context.Background()
	ring, err := keys.Open(e.keys, nil)
	if err != nil {
		t.Fatalf("open keys: %v", err)
	}
	e.log, err = auditlog.New(ctx, e.db, ring, auditlog.Options{})
	if err != nil {
		t.Fatalf("audit log: %v", err)
	}
	e.n, err = deadline.NewNotifier(ctx, e.db, e.log, e.clock, nil, ncfg)
	if err != nil {
		t.Fatalf("NewNotifier: %v", err)
	}
	e.s, err = deadline.New(ctx, e.db, e.log, e.n, e.clock, nil, deadline.Config{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
}

// set creates d in its own transaction.
func (e *env) set(t *testing.T, d deadline.Deadline) deadline.Deadline {
	t.Helper()
	var got deadline.Deadline
	err := e.db.Tx(context.Background(), func(tx *store.Tx) error {
		var err error
		got, err = e.s.Set(context.Background(), tx, d)
		return err
	})
	if err != nil {
		t.Fatalf("Set: %v", err)
	}
	return got
}

func (e *env) tick(t *testing.T) {
	t.Helper()
	if err := e.s.Tick(context.Background()); err != nil {
		t.Fatalf("Tick: %v", err)
	}
}

func (e *env) get(t *testing.T, id string) deadline.Deadline {
	t.Helper()
	d, err := e.s.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return d
}

func (e *env) inbox(t *testing.T, user, org string) []deadline.Message {
	t.Helper()
	ms, err := e.n.Inbox(context.Background(), user, org)
	if err != nil {
		t.Fatalf("Inbox(%s, %s): %v", user, org, err)
	}
	return ms
}

func (e *env) notify(t *testing.T, nt deadline.Notice) string {
	t.Helper()
	var id string
	err := e.db.Tx(context.Background(), func(tx *store.Tx) error {
		var err error
		id, err = e.n.Notify(context.Background(), tx, nt)
		return err
	})
	if err != nil {
		t.Fatalf("Notify: %v", err)
	}
	return id
}

// audits counts the audit entries with action.
func audits(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_entries WHERE action = ?`, action).Scan(&n); err != nil {
		t.Fatalf("count audit entries: %v", err)
	}
	return n
}

// count runs a COUNT(*) query.
func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// report returns a deadline for a full report on subject, due in due.
func report(subject string, due time.Duration) deadline.Deadline {
	return deadline.Deadline{
		Kind:    "report.full",
		Subject: subject,
		Org:     "o_power",
		Title:   "Full report for " + subject,
		TitleJA: "詳細報告 " + subject,
		Link:    "/" + subject,
		Due:     t0.Add(due),
	}
}

// received is one message a mailServer accepted.
type received struct {
	From string
	To   []string
	User string // who authenticated, if anyone
	Data []byte
}

// mailServer is a real SMTP server on 127.0.0.1 that records what it accepts.
// It refuses recipients at nobody@… with 550.
type mailServer struct {
	Addr string
	srv  *smtp.Server

	mu   sync.Mutex // guards msgs
	msgs []received
}

// startMailServer listens on addr ("127.0.0.1:0" for any port) until the
// test ends.
func startMailServer(t *testing.T, addr string) *mailServer {
	t.Helper()
	return startMailServerTLS(t, addr, nil)
}

// startMailServerTLS is startMailServer offering STARTTLS with cfg.
func startMailServerTLS(t *testing.T, addr string, cfg *tls.Config) *mailServer {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ms := &mailServer{Addr: l.Addr().String()}
	ms.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{ms: ms}, nil }))
	ms.srv.Domain = "localhost"
	ms.srv.TLSConfig = cfg
	ms.srv.ErrorLog = log.New(io.Discard, "", 0) // clients hanging up are expected
	ms.srv.ReadTimeout = 10 * time.Second
	ms.srv.WriteTimeout = 10 * time.Second
	done := make(chan struct{})
	go func() {
		defer close(done)
		ms.srv.Serve(l)
	}()
	t.Cleanup(func() {
		ms.srv.Close()
		<-done
	})
	return ms
}

func (ms *mailServer) messages() []received {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]received(nil), ms.msgs...)
}

type session struct {
	ms   *mailServer
	from string
	to   []string
	user string // authenticated user, if any
}

// AuthMechanisms offers PLAIN, which go-smtp allows only over TLS.
func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != "acd" || password != "s3cret" {
			return errors.New("invalid credentials")
		}
		s.user = username
		return nil
	}), nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "nobody@") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.ms.mu.Lock()
	defer s.ms.mu.Unlock()
	s.ms.msgs = append(s.ms.msgs, received{From: s.from, To: s.to, User: s.user, Data: b})
	return nil
}

// parsed is a received message decoded.
type parsed struct {
	Header  mail.Header
	Subject string // RFC 2047-decoded
	Body    string // quoted-printable-decoded, with LF line ends
}

func parse(t *testing.T, r received) parsed {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, r.Data)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("decode subject %q: %v", m.Header.Get("Subject"), err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatalf("decode body: %v", err)
	}
	return parsed{Header: m.Header, Subject: subj, Body: strings.ReplaceAll(string(body), "\r\n", "\n")}
}

// lookups are the address lookups a server passes to the Notifier.
var (
	userEmails = map[string]string{"u_alice": "alice@power.example.jp", "u_ghost": "nobody@power.example.jp"}
	orgEmails  = map[string][]string{"o_power": {"soc@power.example.jp", "ciso@power.example.jp", "SOC@power.example.jp"}}
)

func mailConfig(addr string) deadline.NotifierConfig {
	return deadline.NotifierConfig{
		SMTP: &deadline.SMTPConfig{Addr: addr, From: "ACD 通知 <noreply@acd.example.go.jp>", Timeout: 5 * time.Second},
		UserEmail: func(_ context.Context, id string) (string, error) {
			return userEmails[id], nil
		},
		OrgEmails: func(_ context.Context, id string) ([]string, error) {
			if id == "o_broken" {
				return nil, errors.New("directory unavailable")
			}
			return orgEmails[id], nil
		},
		BaseURL: "https://acd.example.go.jp/",
	}
}
