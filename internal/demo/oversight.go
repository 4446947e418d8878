package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/inspection"
	"github.com/acd-platform/acd/internal/oversight"
)

// LoadOversight gives the demo commission something to decide and inspect,
// unless the database has acquisition requests already: a ch6 request
// waiting in the commission's queue, a ch4 request the commission approved
// (so its manifest and criteria file can be downloaded and `acd select`
// run on them), a draft agreement with Kanto Electric, and an open
// inspection with a recommendation to the Cabinet Office. Like Load, it is
// idempotent.
func LoadOversight(ctx context.Context, svc *auth.Service, ov *oversight.Service, ins *inspection.Service, now time.Time) error {
	as := func(username string) (*auth.Principal, error) { return principal(ctx, svc, username) }
	analyst, err := as("analyst")
	if err != nil {
		return err
	}
	have, err := ov.Acquisitions(ctx, analyst, oversight.AcquisitionFilter{})
	if err != nil || len(have) > 0 {
		return err
	}
	var chair, m1, m2 *auth.Principal
	for _, x := range []struct {
		p    **auth.Principal
		name string
	}{{&chair, "chair"}, {&m1, "member1"}, {&m2, "member2"}} {
		if *x.p, err = as(x.name); err != nil {
			return err
		}
	}
	window := func(days int) (string, string) {
		from := now.UTC().Truncate(time.Hour)
		return from.Format(time.RFC3339), from.AddDate(0, 0, days).Format(time.RFC3339)
	}

	from, until := window(30)
	_, err = ov.FileAcquisition(ctx, analyst, oversight.AcquisitionInput{Chapter: oversight.ChapterForeign,
		Target:     oversight.Target{Addresses: []string{"203.0.113.0/24", "198.51.100.23"}, ASNs: []uint32{64500}},
		Suspicion:  "Command-and-control servers of a campaign against electricity and gas operators (demo data).",
		OtherMeans: "The servers are abroad, their hosting providers do not answer, and operators' own logs show only the last hop.",
		Directions: []string{"foreign-domestic", "domestic-foreign"},
		Criteria: fmt.Sprintf(`{"schema":"acd.selection.criteria/v1","id":"demo-c2-campaign","version":1,"authority":"demo request",
  "directions":["foreign-domestic","domestic-foreign"],"valid_from":%q,"valid_until":%q,
  "rules":[{"id":"c2","addresses":["203.0.113.0/24","198.51.100.23/32"],"ports":["tcp/443","tcp/8443"]},
           {"id":"dns","domains":{"suffix":["update-check.example"]}}]}
`, from, until)})
	if err != nil {
		return fmt.Errorf("demo ch6 request: %w", err)
	}

	from, until = window(14)
	req, err := ov.FileAcquisition(ctx, analyst, oversight.AcquisitionInput{Chapter: oversight.ChapterTransit,
		Target:     oversight.Target{Facilities: []string{"Trans-Pacific cable landing station, Chiba (demo)"}},
		Suspicion:  "Botnet traffic relayed through Japan between foreign hosts (demo data).",
		OtherMeans: "No operator in Japan is party to the traffic; only the transit link sees it.",
		Directions: []string{"foreign-foreign"},
		Criteria: fmt.Sprintf(`{"schema":"acd.selection.criteria/v1","id":"demo-transit-botnet","version":1,"authority":"demo request",
  "directions":["foreign-foreign"],"valid_from":%q,"valid_until":%q,
  "rules":[{"id":"botnet","addresses":["192.0.2.0/24"],"ports":["tcp/23","tcp/2323"]}]}
`, from, until)})
	if err != nil {
		return fmt.Errorf("demo ch4 request: %w", err)
	}
	mo, err := ov.MoveMotion(ctx, m1, req.ID, oversight.MotionInput{Kind: oversight.MotionApprove, Statement: "The suspicion is specific and other means are exhausted."})
	if err != nil {
		return fmt.Errorf("demo motion: %w", err)
	}
	for _, p := range []*auth.Principal{chair, m1, m2} {
		if _, err := ov.CastVote(ctx, p, mo.ID, oversight.VoteInput{Vote: oversight.VoteYes, Reasons: "Necessary and proportionate (demo)."}); err != nil {
			return fmt.Errorf("demo vote: %w", err)
		}
	}
	if _, err := ov.CloseMotion(ctx, chair, mo.ID); err != nil {
		return fmt.Errorf("demo decision: %w", err)
	}

	op, err := as("operator")
	if err != nil {
		return err
	}
	from, until = window(365)
	if _, err := ov.CreateAgreement(ctx, analyst, oversight.AgreementInput{OperatorOrgID: op.OrgID,
		AgreementTerms: oversight.AgreementTerms{Title: "Inbound traffic of the Kanto Electric head office link (demo)",
			Facilities: []string{"Head office Internet link"}, Directions: []string{"foreign-domestic"}, RetentionDays: 180,
			Results: "Indicators and assessments about attacks on Kanto Electric's systems."},
		Criteria: fmt.Sprintf(`{"schema":"acd.selection.criteria/v1","id":"demo-agreement-kanto","version":1,"authority":"demo agreement",
  "directions":["foreign-domestic"],"valid_from":%q,"valid_until":%q,
  "rules":[{"id":"vpn","addresses":["0.0.0.0/0"],"ports":["tcp/443","udp/500","udp/4500"]}]}
`, from, until)}); err != nil {
		return fmt.Errorf("demo agreement: %w", err)
	}

	insp, err := ins.OpenInspection(ctx, chair, inspection.NewInspection{Subjects: []string{analyst.OrgID},
		Scope: "Handling of records selected under the transit approval: retention, searches and provisions (demo)."})
	if err != nil {
		return fmt.Errorf("demo inspection: %w", err)
	}
	_, err = ins.IssueRecommendation(ctx, chair, inspection.NewRecommendation{InspectionID: insp.ID, OrgID: analyst.OrgID,
		Text:   "Record the purpose of every search of selected records in the search form (demo).",
		Rating: inspection.RatingAmber, Due: now.AddDate(0, 0, 30).UTC()})
	if err != nil {
		return fmt.Errorf("demo recommendation: %w", err)
	}
	return nil
}

// principal is demo user username acting through the loader, as if logged
// in with a second factor.
func principal(ctx context.Context, svc *auth.Service, username string) (*auth.Principal, error) {
	u, err := svc.UserByUsername(ctx, username)
	if err != nil {
		return nil, fmt.Errorf("demo user %s: %w", username, err)
	}
	org, err := svc.Org(ctx, u.OrgID)
	if err != nil {
		return nil, err
	}
	return &auth.Principal{UserID: u.ID, Username: u.Username, OrgID: org.ID, OrgKind: org.Kind, Sectors: org.Sectors,
		Police: org.Police, Roles: u.Roles, MFA: true, Via: auth.ViaCLI}, nil
}
