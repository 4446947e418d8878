package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/selection"
)

// ciWorld is the people and the approval of the communications-information
// and inspection page tests, on a real server: the National Cybersecurity
// Office's analyst "nco", the commission's chair and two members, and two
// agencies, METI ("meti") and MLIT ("mlit"), whose users are ministry
// officials.
type ciWorld struct {
	s                      *site
	nco, comm, meti, mlit  auth.Org
	analyst, chair, m1, m2 *auth.Principal
	metiP, mlitP           *auth.Principal
	// approval is an active ch4 approval, valid from ten days before the
	// clock's start to sixty days after.
	approval string
}

// principal returns the principal of a user as a session with its second
// factor would have it, for test set-up through the services.
func principalOf(t *testing.T, s *site, u auth.User, o auth.Org) *auth.Principal {
	t.Helper()
	return &auth.Principal{UserID: u.ID, Username: u.Username, OrgID: o.ID, OrgKind: o.Kind, Sectors: o.Sectors,
		Roles: u.Roles, Via: auth.ViaCLI, MFA: true}
}

// seeded creates a user with (privileged) roles active at once.
func seeded(t *testing.T, s *site, username string, o auth.Org, roles ...auth.Role) auth.User {
	t.Helper()
	u, err := s.srv.Auth.SeedUser(s.ctx, auth.NewUser{Username: username, DisplayName: username, OrgID: o.ID, Roles: roles, Password: password})
	if err != nil {
		t.Fatalf("seed %s: %v", username, err)
	}
	return u
}

func newCIWorld(t *testing.T, s *site) *ciWorld {
	t.Helper()
	w := &ciWorld{s: s}
	var u auth.User
	w.nco, u = s.orgUser(t, auth.NewOrg{Name: "National Cybersecurity Office", NameJA: "国家サイバー統括室", Kind: auth.OrgCabinetOff}, "nco", auth.RoleAnalyst)
	w.analyst = principalOf(t, s, u, w.nco)
	w.meti, u = s.orgUser(t, auth.NewOrg{Name: "METI", NameJA: "経済産業省", Kind: auth.OrgMinistry, Sectors: []string{"electricity"}}, "meti", auth.RoleMinistry)
	w.metiP = principalOf(t, s, u, w.meti)
	w.mlit, u = s.orgUser(t, auth.NewOrg{Name: "MLIT", NameJA: "国土交通省", Kind: auth.OrgMinistry, Sectors: []string{"railways"}}, "mlit", auth.RoleMinistry)
	w.mlitP = principalOf(t, s, u, w.mlit)
	comm, err := s.srv.Auth.CreateOrg(s.ctx, nil, auth.NewOrg{Name: "Cyber Communications Information Commission", NameJA: "サイバー通信情報監理委員会", Kind: auth.OrgCommission})
	if err != nil {
		t.Fatal(err)
	}
	w.comm = comm
	w.chair = principalOf(t, s, seeded(t, s, "chair", comm, auth.RoleCommissionChair), comm)
	w.m1 = principalOf(t, s, seeded(t, s, "member1", comm, auth.RoleCommissionMember), comm)
	w.m2 = principalOf(t, s, seeded(t, s, "member2", comm, auth.RoleCommissionMember), comm)
	w.approval = w.approve(t)
	return w
}

// approve files a ch4 request as the analyst, has the commission approve
// it, and returns the approval's id.
func (w *ciWorld) approve(t *testing.T) string {
	t.Helper()
	s := w.s
	now := s.clock.Now()
	crit := fmt.Sprintf(`{"schema": "acd.selection.criteria/v1", "id": "crit-web", "version": 1, "authority": "ACQ-TEST", "directions": ["foreign-foreign"],
  "valid_from": %q, "valid_until": %q,
  "rules": [{"id": "c2", "addresses": ["203.0.113.0/24"], "ports": ["tcp/443"]}]}`,
		now.Add(-10*24*time.Hour).Format(time.RFC3339), now.Add(60*24*time.Hour).Format(time.RFC3339))
	a, err := s.srv.Oversight.FileAcquisition(s.ctx, w.analyst, oversight.AcquisitionInput{Chapter: oversight.ChapterTransit,
		Target: oversight.Target{Facilities: []string{"Pacific cable landing station 2"}}, Suspicion: "C2 traffic of a campaign against utilities.",
		OtherMeans: "The servers are abroad and their operators do not cooperate.", Directions: []string{"foreign-foreign"}, Criteria: crit})
	if err != nil {
		t.Fatalf("file: %v", err)
	}
	m, err := s.srv.Oversight.MoveMotion(s.ctx, w.chair, a.ID, oversight.MotionInput{Kind: oversight.MotionApprove})
	if err != nil {
		t.Fatalf("move: %v", err)
	}
	for _, p := range []*auth.Principal{w.chair, w.m1, w.m2} {
		if _, err := s.srv.Oversight.CastVote(s.ctx, p, m.ID, oversight.VoteInput{Vote: oversight.VoteYes, Reasons: "agreed"}); err != nil {
			t.Fatalf("vote: %v", err)
		}
	}
	if _, err := s.srv.Oversight.CloseMotion(s.ctx, w.chair, m.ID); err != nil {
		t.Fatalf("close: %v", err)
	}
	as, err := s.srv.Oversight.Approvals(s.ctx, oversight.ApprovalFilter{RequestID: a.ID})
	if err != nil || len(as) != 1 {
		t.Fatalf("approvals of %s: %v, %d", a.ID, err, len(as))
	}
	return as[0].ID
}

