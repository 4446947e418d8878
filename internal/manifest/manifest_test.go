package manifest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/manifest"
	"github.com/acd-platform/acd/internal/selection/criteria"
)

// now is the fixed instant the tests check at.
var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// criteriaFile is a criteria file for foreign→domestic and
// domestic→foreign traffic.
const criteriaFile = `{"schema":"acd.selection.criteria/v1","id":"crit-42","version":3,"authority":"apv_42",
"directions":["foreign-domestic","domestic-foreign"],"valid_from":"2026-11-01T00:00:00Z","valid_until":"2026-12-01T00:00:00Z",
"rules":[{"id":"c2","addresses":["198.51.100.0/24"]}]}`

func newRing(t testing.TB) *keys.Ring {
	t.Helper()
	r, err := keys.Open(t.TempDir(), func() time.Time { return now.Add(-30 * 24 * time.Hour) })
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func currentKey(t *testing.T, r *keys.Ring) *keys.Key {
	t.Helper()
	k, err := r.Current(keys.ApprovalManifest)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// approval is a manifest approving criteriaFile from a day before now to a
// day after.
func approval() *manifest.Manifest {
	sum := sha256.Sum256([]byte(criteriaFile))
	return &manifest.Manifest{
		ApprovalID: "apv_42", Basis: manifest.BasisForeign, CriteriaID: "crit-42", CriteriaVersion: 3,
		CriteriaSHA256: hex.EncodeToString(sum[:]), Directions: []string{"foreign-domestic", "domestic-foreign"},
		Facilities: []string{"equipment:cc-203.0.113.9"},
		ValidFrom:  now.Add(-24 * time.Hour), ValidUntil: now.Add(24 * time.Hour), IssuedAt: now.Add(-25 * time.Hour),
	}
}

func signed(t *testing.T, m *manifest.Manifest, k *keys.Key) []byte {
	t.Helper()
	b, err := manifest.Sign(m, k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keySetFile is ring's key set as the server serves it.
func keySetFile(t testing.TB, r *keys.Ring) []byte {
	t.Helper()
	b, err := json.Marshal(manifest.KeySetOf(r))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRoundTrip: a signed manifest, key set and revocation list parse back
// to what was signed, and verify.
func TestRoundTrip(t *testing.T) {
	r := newRing(t)
	k := currentKey(t, r)
	m := approval()
	b := signed(t, m, k)
	got, err := manifest.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(m, got); d != "" {
		t.Errorf("parsed manifest differs (-signed +parsed):\n%s", d)
	}
	if got.KeyID != k.ID || got.Schema != manifest.Schema || got.Signature == "" {
		t.Errorf("key id %q, schema %q, signature %q", got.KeyID, got.Schema, got.Signature)
	}
	ks, err := manifest.ParseKeySet(keySetFile(t, r))
	if err != nil {
		t.Fatal(err)
	}
	if err := ks.VerifyManifest(got); err != nil {
		t.Errorf("VerifyManifest: %v", err)
	}
	lb, err := manifest.SignRevocations([]manifest.Revocation{{ApprovalID: "apv_1", RevokedAt: now, Reason: "withdrawn"}}, now, k)
	if err != nil {
		t.Fatal(err)
	}
	l, err := manifest.ParseRevocations(lb)
	if err != nil {
		t.Fatal(err)
	}
	if err := ks.VerifyRevocations(l); err != nil {
		t.Errorf("VerifyRevocations: %v", err)
	}
	if r, ok := l.Find("apv_1"); !ok || r.Reason != "withdrawn" {
		t.Errorf("Find(apv_1) = %+v, %v", r, ok)
	}
	if _, ok := l.Find("apv_42"); ok {
		t.Error("Find(apv_42) found a revocation in a list without it")
	}
}

// TestSignatureCoversValuesNotLayout: whitespace and member order may
// change; no value may.
func TestSignatureCoversValuesNotLayout(t *testing.T) {
	r := newRing(t)
	ks := manifest.KeySetOf(r)
	b := signed(t, approval(), currentKey(t, r))
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		t.Fatal(err)
	}
	compact, err := json.Marshal(obj) // sorted members, no whitespace
	if err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Parse(compact)
	if err != nil {
		t.Fatal(err)
	}
	if err := ks.VerifyManifest(m); err != nil {
		t.Errorf("the same manifest laid out anew: %v", err)
	}

	edits := []struct {
		name string
		edit func(m *manifest.Manifest)
	}{
		{"approval id", func(m *manifest.Manifest) { m.ApprovalID = "apv_43" }},
		{"basis", func(m *manifest.Manifest) { m.Basis = manifest.BasisTransit }},
		{"criteria hash", func(m *manifest.Manifest) { m.CriteriaSHA256 = strings.Repeat("0", 64) }},
		{"criteria version", func(m *manifest.Manifest) { m.CriteriaVersion++ }},
		{"a direction added", func(m *manifest.Manifest) { m.Directions = append(m.Directions, "foreign-foreign") }},
		{"facilities", func(m *manifest.Manifest) { m.Facilities = append(m.Facilities, "link:osaka-2") }},
		{"validity extended by a second", func(m *manifest.Manifest) { m.ValidUntil = m.ValidUntil.Add(time.Second) }},
		{"issued", func(m *manifest.Manifest) { m.IssuedAt = m.IssuedAt.Add(time.Nanosecond) }},
	}
	for _, e := range edits {
		t.Run(e.name, func(t *testing.T) {
			m, err := manifest.Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			e.edit(m)
			if err := ks.VerifyManifest(m); !errors.Is(err, manifest.ErrSignature) {
				t.Errorf("got %v, want ErrSignature", err)
			}
		})
	}
}

// TestVerifyRefuses: other keys, unknown key ids and broken signatures.
func TestVerifyRefuses(t *testing.T) {
	r, other := newRing(t), newRing(t)
	ks := manifest.KeySetOf(r)
	good, err := manifest.Parse(signed(t, approval(), currentKey(t, r)))
	if err != nil {
		t.Fatal(err)
	}
	forged, err := manifest.Parse(signed(t, approval(), currentKey(t, other)))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		m    func() *manifest.Manifest
		want string
	}{
		// Signed by a key the server does not have.
		{"unknown key", func() *manifest.Manifest { return forged }, "is not one of the server's manifest keys"},
		// Signed by another key, claiming the server's key id.
		{"forged under the server's key id", func() *manifest.Manifest {
			m := *forged
			m.KeyID = good.KeyID
			return &m
		}, "does not verify (forged or altered)"},
		// The server's signature moved to another manifest's key id.
		{"key id changed", func() *manifest.Manifest {
			m := *good
			m.KeyID = forged.KeyID
			return &m
		}, "is not one of the server's manifest keys"},
		{"signature not base64", func() *manifest.Manifest {
			m := *good
			m.Signature = "!!"
			return &m
		}, "not base64"},
		{"signature truncated", func() *manifest.Manifest {
			m := *good
			m.Signature = m.Signature[:20]
			return &m
		}, "does not verify"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ks.VerifyManifest(c.m())
			if !errors.Is(err, manifest.ErrSignature) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want ErrSignature saying %q", err, c.want)
			}
		})
	}
}

// TestRotatedKeysStillVerify: a manifest signed before a rotation verifies
// against the key set exported after it; Sign takes only manifest keys.
func TestRotatedKeysStillVerify(t *testing.T) {
	r := newRing(t)
	old := currentKey(t, r)
	m, err := manifest.Parse(signed(t, approval(), old))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Rotate(keys.ApprovalManifest); err != nil {
		t.Fatal(err)
	}
	ks, err := manifest.ParseKeySet(keySetFile(t, r))
	if err != nil {
		t.Fatal(err)
	}
	if len(ks.Keys) != 2 || ks.Keys[0].Retired.IsZero() || !ks.Keys[1].Retired.IsZero() {
		t.Errorf("key set after a rotation: %+v; want the retired key and the current one", ks.Keys)
	}
	if err := ks.VerifyManifest(m); err != nil {
		t.Errorf("a manifest signed before the rotation: %v", err)
	}
	audit, err := r.Current(keys.AuditCheckpoint)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := manifest.Sign(approval(), audit); err == nil || !strings.Contains(err.Error(), "not an approval-manifest key") {
		t.Errorf("signing with an audit key: got %v, want a refusal", err)
	}
}

// TestParseErrors: each malformed manifest names its member.
func TestParseErrors(t *testing.T) {
	r := newRing(t)
	b := signed(t, approval(), currentKey(t, r))
	// with returns the signed manifest with one member set to v (JSON), or
	// removed when v is empty.
	with := func(member, v string) string {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(b, &obj); err != nil {
			t.Fatal(err)
		}
		if v == "" {
			delete(obj, member)
		} else {
			obj[member] = json.RawMessage(v)
		}
		out, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", "manifest: empty: want a JSON object"},
		{"cut short", string(b[:40]), "manifest: not valid JSON: it ends at byte 40 inside a value"},
		{"not JSON", "{schema}", "manifest: not valid JSON at byte 2"},
		{"an array", "[]", "manifest: array where a JSON object is wanted"},
		{"a stray brace after the object", string(b) + "}", "unexpected data after the object"},
		{"a second object", string(b) + "{}", "unexpected data after the object"},
		{"unknown member", with("approved_by", `"chair"`), `manifest: unknown member "approved_by"`},
		{"wrong schema", with("schema", `"acd.approval.manifest/v2"`), "manifest: schema: \"acd.approval.manifest/v2\" is not acd.approval.manifest/v1"},
		{"no approval id", with("approval_id", ""), "manifest: approval_id: missing"},
		{"unknown basis", with("basis", `"ch5"`), `manifest: basis: "ch5": want ch3, ch4 or ch6`},
		{"no criteria id", with("criteria_id", `""`), "manifest: criteria_id: missing"},
		{"version zero", with("criteria_version", "0"), "manifest: criteria_version: 0: want 1 to 2147483647"},
		{"version past what a criteria file can have", with("criteria_version", "9007199254740993"), "manifest: criteria_version: 9007199254740993: want 1 to"},
		{"version a string", with("criteria_version", `"3"`), "manifest: criteria_version: string where int is wanted"},
		{"hash upper case", with("criteria_sha256", `"`+strings.Repeat("A", 64)+`"`), "manifest: criteria_sha256: "},
		{"hash short", with("criteria_sha256", `"abcd"`), "want 64 lower-case hex digits"},
		{"no directions", with("directions", `[]`), "manifest: directions: missing"},
		{"unknown direction", with("directions", `["foreign-domestic","sideways"]`), "manifest: directions[1]: "},
		{"domestic-domestic", with("directions", `["domestic-domestic"]`), "manifest: directions[0]: domestic-domestic traffic is never in scope"},
		{"repeated direction", with("directions", `["foreign-foreign","foreign-foreign"]`), `manifest: directions[1]: "foreign-foreign" repeated`},
		{"empty facility", with("facilities", `["link:a",""]`), "manifest: facilities[1]: empty"},
		{"no start", with("valid_from", ""), "manifest: valid_from: missing"},
		{"a time that is not one", with("valid_from", `"yesterday"`), `manifest: valid_from: "yesterday" is not an RFC 3339 time`},
		{"window backwards", with("valid_until", `"2026-11-01T00:00:00Z"`), "manifest: valid_until: 2026-11-01T00:00:00Z is not after valid_from"},
		{"not issued", with("issued_at", ""), "manifest: issued_at: missing"},
		{"no key id", with("key_id", `""`), "manifest: key_id: missing"},
		{"unsigned", with("signature", ""), "manifest: signature: missing"},
		{"too large", `{"approval_id":"` + strings.Repeat("x", 4<<20) + `"}`, "bytes is over the limit of"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := manifest.Parse([]byte(c.in))
			var fe *manifest.FieldError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want a FieldError saying %q", err, c.want)
			}
		})
	}
}

