package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/demo"
	"github.com/acd-platform/acd/internal/inspection"
	"github.com/acd-platform/acd/internal/manifest"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/selection/criteria"
)

func TestLoadOversight(t *testing.T) {
	ctx := context.Background()
	s := demoServer(t, nil)
	now := time.Now()
	for range 2 { // the second load adds nothing
		if err := demo.LoadOversight(ctx, s.Auth, s.Oversight, s.Inspection, now); err != nil {
			t.Fatal(err)
		}
	}
	chair := &auth.Principal{UserID: "cli:test", Roles: []auth.Role{auth.RoleCommissionChair}, MFA: true, Via: auth.ViaCLI}
	reqs, err := s.Oversight.Acquisitions(ctx, chair, oversight.AcquisitionFilter{})
	if err != nil || len(reqs) != 2 {
		t.Fatalf("requests: %d, %v; want 2", len(reqs), err)
	}
	queue, err := s.Oversight.Queue(ctx, chair)
	if err != nil || len(queue) != 1 {
		t.Fatalf("queue: %d, %v; want the ch6 request waiting", len(queue), err)
	}
	apvs, err := s.Oversight.Approvals(ctx, oversight.ApprovalFilter{State: oversight.ApprovalActive})
	if err != nil || len(apvs) != 1 || apvs[0].Basis != manifest.BasisTransit {
		t.Fatalf("active approvals: %+v, %v; want the ch4 one", apvs, err)
	}
	// The demo approval is one `acd select` accepts.
	m, _, err := s.Oversight.Manifest(ctx, apvs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	crit, _, err := s.Oversight.ApprovalCriteria(ctx, apvs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	rl, err := s.Oversight.Revocations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pm, _ := manifest.Parse(m)
	prl, _ := manifest.ParseRevocations(rl)
	set, err := criteria.Parse(crit)
	if err != nil {
		t.Fatal(err)
	}
	if err := manifest.Check(manifest.Checks{Keys: s.Oversight.ManifestKeys(), Manifest: pm, Revocations: prl,
		Criteria: crit, Set: set, Now: now.Add(time.Hour)}); err != nil {
		t.Errorf("demo approval refused by the engine's check: %v", err)
	}
	recs, err := s.Inspection.Recommendations(ctx, chair, inspection.RecommendationFilter{})
	if err != nil || len(recs) != 1 {
		t.Errorf("recommendations: %d, %v; want 1", len(recs), err)
	}
}
