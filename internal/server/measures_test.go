package server_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/commsinfo"
	"github.com/acd-platform/acd/internal/demo"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/server"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// TestMeasureProvision: analysts provide a finding to the officer's agency
// on the §23 basis of a measure case that is under way, and are refused for
// an agency not acting in the case and for a case withdrawn — the measures
// service answers commsinfo's question through the server's wiring.
func TestMeasureProvision(t *testing.T) {
	ctx := context.Background()
	ring, err := keys.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(ctx, server.Config{DB: storetest.SQLite(t), Keys: ring, Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1},
		BlocklistAllowDocumentation: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, s.Auth, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := demo.LoadReporting(ctx, s.Auth, s.Reporting, now); err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadMeasures(ctx, s.Auth, s.Measures, s.Blocklist, now); err != nil {
		t.Fatal(err)
	}
	as := func(username string) *auth.Principal {
		u, err := s.Auth.UserByUsername(ctx, username)
		if err != nil {
			t.Fatal(err)
		}
		org, err := s.Auth.Org(ctx, u.OrgID)
		if err != nil {
			t.Fatal(err)
		}
		return &auth.Principal{UserID: u.ID, Username: u.Username, OrgID: org.ID, OrgKind: org.Kind, Police: org.Police, Roles: u.Roles, MFA: true, Via: auth.ViaToken}
	}
	analyst, npa, pref := as("analyst"), as("officer-npa"), as("officer-pref")
	reports, err := s.Reporting.Reports(ctx, analyst, reporting.ReportFilter{})
	if err != nil || len(reports) == 0 {
		t.Fatalf("demo reports: %d, %v", len(reports), err)
	}
	f, err := s.Commsinfo.CreateFinding(ctx, analyst, commsinfo.FindingInput{Title: "C2 server behind the electricity intrusions",
		Assessment: "The beacons in the report go to the server of the demo case.",
		Sources:    []commsinfo.FindingSource{{Kind: commsinfo.SourceReport, ReportID: reports[0].ID}}})
	if err != nil {
		t.Fatal(err)
	}
	cases, err := s.Measures.Cases(ctx, analyst, measures.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var executing, queued measures.Case
	for _, c := range cases {
		switch {
		case c.State == measures.StateExecuting:
			executing = c
		case c.OfficerOrgID == pref.OrgID:
			queued = c
		}
	}
	if executing.ID == "" || queued.ID == "" || executing.OfficerOrgID != npa.OrgID {
		t.Fatalf("demo cases: want an NPA case under way and a Tokyo MPD case, got %+v", cases)
	}
	provide := func(caseID, orgID string) error {
		_, err := s.Commsinfo.Provide(ctx, analyst, commsinfo.ProvisionRequest{RecipientOrgID: orgID, RecipientKind: commsinfo.RecipientAgencyMeasure,
			Basis: commsinfo.BasisMeasure, Reference: caseID, Purpose: "take the measure", FindingIDs: []string{f.ID}})
		return err
	}
	if err := provide(executing.ID, npa.OrgID); err != nil {
		t.Errorf("provision to the NPA for its case: %v", err)
	}
	if err := provide(executing.ID, pref.OrgID); !errors.Is(err, commsinfo.ErrRefused) {
		t.Errorf("provision to the Tokyo MPD for the NPA's case: got %v, want a refusal", err)
	}
	if _, err := s.Measures.WithdrawCase(ctx, pref, queued.ID, "The administrator took the server down."); err != nil {
		t.Fatal(err)
	}
	err = provide(queued.ID, pref.OrgID)
	if !errors.Is(err, commsinfo.ErrRefused) || !strings.Contains(err.Error(), queued.ID) {
		t.Errorf("provision for a withdrawn case: got %v, want a refusal naming it", err)
	}
}