// TestParseKeySetErrors: each malformed key set names its member.
func TestParseKeySetErrors(t *testing.T) {
	good := `{"key_id":"k1","algorithm":"ed25519","public_key":"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=","created":"2026-01-01T00:00:00Z"}`
	cases := []struct {
		name, in, want string
	}{
		{"wrong schema", `{"schema":"acd.approval.manifest/v1","keys":[` + good + `]}`, "manifest keys: schema: "},
		{"no key", `{"schema":"acd.approval.keys/v1","keys":[]}`, "manifest keys: keys: no key"},
		{"no key id", `{"schema":"acd.approval.keys/v1","keys":[` + strings.Replace(good, `"k1"`, `""`, 1) + `]}`, "manifest keys: keys[0].key_id: missing"},
		{"repeated key id", `{"schema":"acd.approval.keys/v1","keys":[` + good + "," + good + `]}`, `manifest keys: keys[1].key_id: "k1" repeats keys[0]`},
		{"another algorithm", `{"schema":"acd.approval.keys/v1","keys":[` + strings.Replace(good, "ed25519", "rsa", 1) + `]}`, `manifest keys: keys[0].algorithm: "rsa": want ed25519`},
		{"short public key", `{"schema":"acd.approval.keys/v1","keys":[` + strings.Replace(good, "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", "AAAA", 1) + `]}`, "manifest keys: keys[0].public_key: want the base64 of a 32-byte"},
		{"a time that is not one", `{"schema":"acd.approval.keys/v1","keys":[` + strings.Replace(good, "2026-01-01T00:00:00Z", "soon", 1) + `]}`, `manifest keys: keys[0].created: "soon" is not an RFC 3339 time`},
		{"a private key member", `{"schema":"acd.approval.keys/v1","keys":[` + strings.Replace(good, `"created"`, `"private_key":"x","created"`, 1) + `]}`, `unknown member "private_key"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := manifest.ParseKeySet([]byte(c.in))
			var fe *manifest.FieldError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want a FieldError saying %q", err, c.want)
			}
		})
	}
	if _, err := manifest.ParseKeySet([]byte(`{"schema":"acd.approval.keys/v1","keys":[` + good + `]}`)); err != nil {
		t.Errorf("a good key set: %v", err)
	}
}

// TestParseRevocationsErrors: each malformed list names its member.
func TestParseRevocationsErrors(t *testing.T) {
	list := func(revoked string) string {
		return `{"schema":"acd.approval.revocations/v1","issued_at":"2026-11-23T10:00:00Z","revoked":` + revoked + `,"key_id":"k1","signature":"c2ln"}`
	}
	cases := []struct {
		name, in, want string
	}{
		{"revoked missing", list("null"), "revocation list: revoked: missing (an empty list is [])"},
		{"entry without an id", list(`[{"approval_id":"apv_1","revoked_at":"2026-11-01T00:00:00Z","reason":"x"},{"revoked_at":"2026-11-01T00:00:00Z"}]`), "revocation list: revoked[1].approval_id: missing"},
		{"a time that is not one", list(`[{"approval_id":"apv_1","revoked_at":"2026-13-01T00:00:00Z"}]`), `revocation list: revoked[0].revoked_at: "2026-13-01T00:00:00Z" is not an RFC 3339 time`},
		{"wrong schema", strings.Replace(list("[]"), "revocations/v1", "revocations/v0", 1), "revocation list: schema: "},
		{"not issued", strings.Replace(list("[]"), `"issued_at":"2026-11-23T10:00:00Z",`, "", 1), "revocation list: issued_at: missing"},
		{"no key id", strings.Replace(list("[]"), `"k1"`, `""`, 1), "revocation list: key_id: missing"},
		{"unsigned", strings.Replace(list("[]"), `"c2ln"`, `""`, 1), "revocation list: signature: missing"},
		{"stray bracket", list("[]") + "]", "revocation list: unexpected data after the object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := manifest.ParseRevocations([]byte(c.in))
			var fe *manifest.FieldError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want a FieldError saying %q", err, c.want)
			}
		})
	}
	if _, err := manifest.ParseRevocations([]byte(list("[]"))); err != nil {
		t.Errorf("an empty list: %v", err)
	}
}

// TestCheck runs the engine's check against each way an approval can fail.
func TestCheck(t *testing.T) {
	r, other := newRing(t), newRing(t)
	k := currentKey(t, r)
	ks := manifest.KeySetOf(r)
	set, err := criteria.Parse([]byte(criteriaFile))
	if err != nil {
		t.Fatal(err)
	}
	parse := func(b []byte) *manifest.Manifest {
		m, err := manifest.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	list := func(issued time.Time, signer *keys.Key, revoked ...string) *manifest.Revocations {
		var rs []manifest.Revocation
		for _, id := range revoked {
			rs = append(rs, manifest.Revocation{ApprovalID: id, RevokedAt: issued, Reason: "withdrawn"})
		}
		b, err := manifest.SignRevocations(rs, issued, signer)
		if err != nil {
			t.Fatal(err)
		}
		l, err := manifest.ParseRevocations(b)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	// checks returns passing Checks changed by edit.
	checks := func(edit func(c *manifest.Checks)) manifest.Checks {
		c := manifest.Checks{
			Keys: ks, Manifest: parse(signed(t, approval(), k)), Revocations: list(now.Add(-time.Hour), k, "apv_7"),
			Criteria: []byte(criteriaFile), Set: set, Now: now,
		}
		if edit != nil {
			edit(&c)
		}
		return c
	}
	withManifest := func(edit func(m *manifest.Manifest)) func(c *manifest.Checks) {
		return func(c *manifest.Checks) {
			m := approval()
			edit(m)
			c.Manifest = parse(signed(t, m, k))
		}
	}
	cases := []struct {
		name string
		c    manifest.Checks
		want error // nil: the run may start
		msg  string
	}{
		{"approved", checks(nil), nil, ""},
		{"first instant of the window", checks(func(c *manifest.Checks) { c.Now = c.Manifest.ValidFrom }), nil, ""},
		{"a list just under the default age", checks(func(c *manifest.Checks) { c.Revocations = list(now.Add(-24*time.Hour), k) }), nil, ""},
		{"a manifest covering more directions than the set uses", checks(withManifest(func(m *manifest.Manifest) {
			m.Directions = append(m.Directions, "foreign-foreign")
		})), nil, ""},

		{"manifest signed by another server", checks(func(c *manifest.Checks) {
			c.Manifest = parse(signed(t, approval(), currentKey(t, other)))
		}), manifest.ErrSignature, "not one of the server's manifest keys"},
		{"manifest altered", checks(func(c *manifest.Checks) { c.Manifest.ValidUntil = c.Manifest.ValidUntil.Add(time.Hour) }),
			manifest.ErrSignature, "forged or altered"},
		{"list signed by another server", checks(func(c *manifest.Checks) { c.Revocations = list(now, currentKey(t, other)) }),
			manifest.ErrSignature, "revocation list: signed with key"},
		{"list altered to drop a revocation", checks(func(c *manifest.Checks) {
			c.Revocations = list(now, k, "apv_42")
			c.Revocations.Revoked = c.Revocations.Revoked[:0]
		}), manifest.ErrSignature, "revocation list: signature"},
		{"stale list", checks(func(c *manifest.Checks) { c.Revocations = list(now.Add(-24*time.Hour-time.Second), k) }),
			manifest.ErrStaleList, "is 24h0m1s old, over 24h0m0s"},
		{"stale under a shorter maximum age", checks(func(c *manifest.Checks) { c.MaxListAge = 30 * time.Minute }),
			manifest.ErrStaleList, "over 30m0s"},
		{"revoked", checks(func(c *manifest.Checks) { c.Revocations = list(now, k, "apv_7", "apv_42") }),
			manifest.ErrRevoked, "approval apv_42 was revoked at 2026-11-23T10:00:00Z (withdrawn)"},
		{"criteria file altered by one byte", checks(func(c *manifest.Checks) {
			c.Criteria = bytes.Replace(c.Criteria, []byte(`"c2"`), []byte(`"c3"`), 1)
		}), manifest.ErrCriteriaMismatch, "criteria file SHA-256"},
		{"criteria set of another version", checks(withManifest(func(m *manifest.Manifest) { m.CriteriaVersion = 4 })),
			manifest.ErrCriteriaMismatch, "criteria file is crit-42 version 3, manifest apv_42 approves crit-42 version 4"},
		{"not yet valid", checks(func(c *manifest.Checks) { c.Now = c.Manifest.ValidFrom.Add(-time.Nanosecond) }),
			manifest.ErrNotYetValid, "is valid from"},
		{"expired at the first instant after the window", checks(func(c *manifest.Checks) {
			c.Now = c.Manifest.ValidUntil
			c.Revocations = list(c.Now, k)
		}), manifest.ErrExpired, "was valid from"},
		{"direction not covered", checks(withManifest(func(m *manifest.Manifest) { m.Directions = []string{"domestic-foreign"} })),
			manifest.ErrDirection, "criteria set selects foreign-domestic traffic, manifest apv_42 approves only [domestic-foreign]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := manifest.Check(c.c)
			switch {
			case c.want == nil && err != nil:
				t.Errorf("got %v, want no error", err)
			case c.want != nil && (!errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg)):
				t.Errorf("got %v, want %v saying %q", err, c.want, c.msg)
			}
		})
	}
}
