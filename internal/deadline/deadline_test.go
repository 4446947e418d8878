package deadline_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, deadline.NotifierConfig{})
		d := e.set(t, report("report/r_1", 2*time.Hour))
		if !strings.HasPrefix(d.ID, "dl_") || d.State != deadline.StateOpen || !d.Created.Equal(t0) {
			t.Fatalf("Set returned %+v, want a dl_ id, state open, created %v", d, t0)
		}
		if want := t0.Add(time.Hour); !d.RemindAt.Equal(want) {
			t.Errorf("RemindAt = %v, want %v (due - default lead)", d.RemindAt, want)
		}
		if diff := cmp.Diff(d, e.get(t, d.ID)); diff != "" {
			t.Errorf("Get differs from Set's result (-set +get):\n%s", diff)
		}

		// Before the reminder time: nothing happens.
		e.clock.Advance(59 * time.Minute)
		e.tick(t)
		if got := e.inbox(t, "u_alice", "o_power"); len(got) != 0 {
			t.Fatalf("inbox before reminder time has %d messages, want 0", len(got))
		}

		// At the reminder time: one reminder, and only one.
		e.clock.Advance(time.Minute)
		e.tick(t)
		e.tick(t)
		msgs := e.inbox(t, "u_alice", "o_power")
		if len(msgs) != 1 || !strings.Contains(msgs[0].Subject, "Due soon") || msgs[0].Link != "/report/r_1" {
			t.Fatalf("inbox after reminder = %+v, want one 'Due soon' message linking /report/r_1", msgs)
		}
		if got := e.get(t, d.ID); got.State != deadline.StateOpen || !got.RemindedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("after reminder: state %s reminded_at %v, want open, %v", got.State, got.RemindedAt, t0.Add(time.Hour))
		}

		// At the due time exactly it is not yet overdue.
		e.clock.Set(d.Due)
		e.tick(t)
		if got := e.get(t, d.ID).State; got != deadline.StateOpen {
			t.Fatalf("state at due time = %s, want open", got)
		}

		// One second later it is, with one notice however often Tick runs.
		e.clock.Advance(time.Second)
		e.tick(t)
		e.tick(t)
		got := e.get(t, d.ID)
		if got.State != deadline.StateOverdue || !got.OverdueAt.Equal(d.Due.Add(time.Second)) {
			t.Fatalf("after due: state %s overdue_at %v, want overdue at %v", got.State, got.OverdueAt, d.Due.Add(time.Second))
		}
		msgs = e.inbox(t, "u_alice", "o_power")
		if len(msgs) != 2 || !strings.Contains(msgs[0].Subject, "Overdue") {
			t.Fatalf("inbox after due = %+v, want the overdue notice on top of the reminder", msgs)
		}
		if !strings.Contains(msgs[0].Body, "2026-04-01 11:00 JST") {
			t.Errorf("overdue body does not show the due time in Japan time:\n%s", msgs[0].Body)
		}
		over, err := e.s.Overdue(ctx)
		if err != nil || len(over) != 1 || over[0].ID != d.ID {
			t.Errorf("Overdue() = %v, %v; want [%s]", over, err, d.ID)
		}

		// Met late.
		e.clock.Advance(time.Hour)
		err = db.Tx(ctx, func(tx *store.Tx) error {
			m, err := e.s.Meet(ctx, tx, d.ID)
			if err == nil && (!m.Late || m.State != deadline.StateMet) {
				t.Errorf("Meet returned %+v, want met and late", m)
			}
			return err
		})
		if err != nil {
			t.Fatalf("Meet: %v", err)
		}
		got = e.get(t, d.ID)
		if got.State != deadline.StateMet || !got.Late || !got.MetAt.Equal(e.clock.Now()) {
			t.Errorf("after late Meet: %+v, want met, late, met_at %v", got, e.clock.Now())
		}
		// Meeting again is ErrClosed.
		err = db.Tx(ctx, func(tx *store.Tx) error { _, err := e.s.Meet(ctx, tx, d.ID); return err })
		if !errors.Is(err, deadline.ErrClosed) {
			t.Errorf("second Meet: %v, want ErrClosed", err)
		}

		for action, want := range map[string]int{"deadline.set": 1, "deadline.remind": 1, "deadline.overdue": 1, "deadline.met": 1, "notice.create": 2} {
			if got := audits(t, db, action); got != want {
				t.Errorf("audit entries %s = %d, want %d", action, got, want)
			}
		}
	})
}

