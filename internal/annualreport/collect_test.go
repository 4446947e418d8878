package annualreport_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	ar "github.com/acd-platform/acd/internal/annualreport"
	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/commsinfo"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/inspection"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/selection"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// jstTime is a time in Japan time, as the fixture's story is told.
func jstTime(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.FixedZone("JST", 9*3600)).UTC()
}

// world is every service whose records the annual report counts, on one
// database, with the organisations and people of a year of oversight.
type world struct {
	ctx   context.Context
	clock *deadline.FakeClock
	auth  *auth.Service
	ov    *oversight.Service
	ci    *commsinfo.Service
	in    *inspection.Service
	svc   *ar.Service

	nco, npa, meti, opA auth.Org
	// Principals: an analyst, the chair and two members, the operator's
	// user, a police officer, a ministry user.
	analyst, chair, m1, m2, opUser, officer, ministry *auth.Principal
}

// approvals adapts oversight's approvals to what commsinfo needs, as the
// server does.
type approvals struct{ ov *oversight.Service }

func (a approvals) Approval(ctx context.Context, id string) (commsinfo.ApprovalInfo, error) {
	x, err := a.ov.Approval(ctx, id)
	if err != nil {
		return commsinfo.ApprovalInfo{}, fmt.Errorf("%w: %v", commsinfo.ErrNotFound, err)
	}
	return commsinfo.ApprovalInfo{ID: x.ID, Basis: x.Basis, AgreementID: x.AgreementID, OperatorOrgID: x.OperatorOrgID,
		CriteriaSHA256: x.CriteriaSHA256, CriteriaID: x.CriteriaID, CriteriaVersion: x.CriteriaVersion,
		Directions: x.Directions, ValidFrom: x.ValidFrom, ValidUntil: x.ValidUntil, Revoked: x.State == oversight.ApprovalRevoked}, nil
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{ctx: ctx, clock: deadline.NewFakeClock(jstTime(2025, 12, 31, 23, 30))}
	ring, err := keys.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	log, err := auditlog.New(ctx, db, ring, auditlog.Options{Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if w.auth, err = auth.New(ctx, db, log, auth.Config{Keys: ring, Now: w.clock.Now, Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}}); err != nil {
		t.Fatal(err)
	}
	n, err := deadline.NewNotifier(ctx, db, log, w.clock, nil, deadline.NotifierConfig{})
	if err != nil {
		t.Fatal(err)
	}
	dl, err := deadline.New(ctx, db, log, n, w.clock, nil, deadline.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if w.ov, err = oversight.New(ctx, oversight.Deps{DB: db, Log: log, Auth: w.auth, Deadlines: dl, Notifier: n, Keys: ring}, oversight.Config{Now: w.clock.Now}); err != nil {
		t.Fatal(err)
	}
	if w.ci, err = commsinfo.New(ctx, commsinfo.Deps{DB: db, Log: log, Orgs: w.auth, Approvals: approvals{w.ov}}, commsinfo.Config{Now: w.clock.Now}); err != nil {
		t.Fatal(err)
	}
	// §28's checker belongs to the sharing capability; here every §28
	// provision has its basis.
	if err := w.ci.RegisterBasis(commsinfo.BasisAnalysis, commsinfo.BasisFunc(func(context.Context, *commsinfo.BasisRequest) error { return nil })); err != nil {
		t.Fatal(err)
	}
	if w.in, err = inspection.New(ctx, inspection.Deps{DB: db, Log: log, Auth: w.auth, Policy: auth.NewPolicy(), Deadlines: dl, Notifier: n},
		inspection.Config{Now: w.clock.Now}); err != nil {
		t.Fatal(err)
	}
	src, err := ar.Collect(ar.CollectDeps{Oversight: w.ov, CommsInfo: w.ci, Inspection: w.in, Orgs: w.auth, Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if w.svc, err = ar.New(ctx, ar.Deps{DB: db, Log: log, Source: src}, ar.Config{Now: w.clock.Now}); err != nil {
		t.Fatal(err)
	}
	org := func(n auth.NewOrg) auth.Org {
		o, err := w.auth.CreateOrg(ctx, nil, n)
		if err != nil {
			t.Fatalf("create org %s: %v", n.Name, err)
		}
		return o
	}
	w.nco = org(auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff})
	w.npa = org(auth.NewOrg{Name: "NPA", Kind: auth.OrgPolice, Police: auth.PoliceNational})
	w.meti = org(auth.NewOrg{Name: "METI", Kind: auth.OrgMinistry, Sectors: []string{"electricity"}})
	w.opA = org(auth.NewOrg{Name: "Tokyo Telecom", Kind: auth.OrgOperator, Sectors: []string{"telecommunications"}})
	comm := org(auth.NewOrg{Name: "Commission", Kind: auth.OrgCommission})
	pr := func(id string, o auth.Org, role auth.Role) *auth.Principal {
		return &auth.Principal{UserID: id, Username: id, OrgID: o.ID, OrgKind: o.Kind, Sectors: o.Sectors, Roles: []auth.Role{role}, Via: auth.ViaToken, MFA: true}
	}
	w.analyst = pr("usr_analyst", w.nco, auth.RoleAnalyst)
	w.chair, w.m1, w.m2 = pr("usr_chair", comm, auth.RoleCommissionChair), pr("usr_m1", comm, auth.RoleCommissionMember), pr("usr_m2", comm, auth.RoleCommissionMember)
	w.opUser = pr("usr_op", w.opA, auth.RoleOperator)
	w.officer = pr("usr_officer", w.npa, auth.RoleOfficer)
	w.ministry = pr("usr_meti", w.meti, auth.RoleMinistry)
	return w
}

// at sets the clock.
func (w *world) at(t time.Time) { w.clock.Set(t) }

// critFile is a criteria file selecting dirs from a day after now for 180
// days.
func (w *world) critFile(id string, dirs ...string) string {
	from := w.clock.Now().Add(24 * time.Hour)
	return fmt.Sprintf(`{"schema": "acd.selection.criteria/v1", "id": %q, "version": 1, "authority": "ACQ-TEST", "directions": ["%s"],
  "valid_from": %q, "valid_until": %q,
  "rules": [{"id": "c2", "addresses": ["203.0.113.0/24"], "ports": ["tcp/443"]}, {"id": "web", "addresses": ["198.51.100.0/24"], "ports": ["tcp/80"]}]}`,
		id, strings.Join(dirs, `", "`), from.Format(time.RFC3339), from.Add(180*24*time.Hour).Format(time.RFC3339))
}

// file files a request of chapter over dirs as the analyst.
func (w *world) file(t *testing.T, ch oversight.Chapter, dirs ...string) oversight.Acquisition {
	t.Helper()
	in := oversight.AcquisitionInput{Chapter: ch, Suspicion: "C2 traffic of a campaign against utilities.",
		OtherMeans: "The servers are abroad and their operators do not cooperate.", Directions: dirs,
		Criteria: w.critFile(fmt.Sprintf("crit-%d", w.clock.Now().Unix()), dirs...)}
	if ch == oversight.ChapterTransit {
		in.Target = oversight.Target{Facilities: []string{"Pacific cable landing station 2"}}
	} else {
		in.Target = oversight.Target{Addresses: []string{"203.0.113.0/24"}}
	}
	a, err := w.ov.FileAcquisition(w.ctx, w.analyst, in)
	if err != nil {
		t.Fatalf("file: %v", err)
	}
	return a
}

// decide moves a motion on id after d, as the chair, votes it through
// with two members and closes it; it returns the request as decided.
func (w *world) decide(t *testing.T, id string, d time.Duration, in oversight.MotionInput) oversight.Acquisition {
	t.Helper()
	w.at(w.clock.Now().Add(d))
	m, err := w.ov.MoveMotion(w.ctx, w.chair, id, in)
	if err != nil {
		t.Fatalf("move: %v", err)
	}
	for _, p := range []*auth.Principal{w.chair, w.m1, w.m2} {
		if _, err := w.ov.CastVote(w.ctx, p, m.ID, oversight.VoteInput{Vote: oversight.VoteYes, Reasons: "agreed"}); err != nil {
			t.Fatalf("vote: %v", err)
		}
	}
	if _, err := w.ov.CloseMotion(w.ctx, w.chair, m.ID); err != nil {
		t.Fatalf("close: %v", err)
	}
	a, err := w.ov.Acquisition(w.ctx, w.chair, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// upload uploads, as the analyst, a run under approval started at
// started, with the given packet counters by direction and n flow records
// of dir.
func (w *world) upload(t *testing.T, approval string, started time.Time, dir string, n int, counters map[string]selection.DirectionCounters) {
	t.Helper()
	apv, err := w.ov.Approval(w.ctx, approval)
	if err != nil {
		t.Fatal(err)
	}
	ref := selection.CriteriaRef{ID: apv.CriteriaID, Version: apv.CriteriaVersion, Authority: "ACQ-TEST", SHA256: apv.CriteriaSHA256, Approval: approval}
	var b bytes.Buffer
	h, _ := json.Marshal(selection.Header{Type: "run", Schema: selection.Schema, Criteria: ref, Input: "tap0", Started: started, Workers: 1, PseudonymKey: "k1"})
	b.Write(append(h, '\n'))
	for i := 1; i <= n; i++ {
		first := started.Add(time.Duration(i) * time.Second)
		fmt.Fprintf(&b, `{"type":"flow","flow":%d,"first":%q,"last":%q,"proto":"tcp","client":"203.0.113.%d","server":"198.51.100.7","client_port":%d,"server_port":443,"direction":%q,"rule":"c2","packets":{"client":3,"server":2},"bytes":{"client":300,"server":200},"tcp_flags":{"client":"SA","server":"SA"},"final":true}`+"\n",
			i, first.Format(time.RFC3339Nano), first.Add(time.Second).Format(time.RFC3339Nano), i, 40000+i, dir)
	}
	sum := sha256.Sum256(b.Bytes())
	var total selection.DirectionCounters
	for _, c := range counters {
		total.Seen.Packets += c.Seen.Packets
		total.InScope.Packets += c.InScope.Packets
		total.Selected.Packets += c.Selected.Packets
		total.Deleted.Packets += c.Deleted.Packets
	}
	s, _ := json.Marshal(selection.Summary{Type: "summary", Schema: selection.Schema, Criteria: ref, Input: "tap0", Started: started, Finished: started.Add(time.Hour),
		Directions: counters, Total: total, Records: uint64(n), OutputBytes: int64(b.Len()), OutputSHA256: hex.EncodeToString(sum[:])})
	b.Write(append(s, '\n'))
	res, err := w.ci.Upload(w.ctx, w.analyst, approval, &b)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if !res.HashOK || res.Records != int64(n) {
		t.Fatalf("upload: %+v", res)
	}
}

func counters(seen, inScope, selected, deleted uint64) selection.DirectionCounters {
	v := func(p uint64) selection.Volume { return selection.Volume{Packets: p, Bytes: p * 100} }
	return selection.DirectionCounters{Seen: v(seen), InScope: v(inScope), Selected: v(selected), Deleted: v(deleted)}
}

// TestFixtureYear builds a year of oversight through the real services —
// requests filed, approved, narrowed, refused, withdrawn; an agreement;
// selection runs; provisions; inspections, recommendations and handling
// errors — with some activity just outside the year, and checks that the
// annual report's figures are the counts built, and that its PDF prints
// them.
func TestFixtureYear(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ch4, ch6 := oversight.ChapterTransit, oversight.ChapterForeign
		const in, out, tr = "foreign-domestic", "domestic-foreign", "foreign-foreign"

		// 31 December 2025, 23:30 JST: a request of the year before.
		w.file(t, ch4, tr)

		// The year's requests and the commission's decisions.
		w.at(jstTime(2026, 1, 10, 9, 0))
		a1 := w.decide(t, w.file(t, ch4, tr).ID, 24*time.Hour, oversight.MotionInput{Kind: oversight.MotionApprove})
		w.at(jstTime(2026, 2, 1, 9, 0))
		a2 := w.decide(t, w.file(t, ch4, tr).ID, 48*time.Hour, oversight.MotionInput{Kind: oversight.MotionRefuse, Reasons: []oversight.Reason{
			{Category: oversight.ReasonNecessity, Text: "Other means were not tried."},
			{Category: oversight.ReasonScope, Text: "The facility list is too wide."}}})
		w.at(jstTime(2026, 3, 1, 9, 0))
		w.file(t, ch4, tr) // pending
		w.at(jstTime(2026, 3, 10, 9, 0))
		b1 := w.decide(t, w.file(t, ch6, in, out).ID, 72*time.Hour, oversight.MotionInput{Kind: oversight.MotionApproveNarrowed,
			Narrowing: &oversight.Narrowing{RemoveDirections: []string{out}}})
		w.at(jstTime(2026, 4, 1, 9, 0))
		b2 := w.file(t, ch6, in)
		if _, err := w.ov.WithdrawAcquisition(w.ctx, w.analyst, b2.ID, "The campaign ended."); err != nil {
			t.Fatal(err)
		}
		w.at(jstTime(2026, 4, 10, 9, 0))
		b3 := w.decide(t, w.file(t, ch6, out).ID, 12*time.Hour, oversight.MotionInput{Kind: oversight.MotionRefuse, Reasons: []oversight.Reason{
			{Category: oversight.ReasonQuality, Text: "The suspicion is not explained."}}})
		if a1.State != oversight.AcquisitionApproved || a2.State != oversight.AcquisitionRefused || b1.Decision.Kind != oversight.MotionApproveNarrowed || b3.State != oversight.AcquisitionRefused {
			t.Fatalf("decisions: %s %s %+v %s", a1.State, a2.State, b1.Decision, b3.State)
		}

		// An agreement with the operator, signed by both sides.
		w.at(jstTime(2026, 5, 1, 9, 0))
		agr, err := w.ov.CreateAgreement(w.ctx, w.analyst, oversight.AgreementInput{OperatorOrgID: w.opA.ID,
			AgreementTerms: oversight.AgreementTerms{Title: "Inbound analysis", Facilities: []string{"Tokyo IX link 3"},
				Directions: []string{in}, RetentionDays: 365, Results: "Indicators of attacks on customers."},
			Criteria: w.critFile("crit-agr", in)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.ov.SignAgreement(w.ctx, w.analyst, agr.ID, agr.Revision); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ov.SignAgreement(w.ctx, w.opUser, agr.ID, agr.Revision); err != nil {
			t.Fatal(err)
		}

		// Selection runs: one in February under the ch.4 approval, one
		// that starts at 00:30 JST on 1 June (still 31 May in UTC) under
		// the narrowed ch.6 approval.
		w.at(jstTime(2026, 6, 2, 9, 0))
		w.upload(t, a1.Decision.ApprovalID, jstTime(2026, 2, 15, 10, 0), tr, 2, map[string]selection.DirectionCounters{
			tr: counters(1000, 1000, 10, 990), "domestic-domestic": counters(50, 0, 0, 50)})
		w.upload(t, b1.Decision.ApprovalID, jstTime(2026, 6, 1, 0, 30), in, 1, map[string]selection.DirectionCounters{
			in: counters(500, 400, 5, 495)})

		// Provisions: the ch.4 run's records to the police under §28, and
		// an attempt under §39, which has no checker, refused.
		if _, err := w.ci.Provide(w.ctx, w.analyst, commsinfo.ProvisionRequest{RecipientOrgID: w.npa.ID, RecipientKind: commsinfo.RecipientAgency,
			Basis: commsinfo.BasisAnalysis, Purpose: "Blocking the C2 servers.", Query: &commsinfo.RecordQuery{Approval: a1.Decision.ApprovalID}}); err != nil {
			t.Fatalf("provide: %v", err)
		}
		if _, err := w.ci.Provide(w.ctx, w.analyst, commsinfo.ProvisionRequest{RecipientKind: commsinfo.RecipientForeignGovernment, RecipientName: "CERT-X",
			Basis: commsinfo.BasisForeign, Purpose: "Joint analysis.", Query: &commsinfo.RecordQuery{Approval: a1.Decision.ApprovalID}}); err == nil {
			t.Fatal("a provision without a checker of its basis was made")
		}

		// Inspections, recommendations and handling errors.
		w.at(jstTime(2026, 7, 1, 9, 0))
		insp1, err := w.in.OpenInspection(w.ctx, w.chair, inspection.NewInspection{Subjects: []string{w.nco.ID}, Scope: "Provisions in the first half."})
		if err != nil {
			t.Fatal(err)
		}
		insp2, err := w.in.OpenInspection(w.ctx, w.chair, inspection.NewInspection{Subjects: []string{w.npa.ID}, Scope: "Use of provided records."})
		if err != nil {
			t.Fatal(err)
		}
		for i, id := range []string{insp1.ID, insp1.ID, insp2.ID} {
			if _, err := w.in.AddFinding(w.ctx, w.chair, id, fmt.Sprintf("Finding %d.", i)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.in.CloseInspection(w.ctx, w.chair, insp1.ID, "Done."); err != nil {
			t.Fatal(err)
		}
		recommend := func(org auth.Org, rating inspection.Rating, text string) inspection.Recommendation {
			r, err := w.in.IssueRecommendation(w.ctx, w.chair, inspection.NewRecommendation{OrgID: org.ID, Text: text, Rating: rating, Due: w.clock.Now().Add(30 * 24 * time.Hour)})
			if err != nil {
				t.Fatalf("recommend: %v", err)
			}
			return r
		}
		rRed := recommend(w.npa, inspection.RatingRed, "Delete provided records after use.")
		rAmber := recommend(w.nco, inspection.RatingAmber, "Record the legal basis of every provision.")
		recommend(w.meti, inspection.RatingGreen, "Train staff on §23.")
		rWithdrawn := recommend(w.nco, inspection.RatingAmber, "Issued in error.")
		if _, err := w.in.WithdrawRecommendation(w.ctx, w.chair, rWithdrawn.ID, "Issued in error."); err != nil {
			t.Fatal(err)
		}
		w.at(jstTime(2026, 7, 10, 9, 0))
		if _, err := w.in.AnswerRecommendation(w.ctx, w.officer, rRed.ID, "Done."); err != nil {
			t.Fatal(err)
		}
		if _, err := w.in.AnswerRecommendation(w.ctx, w.analyst, rAmber.ID, "Under way."); err != nil {
			t.Fatal(err)
		}
		if _, err := w.in.AssessRecommendation(w.ctx, w.chair, rRed.ID, inspection.Assessment{Implementation: inspection.Implemented}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.in.AssessRecommendation(w.ctx, w.chair, rAmber.ID, inspection.Assessment{Implementation: inspection.Partial}); err != nil {
			t.Fatal(err)
		}
		e1, err := w.in.ReportHandlingError(w.ctx, w.analyst, inspection.NewHandlingError{Category: inspection.LateDeletion, Severity: inspection.SeverityHigh,
			Description: "Records kept a week past their deletion.", OccurredAt: w.clock.Now().Add(-48 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		e2, err := w.in.ReportHandlingError(w.ctx, w.officer, inspection.NewHandlingError{Category: inspection.OtherError, Severity: inspection.SeverityLow,
			Description: "A provision was logged late.", OccurredAt: w.clock.Now().Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.in.ClassifyHandlingError(w.ctx, w.chair, e1.ID, inspection.Classification{Serious: true, Reasons: "Personal data kept.",
			AffectedTold: inspection.ToldYes, AffectedToldAt: w.clock.Now()}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.in.ClassifyHandlingError(w.ctx, w.chair, e2.ID, inspection.Classification{Reasons: "No data reached anyone.", AffectedTold: inspection.ToldNotApplicable}); err != nil {
			t.Fatal(err)
		}

		// 1 January 2027, 00:30 JST: a request of the year after.
		w.at(jstTime(2027, 1, 1, 0, 30))
		w.file(t, ch6, in)
		w.at(jstTime(2027, 1, 15, 9, 0))

		got, err := w.svc.Figures(w.ctx, w.m1, 2026)
		if err != nil {
			t.Fatal(err)
		}
		from, to := ar.YearBounds(2026)
		sc := func(seen, inScope, selected, deleted int64) ar.SelectionCounts {
			return ar.SelectionCounts{Seen: seen, InScope: inScope, Selected: selected, Deleted: deleted}
		}
		months := make([]ar.MonthSelection, 12)
		for i := range months {
			months[i].Month = i + 1
		}
		months[1].SelectionCounts = sc(1050, 1000, 10, 1040)
		months[5].SelectionCounts = sc(500, 400, 5, 495)
		want := ar.Figures{
			Year: 2026, From: from, To: to, GeneratedAt: w.clock.Now(),
			Requests: []ar.ChapterRequests{
				{Chapter: ar.ChapterTransit, Total: ar.RequestCounts{Filed: 3, Approved: 1, Refused: 1, Pending: 1}},
				{Chapter: ar.ChapterForeign, Total: ar.RequestCounts{Filed: 3, ApprovedModified: 1, Refused: 1, Withdrawn: 1}, Directions: []ar.DirectionRequests{
					{Direction: in, RequestCounts: ar.RequestCounts{Filed: 2, ApprovedModified: 1, Withdrawn: 1}},
					{Direction: out, RequestCounts: ar.RequestCounts{Filed: 2, ApprovedModified: 1, Refused: 1}},
				}},
			},
			// Decided after 24, 48, 72 and 12 hours: the median is 36.
			Decided: 4, MedianDecisionSeconds: 36 * 3600,
			RefusalReasons: []ar.Count{{Key: ar.ReasonNecessity, N: 1}, {Key: ar.ReasonQuality, N: 1}, {Key: ar.ReasonScope, N: 1}},
			RefusalNotes: []ar.RefusalNote{
				{RequestID: a2.ID, Chapter: "ch4", Category: ar.ReasonNecessity, Reason: "Other means were not tried.", DecidedAt: a2.Decision.DecidedAt},
				{RequestID: a2.ID, Chapter: "ch4", Category: ar.ReasonScope, Reason: "The facility list is too wide.", DecidedAt: a2.Decision.DecidedAt},
				{RequestID: b3.ID, Chapter: "ch6", Category: ar.ReasonQuality, Reason: "The suspicion is not explained.", DecidedAt: b3.Decision.DecidedAt},
			},
			Agreements: ar.Agreements{Concluded: 1, InForce: 1},
			Selection: ar.Selection{
				Runs: 2, Records: 3,
				Total: sc(1550, 1400, 15, 1535),
				Directions: []ar.DirectionSelection{
					{Direction: tr, SelectionCounts: sc(1000, 1000, 10, 990)},
					{Direction: in, SelectionCounts: sc(500, 400, 5, 495)},
					{Direction: out},
					{Direction: "domestic-domestic", SelectionCounts: sc(50, 0, 0, 50)},
				},
				Months: months,
			},
			Provisions: ar.Provisions{Total: 1, Records: 2, Refused: 1,
				ByRecipientKind: []ar.Count{{Key: commsinfo.RecipientAgency, N: 1}},
				ByLegalBasis:    []ar.Count{{Key: commsinfo.BasisAnalysis, N: 1}}},
			Inspections: ar.Inspections{Opened: 2, Closed: 1, OpenAtEnd: 1, Findings: 3},
			Recommendations: ar.Recommendations{Issued: 4, Withdrawn: 1,
				ByRating: []ar.RatingRow{{Rating: ar.RatingRed, Implemented: 1}, {Rating: ar.RatingAmber, Partial: 1}, {Rating: ar.RatingGreen, NotAssessed: 1}},
				// METI's answer was due in August: overdue now.
				AnsweredOnTime: 2, Unanswered: 1, Overdue: 1},
			Errors: ar.HandlingErrors{Reported: 2, Classified: 2, Serious: 1, SeriousTold: 1,
				ByCategory: []ar.Count{{Key: ar.ErrorOutOfScope}, {Key: ar.ErrorBeyondBasis}, {Key: ar.ErrorLateDeletion, N: 1}, {Key: ar.ErrorOtherCategory, N: 1}}},
		}
		opts := cmp.Options{
			cmpopts.IgnoreFields(ar.Selection{}, "Anomalies"),
			cmpopts.IgnoreFields(ar.Recommendations{}, "Items"),
			cmpopts.IgnoreFields(ar.HandlingErrors{}, "Items"),
			cmpopts.EquateEmpty(),
		}
		if d := cmp.Diff(want, got, opts); d != "" {
			t.Errorf("figures (-want +got):\n%s", d)
		}

		// The detail the full report lists.
		var recs []string
		for _, r := range got.Recommendations.Items {
			recs = append(recs, fmt.Sprintf("%s/%s/%s/%v", r.Addressee, r.Rating, r.Implementation, r.Withdrawn))
		}
		slices.Sort(recs)
		if d := cmp.Diff([]string{"METI/green//false", "NCO/amber//true", "NCO/amber/partial/false", "NPA/red/implemented/false"}, recs); d != "" {
			t.Errorf("recommendations (-want +got):\n%s", d)
		}
		var errs []string
		for _, e := range got.Errors.Items {
			errs = append(errs, fmt.Sprintf("%s/%s/%s/%v/%s", e.Agency, e.Category, e.Severity, e.Serious, e.Summary))
		}
		slices.Sort(errs)
		if d := cmp.Diff([]string{"NCO/late_deletion/high/true/Records kept a week past their deletion.", "NPA/other/low/false/A provision was logged late."}, errs); d != "" {
			t.Errorf("handling errors (-want +got):\n%s", d)
		}

		// The year before and the year after hold one request each.
		for _, y := range []int{2025, 2027} {
			f, err := w.svc.Figures(w.ctx, w.m1, y)
			if err != nil {
				t.Fatal(err)
			}
			if n := f.Requests[0].Total.Filed + f.Requests[1].Total.Filed; n != 1 {
				t.Errorf("%d: got %d requests, want 1", y, n)
			}
		}

		if db.Dialect() != store.SQLite {
			return // the PDF is the same whatever the database
		}
		t.Run("pdf", func(t *testing.T) {
			needPDFTools(t)
			pdf, err := w.svc.PDF(w.ctx, w.m1, 2026, ar.Options{Lang: ar.Japanese, Variant: ar.VariantFull})
			if err != nil {
				t.Fatal(err)
			}
			pages, text := pdfText(t, pdf)
			if pages < 1 {
				t.Errorf("got %d pages", pages)
			}
			flat := strings.Join(strings.Fields(text), "")
			for _, s := range []string{"2026年年次報告", "サイバー通信情報監理委員会", "1,550", "1,535", "36.0時間", "NCO", "Recordskept"} {
				if !strings.Contains(flat, s) {
					t.Errorf("PDF text lacks %q", s)
				}
			}
		})
	})
}

// measureFigures is a MeasuresSource that remembers the bounds it was
// asked for.
type measureFigures struct {
	m        ar.Measures
	err      error
	from, to time.Time
}

func (s *measureFigures) MeasureFigures(_ context.Context, from, to time.Time) (ar.Measures, error) {
	s.from, s.to = from, to
	return s.m, s.err
}

// TestCollectMeasures: with a measures source the figures are its counts
// over the year's bounds and in operation; its failure fails the report.
func TestCollectMeasures(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	src := &measureFigures{m: ar.Measures{PriorApproved: 2, Emergency: 1, PostNoticesLate: 1, CasesPolice: 3, OrdersIssued: 4}}
	collect, err := ar.Collect(ar.CollectDeps{Oversight: w.ov, CommsInfo: w.ci, Inspection: w.in, Measures: src, Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	f, err := collect.Figures(w.ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	want := src.m
	want.InOperation = true
	if diff := cmp.Diff(want, f.Measures); diff != "" {
		t.Errorf("measures (-want +got):\n%s", diff)
	}
	from, to := ar.YearBounds(2026)
	if !src.from.Equal(from) || !src.to.Equal(to) {
		t.Errorf("asked for %s–%s, want the year's bounds %s–%s", src.from, src.to, from, to)
	}
	src.err = fmt.Errorf("database gone")
	if _, err := collect.Figures(w.ctx, 2026); err == nil || !strings.Contains(err.Error(), "count measures: database gone") {
		t.Errorf("got %v, want the source's error", err)
	}
	// Without a source the year says measures are not in operation.
	collect, _ = ar.Collect(ar.CollectDeps{Oversight: w.ov, CommsInfo: w.ci, Inspection: w.in, Now: w.clock.Now})
	if f, err := collect.Figures(w.ctx, 2026); err != nil || f.Measures.InOperation {
		t.Errorf("no source: got %+v, %v; want not in operation", f.Measures, err)
	}
}
