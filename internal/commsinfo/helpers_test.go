package commsinfo_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/commsinfo"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/selection"
	"github.com/acd-platform/acd/internal/selection/capgen"
	"github.com/acd-platform/acd/internal/selection/capture"
	"github.com/acd-platform/acd/internal/selection/criteria"
	"github.com/acd-platform/acd/internal/selection/direction"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// t0 is the fake clock's start.
var t0 = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

// critSHA is the criteria hash of the hand-built runs' approvals.
var critSHA = strings.Repeat("ab", 32)

// approvals is an in-memory Approvals.
type approvals struct {
	mu sync.Mutex
	m  map[string]commsinfo.ApprovalInfo
}

func (a *approvals) Approval(_ context.Context, id string) (commsinfo.ApprovalInfo, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	x, ok := a.m[id]
	if !ok {
		return x, fmt.Errorf("approval %q: %w", id, commsinfo.ErrNotFound)
	}
	return x, nil
}

func (a *approvals) set(x commsinfo.ApprovalInfo) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.m[x.ID] = x
}

// orgs is an in-memory Orgs.
type orgs map[string]auth.Org

func (o orgs) Org(_ context.Context, id string) (auth.Org, error) {
	x, ok := o[id]
	if !ok {
		return x, fmt.Errorf("org %q: not found", id)
	}
	return x, nil
}

// cases is a MeasureCases with the active cases as "case/org" keys.
type cases map[string]bool

func (c cases) ActiveCase(_ context.Context, caseID, org string) error {
	if !c[caseID+"/"+org] {
		return fmt.Errorf("case %s is not active for %s", caseID, org)
	}
	return nil
}

// env is a service on a test database with approvals, organisations and
// a principal of each kind.
type env struct {
	ctx   context.Context
	db    *store.DB
	clock *deadline.FakeClock
	log   *auditlog.Log
	apr   *approvals
	svc   *commsinfo.Service

	// Principals: an analyst (NCO), a commission member, the police
	// (NPA officer), a ministry (METI), an operator (Kanto Power, the
	// agreement party), another operator, a sensor of apv_transit.
	analyst, member, police, meti, op, op2, sensor *auth.Principal
}

type envOpts struct {
	measures commsinfo.MeasureCases
	cfg      commsinfo.Config
}

func newEnv(t testing.TB, db *store.DB, o envOpts) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{ctx: ctx, db: db, clock: deadline.NewFakeClock(t0)}
	ring, err := keys.Open(filepath.Join(t.TempDir(), "keys"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if e.log, err = auditlog.New(ctx, db, ring, auditlog.Options{Now: e.clock.Now}); err != nil {
		t.Fatal(err)
	}
	e.apr = &approvals{m: map[string]commsinfo.ApprovalInfo{}}
	e.apr.set(commsinfo.ApprovalInfo{ID: "apv_transit", Basis: "ch4", CriteriaSHA256: critSHA, CriteriaID: "crit", CriteriaVersion: 1,
		Directions: []string{"foreign-foreign"}, ValidFrom: t0.Add(-24 * time.Hour), ValidUntil: t0.Add(30 * 24 * time.Hour)})
	e.apr.set(commsinfo.ApprovalInfo{ID: "apv_inout", Basis: "ch6", CriteriaSHA256: critSHA,
		Directions: []string{"foreign-domestic", "domestic-foreign"}, ValidFrom: t0.Add(-24 * time.Hour), ValidUntil: t0.Add(30 * 24 * time.Hour)})
	e.apr.set(commsinfo.ApprovalInfo{ID: "apv_agr", Basis: "ch3", AgreementID: "agr_1", OperatorOrgID: "org_op", CriteriaSHA256: critSHA,
		Directions: []string{"foreign-domestic"}, ValidFrom: t0.Add(-24 * time.Hour), ValidUntil: t0.Add(30 * 24 * time.Hour), RetainFor: 30 * 24 * time.Hour})
	os := orgs{}
	pr := func(user, org string, kind auth.OrgKind, role auth.Role) *auth.Principal {
		os[org] = auth.Org{ID: org, Name: strings.ToUpper(org), Kind: kind}
		return &auth.Principal{UserID: user, Username: user, OrgID: org, OrgKind: kind, Roles: []auth.Role{role}, Via: auth.ViaToken, MFA: true}
	}
	e.analyst = pr("usr_analyst", "org_nco", auth.OrgCabinetOff, auth.RoleAnalyst)
	e.member = pr("usr_member", "org_comm", auth.OrgCommission, auth.RoleCommissionMember)
	e.police = pr("usr_police", "org_npa", auth.OrgPolice, auth.RoleOfficer)
	e.meti = pr("usr_meti", "org_meti", auth.OrgMinistry, auth.RoleMinistry)
	e.op = pr("usr_op", "org_op", auth.OrgOperator, auth.RoleOperator)
	e.op2 = pr("usr_op2", "org_op2", auth.OrgOperator, auth.RoleOperator)
	e.sensor = &auth.Principal{Sensor: "apv_transit", Via: auth.ViaToken}
	cfg := o.cfg
	cfg.Now = e.clock.Now
	if e.svc, err = commsinfo.New(ctx, commsinfo.Deps{DB: db, Log: e.log, Orgs: os, Approvals: e.apr, MeasureCases: o.measures}, cfg); err != nil {
		t.Fatal(err)
	}
	return e
}

// actions returns the audit-log actions in order.
func (e *env) actions(t testing.TB) []string {
	t.Helper()
	recs, err := e.log.Entries(e.ctx, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.Action)
	}
	return out
}