// runFile describes a run body.
type runFile struct {
	started        time.Time
	flows          int    // flow records, 203.0.113.i → 198.51.100.7:443; the first with TLS SNI c2.bad.example
	seen, selected uint64 // packets in the summary
	tamper         bool   // the summary's hash is not that of the body
}

// body returns the run file of approval: the header, the records and the
// summary, as acd select writes them.
func (w *ciWorld) body(t *testing.T, f runFile) []byte {
	t.Helper()
	apv, err := w.s.srv.Oversight.Approval(w.s.ctx, w.approval)
	if err != nil {
		t.Fatal(err)
	}
	ref := selection.CriteriaRef{ID: apv.CriteriaID, Version: apv.CriteriaVersion, Authority: "ACQ-TEST", SHA256: apv.CriteriaSHA256, Approval: w.approval}
	var b bytes.Buffer
	h, _ := json.Marshal(selection.Header{Type: "run", Schema: selection.Schema, Criteria: ref, Input: "tap0", Started: f.started, Workers: 1, PseudonymKey: "k1"})
	b.Write(append(h, '\n'))
	for i := 1; i <= f.flows; i++ {
		first := f.started.Add(time.Duration(i) * time.Second)
		tls := ""
		if i == 1 {
			tls = `,"app":"tls","tls":{"version":"1.3","sni":"c2.bad.example"}`
		}
		fmt.Fprintf(&b, `{"type":"flow","flow":%d,"first":%q,"last":%q,"proto":"tcp","client":"203.0.113.%d","server":"198.51.100.7","client_port":%d,"server_port":443,"direction":"foreign-foreign","rule":"c2","packets":{"client":3,"server":2},"bytes":{"client":300,"server":200},"tcp_flags":{"client":"SA","server":"SA"}%s,"final":true}`+"\n",
			i, first.Format(time.RFC3339Nano), first.Add(time.Second).Format(time.RFC3339Nano), i%250+1, 40000+i, tls)
	}
	sum := sha256.Sum256(b.Bytes())
	if f.tamper {
		sum[0] ^= 0xff
	}
	v := func(p uint64) selection.Volume { return selection.Volume{Packets: p, Bytes: p * 100} }
	dc := selection.DirectionCounters{Seen: v(f.seen), InScope: v(f.seen), Selected: v(f.selected), Deleted: v(f.seen - f.selected)}
	s, _ := json.Marshal(selection.Summary{Type: "summary", Schema: selection.Schema, Criteria: ref, Input: "tap0", Started: f.started, Finished: f.started.Add(time.Hour),
		Directions: map[string]selection.DirectionCounters{"foreign-foreign": dc}, Total: dc, Records: uint64(f.flows),
		OutputBytes: int64(b.Len()), OutputSHA256: hex.EncodeToString(sum[:])})
	b.Write(append(s, '\n'))
	return b.Bytes()
}

// upload stores a run through the service, as the analyst.
func (w *ciWorld) upload(t *testing.T, f runFile) string {
	t.Helper()
	res, err := w.s.srv.Commsinfo.Upload(w.s.ctx, w.analyst, w.approval, bytes.NewReader(w.body(t, f)))
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	return res.RunID
}

// commission signs a commission user in (with the second factor).
func (w *ciWorld) commission(t *testing.T, username string) *client {
	t.Helper()
	c := w.s.client(t)
	c.loginTOTP(username)
	return c
}

// user signs a non-privileged user in.
func (w *ciWorld) user(t *testing.T, username string) *client {
	t.Helper()
	c := w.s.client(t)
	c.login(username)
	return c
}

// countAudit counts the audit-log entries with action.
func (w *ciWorld) countAudit(t *testing.T, action string) int {
	t.Helper()
	es, err := w.s.srv.Log.Entries(w.s.ctx, 0, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Action == action {
			n++
		}
	}
	return n
}

// contains fails t unless the page's text holds each of want.
func contains(t *testing.T, what string, r *response, want ...string) {
	t.Helper()
	for _, x := range want {
		if !strings.Contains(r.text(), x) {
			t.Errorf("%s: page lacks %q", what, x)
		}
	}
}
