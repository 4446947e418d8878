package vendors_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/vuln/vendors"
)

// TestRequestAnswerPublish follows §42 end to end: the vendor registers
// its product, the Cabinet Office sees the vendor concerned and sends a
// request to act (an operator's firewall is affected), the vendor
// answers, the mitigation is published as an advisory, the operator is
// told which computer is affected, and an amended answer publishes a
// correction.
func TestRequestAnswerPublish(t *testing.T) {
	each(t, true, func(t *testing.T, e *env) {
		pr := e.registered(t)
		cs, err := e.svc.Concerned(e.Ctx, e.P("author"), cveID)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 1 || cs[0].OrgID != e.Orgs["ven"].ID || cs[0].Kind != vendors.KindRequest || cs[0].AffectedAssets != 1 ||
			cs[0].AffectedOperators != 1 || len(cs[0].Products) != 1 || cs[0].Products[0].ID != pr.ID {
			t.Fatalf("concerned: got %+v, want the vendor with PAN-OS, a request, 1 asset of 1 operator", cs)
		}

		r, err := e.svc.Send(e.Ctx, e.P("author"), vendors.SendInput{VulnID: strings.ToLower(cveID), OrgID: e.Orgs["ven"].ID,
			Message: "Please confirm the fixed versions and a mitigation."})
		if err != nil {
			t.Fatal(err)
		}
		if r.Kind != vendors.KindRequest || r.LegalBasis != "Act on Active Cyber Defense §42(2)" || r.State != vendors.StateSent ||
			!r.Due.Equal(e.Clock.Now().UTC().Truncate(time.Second).Add(14*24*time.Hour)) || r.DeadlineID == "" {
			t.Fatalf("sent: got kind %s basis %q state %s due %s deadline %q", r.Kind, r.LegalBasis, r.State, r.Due, r.DeadlineID)
		}
		if m, ok := notice(t, e, "vendor", "Request to act: "+cveID); !ok || m.Link != "/vendor/requests/"+r.ID {
			t.Errorf("the vendor got no request notice linking to the request: %+v", m)
		}
		if dl, err := e.Platform.Deadlines.Get(e.Ctx, r.DeadlineID); err != nil || dl.State != deadline.StateOpen || dl.Org != e.Orgs["ven"].ID {
			t.Errorf("deadline: got %+v, %v; want open, the vendor's", dl, err)
		}
		_, err = e.svc.Send(e.Ctx, e.P("reviewer"), vendors.SendInput{VulnID: cveID, OrgID: e.Orgs["ven"].ID, Message: "again"})
		wantRefusal(t, "a second request while one is open", err, vendors.CodeAlreadySent)

		e.Clock.Advance(24 * time.Hour)
		answer := vendors.AnswerInput{Affected: true, Products: []vendors.ProductFix{{ProductID: pr.ID,
			Affected: "vers:generic/>=10.2.0|<10.2.9-h1", Fixed: "10.2.9-h1"}},
			Mitigation:    "Block attacks with Threat ID 95187 until the hotfix is applied.",
			Investigation: "Run: grep pattern failed to unmarshal session in gpsvc.log.",
			AdvisoryURL:   "https://security.paloaltonetworks.com/CVE-2024-3400", Comment: "internal note"}
		r, err = e.svc.Answer(e.Ctx, e.P("vendor"), r.ID, answer)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != vendors.StateAnswered || r.AdvisoryID == "" || r.PublishedOn != "answer" || r.Answer().Late {
			t.Fatalf("answered: got state %s advisory %q on %q late %v", r.State, r.AdvisoryID, r.PublishedOn, r.Answer().Late)
		}
		if dl, _ := e.Platform.Deadlines.Get(e.Ctx, r.DeadlineID); dl.State != deadline.StateMet || dl.Late {
			t.Errorf("deadline after the answer: got %s late %v, want met on time", dl.State, dl.Late)
		}
		alert, err := e.Svc.PublicAlert(e.Ctx, r.AdvisoryID)
		if err != nil {
			t.Fatalf("the mitigation is not a public alert: %v", err)
		}
		v := alert.Technical.Vulnerabilities[0]
		if v.CVE != cveID || len(v.Products) != 1 || v.Products[0].Fixed != "10.2.9-h1" || v.Products[0].SupportEnds != "2027-08-31" ||
			v.Investigation != answer.Investigation || v.CVSS == nil {
			t.Errorf("published vulnerability: got %+v", v)
		}
		var cats []string
		for _, rm := range v.Remediations {
			cats = append(cats, rm.Category)
		}
		if strings.Join(cats, ",") != "vendor_fix,mitigation" {
			t.Errorf("remediations: got %v, want vendor_fix, mitigation", cats)
		}
		if strings.Contains(alert.Executive.Actions+alert.Executive.Background+alert.Technical.Summary, "internal note") {
			t.Errorf("the vendor's comment to the Cabinet Office was published")
		}
		if a, _ := e.Svc.Advisory(e.Ctx, e.P("author"), r.AdvisoryID, 0); a.ReviewerID != e.Users["author"].ID {
			t.Errorf("the advisory's reviewer is %q, want the analyst who sent the request", a.ReviewerID)
		}
		m, ok := notice(t, e, "opr", "Mitigation published: "+cveID)
		if !ok || !strings.Contains(m.Body, "dmz-fw-1") || m.Link != "/alerts/"+r.AdvisoryID {
			t.Errorf("operator notice: got %+v (found %v), want dmz-fw-1 and a link to the alert", m, ok)
		}
		if _, ok := notice(t, e, "opu", "Mitigation published"); ok {
			t.Errorf("an operator with no affected computer was told")
		}
		if m, ok := notice(t, e, "author", "Vendor answer: "+cveID); !ok || !strings.Contains(m.Body, r.AdvisoryID) {
			t.Errorf("the analyst was not told of the answer: %+v", m)
		}

		answer.Products[0].Fixed = "10.2.9-h2"
		r2, err := e.svc.Answer(e.Ctx, e.P("vendor"), r.ID, answer)
		if err != nil {
			t.Fatal(err)
		}
		if r2.AdvisoryID != r.AdvisoryID || len(r2.Answers) != 2 {
			t.Errorf("amended: got advisory %q with %d answers, want %q with 2", r2.AdvisoryID, len(r2.Answers), r.AdvisoryID)
		}
		if alert, _ := e.Svc.PublicAlert(e.Ctx, r.AdvisoryID); alert.Revision != 2 || alert.Supersedes != 1 ||
			alert.Technical.Vulnerabilities[0].Products[0].Fixed != "10.2.9-h2" {
			t.Errorf("correction: got revision %d supersedes %d", alert.Revision, alert.Supersedes)
		}

		// What the vendor and others see.
		if rs, _ := e.svc.Requests(e.Ctx, e.P("vendor"), "", ""); len(rs) != 1 {
			t.Errorf("the vendor lists %d requests, want 1", len(rs))
		}
		for _, who := range []string{"opr", "meti", "police"} {
			if rs, _ := e.svc.Requests(e.Ctx, e.P(who), "", ""); len(rs) != 0 {
				t.Errorf("%s lists %d requests, want none", who, len(rs))
			}
			if _, err := e.svc.Request(e.Ctx, e.P(who), r.ID); !errors.Is(err, svcerr.ErrNotFound) {
				t.Errorf("%s reads the request: %v, want not found", who, err)
			}
		}
		if rep, err := verify(t, e); err != nil {
			t.Errorf("audit log: %v (%+v)", err, rep)
		}
	})
}