// countActions counts audit entries with action a.
func (e *env) countActions(t testing.TB, a string) int {
	n := 0
	for _, x := range e.actions(t) {
		if x == a {
			n++
		}
	}
	return n
}

// count returns SELECT COUNT(*) FROM table.
func (e *env) count(t testing.TB, table string) int {
	t.Helper()
	var n int
	if err := e.db.QueryRow(e.ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// runSpec describes a hand-built run.
type runSpec struct {
	approval          string // named in the header's criteria; "" for none
	crit              string // criteria hash; default critSHA
	started, finished time.Time
	seen, selected    uint64 // total packets
	records           []string
}

// flowRec returns a flow record line.
func flowRec(flow int, first time.Time, client, server string, cport, sport int, dir, sni string) string {
	tls := ""
	if sni != "" {
		tls = fmt.Sprintf(`,"app":"tls","tls":{"version":"1.3","sni":%q}`, sni)
	}
	return fmt.Sprintf(`{"type":"flow","flow":%d,"first":%q,"last":%q,"proto":"tcp","client":%q,"server":%q,"client_port":%d,"server_port":%d,"direction":%q,"rule":"r1","packets":{"client":3,"server":2},"bytes":{"client":300,"server":200},"tcp_flags":{"client":"SA","server":"SA"}%s,"final":true}`,
		flow, first.Format(time.RFC3339Nano), first.Add(time.Second).Format(time.RFC3339Nano), client, server, cport, sport, dir, tls)
}

// httpRec returns an http event line of flow.
func httpRec(flow int, at time.Time, host string) string {
	return fmt.Sprintf(`{"type":"http","flow":%d,"time":%q,"method":"GET","path":"/x?id","version":"HTTP/1.1","host":%q,"user_agent":"curl/8"}`,
		flow, at.Format(time.RFC3339Nano), host)
}

// dnsRec returns a dns event line of flow.
func dnsRec(flow int, at time.Time, qname string) string {
	return fmt.Sprintf(`{"type":"dns","flow":%d,"time":%q,"id":7,"response":false,"qname":%q,"qtype":1}`, flow, at.Format(time.RFC3339Nano), qname)
}

// build returns the run's body: header, records, a summary whose hash and
// size are those of what precedes it.
func (r runSpec) build() []byte {
	crit := r.crit
	if crit == "" {
		crit = critSHA
	}
	if r.started.IsZero() {
		r.started = t0
	}
	if r.finished.IsZero() {
		r.finished = r.started.Add(time.Minute)
	}
	ref := selection.CriteriaRef{ID: "crit", Version: 1, Authority: "APR-1", SHA256: crit, Approval: r.approval}
	var b bytes.Buffer
	h, _ := json.Marshal(selection.Header{Type: "run", Schema: selection.Schema, Criteria: ref, Input: "test.pcap", Started: r.started, Workers: 1, PseudonymKey: "k1"})
	b.Write(h)
	b.WriteByte('\n')
	for _, rec := range r.records {
		b.WriteString(rec)
		b.WriteByte('\n')
	}
	sum := sha256.Sum256(b.Bytes())
	dc := selection.DirectionCounters{
		Seen:     selection.Volume{Packets: r.seen, Bytes: r.seen * 100},
		InScope:  selection.Volume{Packets: r.seen, Bytes: r.seen * 100},
		Selected: selection.Volume{Packets: r.selected, Bytes: r.selected * 100},
		Deleted:  selection.Volume{Packets: r.seen - r.selected, Bytes: (r.seen - r.selected) * 100},
	}
	s := selection.Summary{Type: "summary", Schema: selection.Schema, Criteria: ref, Input: "test.pcap", Started: r.started, Finished: r.finished,
		Directions: map[string]selection.DirectionCounters{"foreign-foreign": dc, "foreign-domestic": {}, "domestic-foreign": {}, "domestic-domestic": {}},
		Total:      dc, Records: uint64(len(r.records)), OutputBytes: int64(b.Len()), OutputSHA256: hex.EncodeToString(sum[:])}
	sb, _ := json.Marshal(s)
	b.Write(sb)
	b.WriteByte('\n')
	return b.Bytes()
}

// basicRun is a small run of apv_transit: two flows, an HTTP and a DNS
// event.
func basicRun() runSpec {
	return runSpec{seen: 1000, selected: 10, records: []string{
		httpRec(1, t0.Add(time.Second), "www.Evil.example:8080"),
		flowRec(1, t0, "8.0.0.1", "8.8.1.1", 50000, 80, "foreign-foreign", ""),
		dnsRec(2, t0.Add(3*time.Second), "c2.bad.example."),
		flowRec(2, t0.Add(2*time.Second), "2a00::5", "2a00::53", 40000, 53, "foreign-foreign", ""),
		flowRec(3, t0.Add(4*time.Second), "8.0.0.2", "8.9.9.9", 50001, 443, "foreign-foreign", "login.bad.example"),
	}}
}

// engineRun screens a generated capture with the real engine under a
// criteria set selecting everything and returns the output and the
// criteria hash.
func engineRun(t testing.TB, packets int, approval string) ([]byte, string) {
	t.Helper()
	var pcap bytes.Buffer
	if _, err := capgen.Write(&pcap, capgen.Config{Packets: packets, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	var del bytes.Buffer
	if err := capgen.WriteDelegated(&del); err != nil {
		t.Fatal(err)
	}
	crit := fmt.Appendf(nil, `{"schema":"acd.selection.criteria/v1","id":"test","version":1,"authority":"APR-TEST-1",
"directions":["foreign-foreign","foreign-domestic","domestic-foreign"],"valid_from":"2026-01-01T00:00:00Z","valid_until":"2027-12-31T00:00:00Z",
"rules":[{"id":"all","addresses":["0.0.0.0/0","::/0"]}]}`)
	set, err := criteria.Parse(crit)
	if err != nil {
		t.Fatal(err)
	}
	m, err := criteria.Compile(set)
	if err != nil {
		t.Fatal(err)
	}
	b := direction.NewBuilder()
	if err := b.AddDelegated(&del, "delegated"); err != nil {
		t.Fatal(err)
	}
	ring, err := keys.Open(filepath.Join(t.TempDir(), "pkeys"), nil)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ring.Current(keys.EmailPseudonym)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := selection.New(selection.Config{Criteria: set, Matcher: m, Domestic: b.Build(), PseudonymKey: key, Approval: approval})
	if err != nil {
		t.Fatal(err)
	}
	src, err := capture.NewReader(&pcap)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := eng.Run(context.Background(), src, "gen.pcap", &out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), hex.EncodeToString(set.SHA256[:])
}
