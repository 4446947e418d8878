package manifest_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/manifest"
	"github.com/acd-platform/acd/internal/selection/criteria"
)

// The seed corpora are under testdata/fuzz/<FuzzName>/, one commented file
// per case; the targets also add documents signed by their own ring, so
// that verification succeeds on some inputs.

// fieldError fails unless err is nil or a *manifest.FieldError.
func fieldError(t *testing.T, err error) {
	t.Helper()
	var fe *manifest.FieldError
	if err != nil && !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a FieldError", err, err)
	}
}

// FuzzParse: Parse never panics and fails only with a FieldError; what it
// accepts survives a round trip through JSON unchanged, verifies or fails
// with ErrSignature, and goes through Check without a panic.
func FuzzParse(f *testing.F) {
	r := newRing(f)
	k, err := r.Current(keys.ApprovalManifest)
	if err != nil {
		f.Fatal(err)
	}
	good, err := manifest.Sign(approval(), k)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	ks := manifest.KeySetOf(r)
	lb, err := manifest.SignRevocations([]manifest.Revocation{{ApprovalID: "apv_7", RevokedAt: now}}, now, k)
	if err != nil {
		f.Fatal(err)
	}
	list, err := manifest.ParseRevocations(lb)
	if err != nil {
		f.Fatal(err)
	}
	set, err := criteria.Parse([]byte(criteriaFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := manifest.Parse(data)
		fieldError(t, err)
		if err != nil {
			return
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("marshal an accepted manifest: %v", err)
		}
		again, err := manifest.Parse(b)
		if err != nil {
			t.Fatalf("an accepted manifest, marshalled, is refused: %v\n%s", err, b)
		}
		if d := cmp.Diff(m, again); d != "" {
			t.Fatalf("round trip changed the manifest (-first +second):\n%s", d)
		}
		if err := ks.VerifyManifest(m); err != nil && !errors.Is(err, manifest.ErrSignature) {
			t.Fatalf("VerifyManifest: %v is not ErrSignature", err)
		}
		_ = manifest.Check(manifest.Checks{Keys: ks, Manifest: m, Revocations: list, Criteria: []byte(criteriaFile), Set: set, Now: now})
	})
}

// FuzzParseRevocations: ParseRevocations never panics and fails only with
// a FieldError; what it accepts survives a round trip and finds each of
// its approvals.
func FuzzParseRevocations(f *testing.F) {
	r := newRing(f)
	k, err := r.Current(keys.ApprovalManifest)
	if err != nil {
		f.Fatal(err)
	}
	lb, err := manifest.SignRevocations([]manifest.Revocation{{ApprovalID: "apv_7", RevokedAt: now, Reason: "withdrawn"}}, now, k)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(lb)
	ks := manifest.KeySetOf(r)
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := manifest.ParseRevocations(data)
		fieldError(t, err)
		if err != nil {
			return
		}
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatalf("marshal an accepted list: %v", err)
		}
		again, err := manifest.ParseRevocations(b)
		if err != nil {
			t.Fatalf("an accepted list, marshalled, is refused: %v\n%s", err, b)
		}
		if d := cmp.Diff(l, again); d != "" {
			t.Fatalf("round trip changed the list (-first +second):\n%s", d)
		}
		for _, rv := range l.Revoked {
			if _, ok := l.Find(rv.ApprovalID); !ok {
				t.Fatalf("Find(%q) misses an entry of the list", rv.ApprovalID)
			}
		}
		if err := ks.VerifyRevocations(l); err != nil && !errors.Is(err, manifest.ErrSignature) {
			t.Fatalf("VerifyRevocations: %v is not ErrSignature", err)
		}
	})
}

// FuzzParseKeySet: ParseKeySet never panics and fails only with a
// FieldError; what it accepts survives a round trip and can check a
// signature.
func FuzzParseKeySet(f *testing.F) {
	r := newRing(f)
	f.Add(keySetFile(f, r))
	k, err := r.Current(keys.ApprovalManifest)
	if err != nil {
		f.Fatal(err)
	}
	mb, err := manifest.Sign(approval(), k)
	if err != nil {
		f.Fatal(err)
	}
	m, err := manifest.Parse(mb)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ks, err := manifest.ParseKeySet(data)
		fieldError(t, err)
		if err != nil {
			return
		}
		b, err := json.Marshal(ks)
		if err != nil {
			t.Fatalf("marshal an accepted key set: %v", err)
		}
		again, err := manifest.ParseKeySet(b)
		if err != nil {
			t.Fatalf("an accepted key set, marshalled, is refused: %v\n%s", err, b)
		}
		if d := cmp.Diff(ks, again); d != "" {
			t.Fatalf("round trip changed the key set (-first +second):\n%s", d)
		}
		if err := ks.VerifyManifest(m); err != nil && !errors.Is(err, manifest.ErrSignature) {
			t.Fatalf("VerifyManifest: %v is not ErrSignature", err)
		}
	})
}