func TestMetOnTimeAndCancelled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, deadline.NotifierConfig{})
		onTime := e.set(t, report("report/r_1", time.Hour))
		atDue := e.set(t, report("report/r_2", time.Hour))
		cancelled := e.set(t, report("report/r_3", time.Hour))

		e.clock.Advance(10 * time.Minute)
		err := db.Tx(ctx, func(tx *store.Tx) error {
			met, err := e.s.MeetSubject(ctx, tx, "report/r_1", "report.full")
			if err != nil {
				return err
			}
			if len(met) != 1 || met[0].ID != onTime.ID {
				t.Errorf("MeetSubject met %v, want [%s]", met, onTime.ID)
			}
			_, err = e.s.Cancel(ctx, tx, cancelled.ID, "report withdrawn by the ministry")
			return err
		})
		if err != nil {
			t.Fatalf("meet/cancel: %v", err)
		}
		e.clock.Set(atDue.Due)
		err = db.Tx(ctx, func(tx *store.Tx) error { _, err := e.s.Meet(ctx, tx, atDue.ID); return err })
		if err != nil {
			t.Fatalf("Meet at due: %v", err)
		}

		e.clock.Advance(24 * time.Hour)
		e.tick(t)
		tests := []struct {
			name  string
			id    string
			state deadline.State
			late  bool
		}{
			{"met before due", onTime.ID, deadline.StateMet, false},
			{"met exactly at due is on time", atDue.ID, deadline.StateMet, false},
			{"cancelled never becomes overdue", cancelled.ID, deadline.StateCancelled, false},
		}
		for _, tc := range tests {
			got := e.get(t, tc.id)
			if got.State != tc.state || got.Late != tc.late {
				t.Errorf("%s: state %s late %v, want %s %v", tc.name, got.State, got.Late, tc.state, tc.late)
			}
		}
		if got := e.get(t, cancelled.ID).CancelReason; got != "report withdrawn by the ministry" {
			t.Errorf("cancel reason = %q", got)
		}
		// The reminders were due at +0h (lead 1h, due +1h) for all three,
		// but none was open at a Tick after that: no notices at all.
		if got := e.inbox(t, "u_alice", "o_power"); len(got) != 0 {
			t.Errorf("inbox has %d messages, want none: %+v", len(got), got)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error { _, err := e.s.Cancel(ctx, tx, cancelled.ID, "again"); return err })
		if !errors.Is(err, deadline.ErrClosed) {
			t.Errorf("Cancel of cancelled: %v, want ErrClosed", err)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error { _, err := e.s.MeetSubject(ctx, tx, "", ""); return err })
		if !errors.Is(err, deadline.ErrInvalid) {
			t.Errorf("MeetSubject without subject: %v, want ErrInvalid (it would meet everything)", err)
		}
		err = db.Tx(ctx, func(tx *store.Tx) error { _, err := e.s.Meet(ctx, tx, "dl_missing"); return err })
		if !errors.Is(err, deadline.ErrNotFound) {
			t.Errorf("Meet of missing: %v, want ErrNotFound", err)
		}
	})
}

func TestSetValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, deadline.NotifierConfig{})
		tests := []struct {
			name string
			edit func(*deadline.Deadline)
		}{
			{"kind without capability", func(d *deadline.Deadline) { d.Kind = "full" }},
			{"subject without type", func(d *deadline.Deadline) { d.Subject = "r_1" }},
			{"no org", func(d *deadline.Deadline) { d.Org = "" }},
			{"no title", func(d *deadline.Deadline) { d.Title = " " }},
			{"title with a line break could reach a mail header", func(d *deadline.Deadline) { d.Title = "x\r\nBcc: a@b.c" }},
			{"no due time", func(d *deadline.Deadline) { d.Due = time.Time{} }},
			{"link to another site", func(d *deadline.Deadline) { d.Link = "//evil.example/x" }},
			{"reminder after due", func(d *deadline.Deadline) { d.RemindAt = d.Due.Add(time.Minute) }},
		}
		for _, tc := range tests {
			d := report("report/r_1", time.Hour)
			tc.edit(&d)
			err := db.Tx(ctx, func(tx *store.Tx) error { _, err := e.s.Set(ctx, tx, d); return err })
			if !errors.Is(err, deadline.ErrInvalid) {
				t.Errorf("%s: Set: %v, want ErrInvalid", tc.name, err)
			}
		}
		err := db.Tx(ctx, func(tx *store.Tx) error { _, err := e.s.Cancel(ctx, tx, "dl_x", " "); return err })
		if !errors.Is(err, deadline.ErrInvalid) {
			t.Errorf("Cancel without reason: %v, want ErrInvalid", err)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM deadlines`); got != 0 {
			t.Errorf("%d deadlines stored after invalid input, want 0", got)
		}
	})
}

func TestList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, deadline.NotifierConfig{})
		a := e.set(t, report("report/r_1", 3*time.Hour))
		b := e.set(t, report("report/r_2", time.Hour))
		c := report("order/o_1", 2*time.Hour)
		c.Kind, c.Org, c.User = "order.correction", "o_gas", "u_bob"
		cc := e.set(t, c)
		ids := func(ds []deadline.Deadline) []string {
			var out []string
			for _, d := range ds {
				out = append(out, d.ID)
			}
			return out
		}
		tests := []struct {
			name string
			f    deadline.Filter
			want []string
		}{
			{"everything, soonest first", deadline.Filter{}, []string{b.ID, cc.ID, a.ID}},
			{"by org", deadline.Filter{Org: "o_power"}, []string{b.ID, a.ID}},
			{"by user", deadline.Filter{User: "u_bob"}, []string{cc.ID}},
			{"by subject", deadline.Filter{Subject: "report/r_1"}, []string{a.ID}},
			{"by kind", deadline.Filter{Kind: "order.correction"}, []string{cc.ID}},
			{"due before", deadline.Filter{DueBefore: t0.Add(2 * time.Hour)}, []string{b.ID}},
			{"by state", deadline.Filter{State: deadline.StateMet}, nil},
			{"limit", deadline.Filter{Limit: 1}, []string{b.ID}},
		}
		for _, tc := range tests {
			got, err := e.s.List(ctx, tc.f)
			if err != nil {
				t.Fatalf("%s: List: %v", tc.name, err)
			}
			if diff := cmp.Diff(tc.want, ids(got)); diff != "" {
				t.Errorf("%s: List ids (-want +got):\n%s", tc.name, diff)
			}
		}
		if _, err := e.s.List(ctx, deadline.Filter{State: "late"}); !errors.Is(err, deadline.ErrInvalid) {
			t.Errorf("List with bad state: %v, want ErrInvalid", err)
		}
	})
}

func TestPersonalNotice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, deadline.NotifierConfig{})
		d := report("report/r_1", time.Minute)
		d.User = "u_alice"
		e.set(t, d)
		e.clock.Advance(time.Hour)
		e.tick(t)
		if got := e.inbox(t, "u_alice", "o_power"); len(got) != 1 || got[0].ToUser != "u_alice" {
			t.Errorf("responsible user's inbox = %+v, want the overdue notice", got)
		}
		if got := e.inbox(t, "u_carol", "o_power"); len(got) != 0 {
			t.Errorf("colleague's inbox = %+v, want nothing (notice was personal)", got)
		}
	})
}

func TestRestartDoesNotRenotify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, deadline.NotifierConfig{})
		late := e.set(t, report("report/r_1", time.Minute))
		soon := e.set(t, report("report/r_2", 90*time.Minute))
		e.clock.Advance(45 * time.Minute) // r_1 overdue, r_2 in its reminder window
		e.tick(t)
		if got := len(e.inbox(t, "u_alice", "o_power")); got != 2 {
			t.Fatalf("inbox after first pass has %d messages, want 2", got)
		}

		r := e.restart(t, deadline.NotifierConfig{})
		r.tick(t)
		r.clock.Advance(time.Minute)
		r.tick(t)
		if got := len(r.inbox(t, "u_alice", "o_power")); got != 2 {
			t.Errorf("inbox after restart has %d messages, want still 2", got)
		}
		if got := r.get(t, late.ID).State; got != deadline.StateOverdue {
			t.Errorf("r_1 after restart: %s, want overdue", got)
		}
		if got := r.get(t, soon.ID); got.State != deadline.StateOpen || got.RemindedAt.IsZero() {
			t.Errorf("r_2 after restart: %+v, want open and reminded", got)
		}
	})
}

func TestRolledBackCallerLeavesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ms := startMailServer(t, "127.0.0.1:0")
		e := newEnv(t, db, mailConfig(ms.Addr))
		boom := errors.New("caller's change failed")
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if _, err := e.s.Set(ctx, tx, report("report/r_1", time.Minute)); err != nil {
				return err
			}
			if _, err := e.n.Notify(ctx, tx, deadline.Notice{ToOrg: "o_power", Subject: "Report received"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx: %v, want the caller's error", err)
		}
		e.clock.Advance(time.Hour)
		e.tick(t)
		if err := e.n.Deliver(ctx); err != nil {
			t.Fatalf("Deliver: %v", err)
		}
		for _, q := range []string{`SELECT COUNT(*) FROM deadlines`, `SELECT COUNT(*) FROM notices`, `SELECT COUNT(*) FROM mail_outbox`, `SELECT COUNT(*) FROM audit_entries`} {
			if got := count(t, db, q); got != 0 {
				t.Errorf("%s = %d, want 0", q, got)
			}
		}
		if got := ms.messages(); len(got) != 0 {
			t.Errorf("SMTP server received %d messages, want 0", len(got))
		}
	})
}

func TestRunStopsOnCancel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ms := startMailServer(t, "127.0.0.1:0")
		cfg := mailConfig(ms.Addr)
		cfg.SMTP.SendInterval = 20 * time.Millisecond
		e := newEnv(t, db, cfg)
		e.set(t, report("report/r_1", time.Minute))
		e.clock.Advance(time.Hour)

		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		errc := make(chan error, 2)
		go func() { errc <- e.s.Run(ctx) }()
		go func() { errc <- e.n.Run(ctx) }()

		// The deadline loop passes at start; the sender then delivers the
		// overdue notice to the organisation's two distinct addresses.
		deadlineAt := time.Now().Add(10 * time.Second)
		for len(ms.messages()) < 2 {
			if time.Now().After(deadlineAt) {
				t.Fatalf("Run: %d e-mails after 10s, want 2 (org-wide overdue notice)", len(ms.messages()))
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		for range 2 {
			select {
			case err := <-errc:
				if err != nil {
					t.Errorf("Run returned %v after cancel, want nil", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Run did not return within 5s of cancel")
			}
		}
	})
}

func TestFakeClockConcurrent(t *testing.T) {
	c := deadline.NewFakeClock(t0)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				c.Advance(time.Second)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	if got, want := c.Now(), t0.Add(800*time.Second); !got.Equal(want) {
		t.Errorf("Now() = %v, want %v", got, want)
	}
}
