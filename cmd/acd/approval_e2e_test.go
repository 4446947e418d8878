package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/commsinfo"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/server"
	"github.com/acd-platform/acd/internal/store"
)

// TestApprovalToUpload walks the whole path of communications information:
// the Cabinet Office files a request, three commission users approve it,
// the analyst downloads the manifest and criteria file from the server,
// `acd select` verifies them and uploads its run with a sensor token, and
// the server attaches the run to the approval. Once the chair revokes the
// approval, the engine refuses to run and the token no longer uploads.
func TestApprovalToUpload(t *testing.T) {
	f := newSelectFixture(t) // capture, delegated file, pseudonym key in f.dir/keys
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(f.dir, "acd.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ring, err := keys.Open(filepath.Join(f.dir, "keys"), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(ctx, server.Config{DB: db, Keys: ring, Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)

	person := func(org auth.Org, name string, role auth.Role) (*auth.Principal, string) {
		u, err := s.Auth.SeedUser(ctx, auth.NewUser{Username: name, DisplayName: name, OrgID: org.ID, Roles: []auth.Role{role}, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		p := &auth.Principal{UserID: u.ID, Username: name, OrgID: org.ID, OrgKind: org.Kind, Roles: u.Roles, MFA: true, Via: auth.ViaSession}
		tok, _, err := s.Auth.CreateToken(ctx, p, u.ID, "e2e", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return p, tok
	}
	cabinet, err := s.Auth.CreateOrg(ctx, auth.CLI("test"), auth.NewOrg{Name: "National Cyber Office", Kind: auth.OrgCabinetOff})
	if err != nil {
		t.Fatal(err)
	}
	commission, err := s.Auth.CreateOrg(ctx, auth.CLI("test"), auth.NewOrg{Name: "Commission", Kind: auth.OrgCommission})
	if err != nil {
		t.Fatal(err)
	}
	analyst, analystTok := person(cabinet, "analyst1", auth.RoleAnalyst)
	chair, _ := person(commission, "chair", auth.RoleCommissionChair)
	m1, _ := person(commission, "member1", auth.RoleCommissionMember)
	m2, _ := person(commission, "member2", auth.RoleCommissionMember)

	now := time.Now().UTC()
	crit := fmt.Sprintf(`{"schema":"acd.selection.criteria/v1","id":"e2e","version":1,"authority":"request",
"directions":["foreign-domestic","domestic-foreign"],"valid_from":%q,"valid_until":%q,
"rules":[{"id":"all","addresses":["0.0.0.0/0","::/0"]}]}`, now.Add(-time.Hour).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339))
	req, err := s.Oversight.FileAcquisition(ctx, analyst, oversight.AcquisitionInput{Chapter: "ch6",
		Target: oversight.Target{Addresses: []string{"203.0.113.0/24"}}, Suspicion: "C2 servers of a campaign against power utilities",
		OtherMeans: "the servers are abroad and their operators do not answer", Directions: []string{"foreign-domestic", "domestic-foreign"}, Criteria: crit})
	if err != nil {
		t.Fatal(err)
	}
	mo, err := s.Oversight.MoveMotion(ctx, m1, req.ID, oversight.MotionInput{Kind: "approve"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*auth.Principal{chair, m1, m2} {
		if _, err := s.Oversight.CastVote(ctx, p, mo.ID, oversight.VoteInput{Vote: "yes", Reasons: "necessary and proportionate"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Oversight.CloseMotion(ctx, chair, mo.ID); err != nil {
		t.Fatal(err)
	}
	req, err = s.Oversight.Acquisition(ctx, analyst, req.ID)
	if err != nil || req.Decision == nil || req.Decision.ApprovalID == "" {
		t.Fatalf("request after the vote: %+v, %v", req, err)
	}
	apv := req.Decision.ApprovalID

	// What the analyst takes to the collection point, all from the server.
	get := func(path, token string) []byte {
		t.Helper()
		r, _ := http.NewRequest("GET", ts.URL+path, nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		return b
	}
	write(t, f.manifest, get("/api/v1/approvals/"+apv+"/manifest", analystTok))
	write(t, f.criteria, get("/api/v1/approvals/"+apv+"/criteria", analystTok))
	write(t, f.keys, get("/api/v1/manifest/keys", ""))
	if string(get("/api/v1/approvals/"+apv+"/criteria", analystTok)) != crit {
		t.Fatal("the criteria file downloaded is not the bytes filed")
	}
	sensorTok, _, err := s.Oversight.IssueSensorToken(ctx, analyst, apv, "collection point 1")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"ACD_SENSOR_TOKEN": sensorTok}
	args := []string{"select", "--criteria", f.criteria, "--domestic", f.delegated, "--manifest", f.manifest,
		"--manifest-keys", f.keys, "--revocations", ts.URL + "/api/v1/manifest/revocations", "--progress", "never",
		"--upload", ts.URL + "/api/v1/sensor/runs", "--out", filepath.Join(f.dir, "out.jsonl"), f.pcap}
	code, _, stderr := runSelectEnv(t, f.dir, vars, args...)
	if code != 0 {
		t.Fatalf("acd select: exit %d: %s", code, stderr)
	}

	var runs struct{ Runs []commsinfo.Run }
	if err := json.Unmarshal(get("/api/v1/runs?approval="+apv, analystTok), &runs); err != nil {
		t.Fatal(err)
	}
	if len(runs.Runs) != 1 || !runs.Runs[0].HashOK || runs.Runs[0].Records == 0 || runs.Runs[0].Via != commsinfo.ViaSensor {
		t.Fatalf("runs of %s: %+v", apv, runs.Runs)
	}
	out, err := os.ReadFile(filepath.Join(f.dir, "out.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if got := runs.Runs[0].ReceivedBytes; got != int64(len(out))-int64(len(lastLine(out))) {
		t.Errorf("server received %d bytes before the summary; the run wrote %d", got, len(out)-len(lastLine(out)))
	}

	// Revoked: the engine refuses (exit 3) on the server's fresh list, and
	// the token is dead.
	if _, err := s.Oversight.RevokeApproval(ctx, chair, apv, "the campaign ended"); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runSelectEnv(t, f.dir, vars, args...)
	if code != 3 || !strings.Contains(stderr, "revoked") {
		t.Errorf("acd select after revocation: exit %d, want 3 naming the revocation: %s", code, stderr)
	}
	r, _ := http.NewRequest("POST", ts.URL+"/api/v1/sensor/runs", strings.NewReader(string(out)))
	r.Header.Set("Authorization", "Bearer "+sensorTok)
	r.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("upload with the revoked approval's token: %d, want 401", resp.StatusCode)
	}
}

// lastLine is the last newline-terminated line of b.
func lastLine(b []byte) []byte {
	s := strings.TrimSuffix(string(b), "\n")
	return []byte(s[strings.LastIndexByte(s, '\n')+1:] + "\n")
}
