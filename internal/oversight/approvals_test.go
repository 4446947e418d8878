package oversight_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/manifest"
	"github.com/acd-platform/acd/internal/oversight"
)

// approved files a chapter 6 request and has it approved; it returns the
// approval.
func (e *env) approved(t *testing.T) oversight.Approval {
	t.Helper()
	a := e.file(t, ch6())
	e.decideBy(t, a.ID, oversight.MotionInput{Kind: oversight.MotionApprove}, e.chair, e.m1, e.m2)
	got, err := e.svc.Acquisition(e.ctx, e.analyst, a.ID)
	if err != nil || got.Decision == nil {
		t.Fatalf("approve: %v", err)
	}
	apv, err := e.svc.Approval(e.ctx, got.Decision.ApprovalID)
	if err != nil {
		t.Fatal(err)
	}
	return apv
}

// TestRevocation: the chair revokes; the list names it, signed fresh, and
// the engine's check refuses the manifest.
func TestRevocation(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		apv := e.approved(t)
		_, err := e.svc.RevokeApproval(e.ctx, e.m1, apv.ID, "x")
		wantErr(t, "a member revokes", err, oversight.ErrForbidden)
		_, err = e.svc.RevokeApproval(e.ctx, e.chair, apv.ID, "")
		wantField(t, "revoke without reason", err, "reason")
		_, err = e.svc.RevokeApproval(e.ctx, e.chair, "apv_nope", "x")
		wantErr(t, "revoke no approval", err, oversight.ErrNotFound)
		e.clock.Advance(time.Hour)
		got, err := e.svc.RevokeApproval(e.ctx, e.chair, apv.ID, "Inspection found records kept outside the criteria.")
		if err != nil || got.State != oversight.ApprovalRevoked || !got.RevokedAt.Equal(e.clock.Now()) || got.RevokedBy != e.chair.UserID {
			t.Fatalf("revoke: %v %+v", err, got)
		}
		_, err = e.svc.RevokeApproval(e.ctx, e.chair, apv.ID, "again")
		wantErr(t, "revoke twice", err, oversight.ErrConflict)

		e.clock.Advance(time.Minute)
		raw, err := e.svc.Revocations(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		list, err := manifest.ParseRevocations(raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ManifestKeys().VerifyRevocations(list); err != nil {
			t.Errorf("revocation list signature: %v", err)
		}
		r, ok := list.Find(apv.ID)
		if !ok || !list.IssuedAt.Equal(e.clock.Now()) || !strings.HasPrefix(r.Reason, "Inspection") || len(list.Revoked) != 1 {
			t.Errorf("revocation list %+v", list)
		}
		from, _ := period()
		if err := e.checkManifest(t, apv.ID, from.Add(time.Hour)); !errors.Is(err, manifest.ErrRevoked) {
			t.Errorf("manifest check: %v, want ErrRevoked", err)
		}
		if l, _ := e.svc.Approvals(e.ctx, oversight.ApprovalFilter{State: oversight.ApprovalRevoked}); len(l) != 1 {
			t.Errorf("revoked approvals: %d, want 1", len(l))
		}
		if l, _ := e.svc.Approvals(e.ctx, oversight.ApprovalFilter{State: oversight.ApprovalActive}); len(l) != 0 {
			t.Errorf("active approvals: %d, want 0", len(l))
		}
		if ks := e.svc.ManifestKeys(); len(ks.Keys) != 1 || ks.Keys[0].KeyID != apv.ManifestKeyID {
			t.Errorf("key set %+v, approval signed by %s", ks, apv.ManifestKeyID)
		}
	})
}

// TestExpiry: an approval past its window reads as expired.
func TestExpiry(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		apv := e.approved(t)
		e.clock.Set(apv.ValidUntil)
		got, _ := e.svc.Approval(e.ctx, apv.ID)
		if got.State != oversight.ApprovalExpired || got.Active(e.clock.Now()) {
			t.Errorf("at valid_until: %s", got.State)
		}
		if l, _ := e.svc.Approvals(e.ctx, oversight.ApprovalFilter{State: oversight.ApprovalExpired}); len(l) != 1 {
			t.Errorf("expired approvals: %d, want 1", len(l))
		}
		_, _, err := e.svc.IssueSensorToken(e.ctx, e.analyst, apv.ID, "sensor")
		wantErr(t, "token for an expired approval", err, oversight.ErrConflict)
		_, err = e.svc.Approvals(e.ctx, oversight.ApprovalFilter{State: "maybe"})
		wantField(t, "unknown state", err, "state")
	})
}