// TestRequestLapses lets a request's deadline pass: the sweep publishes
// what the record says, once, and a late answer corrects it.
func TestRequestLapses(t *testing.T) {
	each(t, true, func(t *testing.T, e *env) {
		pr := e.registered(t)
		due := e.Clock.Now().Add(48 * time.Hour)
		r, err := e.svc.Send(e.Ctx, e.P("author"), vendors.SendInput{VulnID: cveID, OrgID: e.Orgs["ven"].ID, Message: "Act.", Due: due,
			TLP: "green"})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := e.svc.Sweep(e.Ctx); err != nil || n != 0 {
			t.Fatalf("sweep before the deadline: %d, %v", n, err)
		}
		e.Clock.Advance(49 * time.Hour)
		if n, err := e.svc.Sweep(e.Ctx); err != nil || n != 1 {
			t.Fatalf("sweep after the deadline: %d, %v; want 1", n, err)
		}
		if n, err := e.svc.Sweep(e.Ctx); err != nil || n != 0 {
			t.Fatalf("second sweep: %d, %v; want 0", n, err)
		}
		r, _ = e.svc.Request(e.Ctx, e.P("author"), r.ID)
		if r.State != vendors.StateLapsed || r.PublishedOn != "deadline" || r.AdvisoryID == "" {
			t.Fatalf("lapsed: got state %s on %q advisory %q", r.State, r.PublishedOn, r.AdvisoryID)
		}
		a, err := e.Svc.Advisory(e.Ctx, e.P("author"), r.AdvisoryID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if a.Marking.Level != "green" || !strings.Contains(a.Executive.Background, "had not answered by the deadline") {
			t.Errorf("lapse advisory: level %s, background %q", a.Marking.Level, a.Executive.Background)
		}
		v := a.Technical.Vulnerabilities[0]
		if len(v.Remediations) != 2 || v.Remediations[0].Category != sharing.RemediationVendorFix ||
			v.Remediations[1].Category != sharing.RemediationWorkaround || !strings.Contains(v.Products[0].Affected, "before 10.2.9-h1") {
			t.Errorf("from the record: remediations %+v, affected %q", v.Remediations, v.Products[0].Affected)
		}
		if m, ok := notice(t, e, "opr", "Mitigation published: "+cveID); !ok || m.Link != "/vulns/affected?vuln="+cveID {
			t.Errorf("operator notice of a GREEN mitigation: %+v (found %v)", m, ok)
		}

		r, err = e.svc.Answer(e.Ctx, e.P("vendor"), r.ID, vendors.AnswerInput{Affected: true,
			Products: []vendors.ProductFix{{ProductID: pr.ID, Affected: "10.2.0 to 10.2.9", Fixed: "10.2.9-h1"}}})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Answer().Late || r.PublishedOn != "answer" || r.State != vendors.StateAnswered {
			t.Errorf("late answer: late %v on %q state %s", r.Answer().Late, r.PublishedOn, r.State)
		}
		if b, _ := e.Svc.Advisory(e.Ctx, e.P("author"), r.AdvisoryID, 0); b.Revision != 2 || b.Supersedes != 1 {
			t.Errorf("late answer: revision %d supersedes %d, want a correction", b.Revision, b.Supersedes)
		}
		if dl, _ := e.Platform.Deadlines.Get(e.Ctx, r.DeadlineID); dl.State != deadline.StateMet || !dl.Late {
			t.Errorf("deadline after a late answer: %s late %v", dl.State, dl.Late)
		}
	})
}

// TestNotice: with no specified critical computer affected, the vendor
// gets a notice without a deadline; "not affected" publishes nothing;
// a closed notice takes no answer.
func TestNotice(t *testing.T) {
	each(t, false, func(t *testing.T, e *env) {
		e.registered(t)
		r, err := e.svc.Send(e.Ctx, e.P("author"), vendors.SendInput{VulnID: cveID, OrgID: e.Orgs["ven"].ID, Message: "For your information.",
			Due: e.Clock.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if r.Kind != vendors.KindNotice || !r.Due.IsZero() || r.DeadlineID != "" || r.LegalBasis != "Act on Active Cyber Defense §42(1)" {
			t.Fatalf("notice: got kind %s due %s deadline %q basis %q", r.Kind, r.Due, r.DeadlineID, r.LegalBasis)
		}
		if _, ok := notice(t, e, "vendor", "Vulnerability notice: "+cveID); !ok {
			t.Errorf("the vendor got no notice")
		}
		e.Clock.Advance(60 * 24 * time.Hour)
		if n, _ := e.svc.Sweep(e.Ctx); n != 0 {
			t.Errorf("a notice lapsed")
		}
		r, err = e.svc.Answer(e.Ctx, e.P("vendor"), r.ID, vendors.AnswerInput{Affected: false})
		if err != nil {
			t.Fatal(err)
		}
		if r.State != vendors.StateAnswered || r.AdvisoryID != "" {
			t.Errorf("not affected: state %s advisory %q", r.State, r.AdvisoryID)
		}
		if _, err := e.svc.Close(e.Ctx, e.P("reviewer"), r.ID, "Vendor not affected."); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Answer(e.Ctx, e.P("vendor"), r.ID, vendors.AnswerInput{Affected: false})
		wantRefusal(t, "answer to a closed notice", err, vendors.CodeClosed)
		_, err = e.svc.Close(e.Ctx, e.P("reviewer"), r.ID, "again")
		wantRefusal(t, "close twice", err, vendors.CodeClosed)
		if m, ok := notice(t, e, "vendor", "Closed: notice on "+cveID); !ok || !strings.Contains(m.Body, "Vendor not affected.") {
			t.Errorf("the vendor was not told of the closing: %+v", m)
		}
	})
}