// TestSensorTokens: a token authenticates as a sensor of its approval
// until it expires, is revoked, or its approval is.
func TestSensorTokens(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		apv := e.approved(t)
		_, _, err := e.svc.IssueSensorToken(e.ctx, e.m1, apv.ID, "x")
		wantErr(t, "a member issues", err, oversight.ErrForbidden)
		_, _, err = e.svc.IssueSensorToken(e.ctx, e.analyst, apv.ID, "")
		wantField(t, "no name", err, "name")
		_, _, err = e.svc.IssueSensorToken(e.ctx, e.analyst, "apv_nope", "x")
		wantErr(t, "no approval", err, oversight.ErrNotFound)

		raw, tok, err := e.svc.IssueSensorToken(e.ctx, e.analyst, apv.ID, "Osaka IX sensor 1")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(raw, oversight.SensorTokenPrefix) || len(raw) != len(oversight.SensorTokenPrefix)+43 || !tok.ExpiresAt.Equal(apv.ValidUntil) {
			t.Fatalf("token %q %+v", raw, tok)
		}
		p, err := e.svc.ResolveSensorToken(e.ctx, raw)
		if err != nil || p.Sensor != apv.ID || p.Via != auth.ViaToken || p.UserID != "" || len(p.Roles) != 0 {
			t.Fatalf("resolve: %+v %v", p, err)
		}
		if !auth.NewPolicy().Allow(p, auth.SensorUpload) || auth.NewPolicy().Allow(p, auth.ManifestDownload) {
			t.Errorf("a sensor principal may upload and nothing else")
		}
		other := "A" // a last character other than the token's
		if strings.HasSuffix(raw, other) {
			other = "B"
		}
		for _, bad := range []string{"", "acd_" + raw[10:], raw[:len(raw)-1], raw[:len(raw)-1] + other, strings.ToUpper(raw)} {
			if _, err := e.svc.ResolveSensorToken(e.ctx, bad); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Errorf("resolve a wrong token: %v, want ErrUnauthenticated", err)
			}
		}
		raw2, tok2, _ := e.svc.IssueSensorToken(e.ctx, e.analyst2, apv.ID, "Osaka IX sensor 2")
		list, err := e.svc.SensorTokens(e.ctx, e.analyst, apv.ID)
		if err != nil || len(list) != 2 {
			t.Fatalf("list: %v %d", err, len(list))
		}
		_, err = e.svc.RevokeSensorToken(e.ctx, e.analyst, apv.ID, tok.ID, "")
		wantField(t, "revoke without reason", err, "reason")
		_, err = e.svc.RevokeSensorToken(e.ctx, e.analyst, "apv_other", tok.ID, "x")
		wantErr(t, "revoke through another approval", err, oversight.ErrNotFound)
		if _, err := e.svc.RevokeSensorToken(e.ctx, e.analyst, apv.ID, tok.ID, "sensor decommissioned"); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.RevokeSensorToken(e.ctx, e.analyst, apv.ID, tok.ID, "again")
		wantErr(t, "revoke twice", err, oversight.ErrConflict)
		if _, err := e.svc.ResolveSensorToken(e.ctx, raw); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("revoked token: %v, want ErrUnauthenticated", err)
		}
		if strings.Contains(errString(e.svc.ResolveSensorToken(e.ctx, raw)), raw[10:]) {
			t.Errorf("the error quotes the token")
		}
		if _, err := e.svc.ResolveSensorToken(e.ctx, raw2); err != nil {
			t.Errorf("the other token: %v", err)
		}
		// Revoking the approval revokes its tokens.
		if _, err := e.svc.RevokeApproval(e.ctx, e.chair, apv.ID, "stop"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ResolveSensorToken(e.ctx, raw2); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("token of a revoked approval: %v, want ErrUnauthenticated", err)
		}
		list, _ = e.svc.SensorTokens(e.ctx, e.analyst, apv.ID)
		for _, tk := range list {
			if tk.ID == tok2.ID && (tk.RevokedAt.IsZero() || !strings.HasPrefix(tk.RevokeReason, "approval revoked")) {
				t.Errorf("token %+v not revoked with its approval", tk)
			}
		}
		_, _, err = e.svc.IssueSensorToken(e.ctx, e.analyst, apv.ID, "late")
		wantErr(t, "token for a revoked approval", err, oversight.ErrConflict)
	})
}

// TestSensorTokenExpiry: a token stops at its approval's end.
func TestSensorTokenExpiry(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		apv := e.approved(t)
		raw, _, err := e.svc.IssueSensorToken(e.ctx, e.analyst, apv.ID, "s")
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Set(apv.ValidUntil.Add(-time.Second))
		if _, err := e.svc.ResolveSensorToken(e.ctx, raw); err != nil {
			t.Errorf("a second before the end: %v", err)
		}
		e.clock.Set(apv.ValidUntil)
		if _, err := e.svc.ResolveSensorToken(e.ctx, raw); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("at the end: %v, want ErrUnauthenticated", err)
		}
	})
}

func errString(_ *auth.Principal, err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
