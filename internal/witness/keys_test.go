package witness_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/acd-platform/acd/internal/witness"
)

// checkpointBody is a checkpoint in the C2SP text format (the example of
// the tlog-cosignature spec).
const checkpointBody = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"

// fixedKey is a witness key from a fixed seed, so that expected values
// are stable.
func fixedKey(t testing.TB, name string) (skey, vkey string, priv ed25519.PrivateKey) {
	t.Helper()
	seed := bytes.Repeat([]byte{7}, ed25519.SeedSize)
	skey, vkey, err := witness.GenerateKey(bytes.NewReader(seed), name)
	if err != nil {
		t.Fatal(err)
	}
	return skey, vkey, ed25519.NewKeyFromSeed(seed)
}

// TestKeyFormat checks the verifier key against the spec: type byte 0x04,
// key hash SHA-256(name || "\n" || 0x04 || public key)[:4].
func TestKeyFormat(t *testing.T) {
	const name = "commission.example/witness"
	skey, vkey, priv := fixedKey(t, name)
	if !strings.HasPrefix(skey, "PRIVATE+KEY+"+name+"+") {
		t.Errorf("private key %q: want the note signer-key form", skey)
	}
	pub := priv.Public().(ed25519.PublicKey)
	key := append([]byte{0x04}, pub...)
	h := sha256.Sum256(append([]byte(name+"\n"), key...))
	want := fmt.Sprintf("%s+%08x+%s", name, binary.BigEndian.Uint32(h[:4]), base64.StdEncoding.EncodeToString(key))
	if vkey != want {
		t.Errorf("verifier key\n got %s\nwant %s", vkey, want)
	}
	if got, err := witness.VerifierKey(skey); err != nil || got != vkey {
		t.Errorf("VerifierKey: got %q, %v; want %q", got, err, vkey)
	}
}

// TestCosignatureMatchesSpec checks a cosignature made by NewSigner with an
// independent reading of C2SP tlog-cosignature: the signature line's bytes
// are key hash || 8-byte big-endian timestamp || Ed25519 signature over
// "cosignature/v1\ntime T\n" followed by the checkpoint body.
func TestCosignatureMatchesSpec(t *testing.T) {
	const name = "commission.example/witness"
	skey, vkey, priv := fixedKey(t, name)
	s, err := witness.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().Unix()
	msg, err := note.Sign(&note.Note{Text: checkpointBody}, s)
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now().Unix()
	_, sigs, _ := strings.Cut(string(msg), "\n\n")
	prefix := "— " + name + " "
	if !strings.HasPrefix(sigs, prefix) || strings.Count(sigs, "\n") != 1 {
		t.Fatalf("signature block %q: want one line by %s", sigs, name)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(strings.TrimPrefix(sigs, prefix), "\n"))
	if err != nil || len(raw) != 4+8+64 {
		t.Fatalf("signature: %d bytes, %v; want 76", len(raw), err)
	}
	hash16 := strings.Split(vkey, "+")[1]
	if got := fmt.Sprintf("%08x", raw[:4]); got != hash16 {
		t.Errorf("key hash in the signature %s, want %s", got, hash16)
	}
	ts := int64(binary.BigEndian.Uint64(raw[4:12]))
	if ts < before || ts > after {
		t.Errorf("timestamp %d, want between %d and %d", ts, before, after)
	}
	signed := "cosignature/v1\ntime " + strconv.FormatInt(ts, 10) + "\n" + checkpointBody
	if !ed25519.Verify(priv.Public().(ed25519.PublicKey), []byte(signed), raw[12:]) {
		t.Error("the Ed25519 signature does not cover cosignature/v1, the time line and the body")
	}

	// The other way: a cosignature made by hand from the spec verifies
	// with NewVerifier, and one over another time does not.
	v, err := witness.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		signedTS int64 // time in the signed message
		claimTS  int64 // time in the signature bytes
		want     bool
	}{
		{"as the spec says", 1679315147, 1679315147, true},
		{"time line differs from the timestamp", 1679315147, 1679315148, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := "cosignature/v1\ntime " + strconv.FormatInt(tt.signedTS, 10) + "\n" + checkpointBody
			sig := binary.BigEndian.AppendUint32(nil, v.KeyHash())
			sig = binary.BigEndian.AppendUint64(sig, uint64(tt.claimTS))
			sig = append(sig, ed25519.Sign(priv, []byte(m))...)
			n := checkpointBody + "\n— " + name + " " + base64.StdEncoding.EncodeToString(sig) + "\n"
			_, err := note.Open([]byte(n), note.VerifierList(v))
			if got := err == nil; got != tt.want {
				t.Errorf("verified %v (%v), want %v", got, err, tt.want)
			}
		})
	}
}

func TestNewVerifier(t *testing.T) {
	const name = "w.example"
	_, vkey, priv := fixedKey(t, name)
	pub := priv.Public().(ed25519.PublicKey)
	plain, err := note.NewEd25519VerifierKey(name, pub)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(vkey, "+")
	tests := []struct {
		name string
		key  string
		want string // "" for success, else part of the error
	}{
		{"cosignature/v1 key", vkey, ""},
		{"the same key as an ordinary Ed25519 note key", plain, ""},
		{"surrounding space is trimmed", " " + vkey + "\n", ""},
		{"wrong key hash", name + "+00000000+" + parts[2], "does not match"},
		{"ordinary key with a wrong hash", name + "+00000000+" + strings.Split(plain, "+")[2], "does not match"},
		{"hash not hex", name + "+zzzzzzzz+" + parts[2], "8 hex digits"},
		{"short hash", name + "+1234+" + parts[2], "8 hex digits"},
		{"no key", name + "+" + parts[1], "want name+hash+key"},
		{"bad base64", name + "+" + parts[1] + "+!!!", "base64"},
		{"short key", name + "+" + parts[1] + "+BAEC", "base64"},
		{"unknown type", name + "+" + parts[1] + "+" + base64.StdEncoding.EncodeToString(append([]byte{0x06}, pub...)), "key type 0x06"},
		{"empty name", "+" + parts[1] + "+" + parts[2], "bad name"},
		{"too long", strings.Repeat("a", 2000), "longer than"},
		{"empty", "", "want name+hash+key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := witness.NewVerifier(tt.key)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got error %v, want success", err)
				}
				if v.Name() != name || fmt.Sprintf("%08x", v.KeyHash()) != parts[1] {
					t.Errorf("got %s+%08x, want %s+%s", v.Name(), v.KeyHash(), name, parts[1])
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestGeneratedKeysRoundTrip: keys from the system's randomness (whose
// base64 may hold '+' and '/') sign cosignatures their verifier keys check.
func TestGeneratedKeysRoundTrip(t *testing.T) {
	for i := range 40 {
		skey, vkey, err := witness.GenerateKey(nil, "w.example")
		if err != nil {
			t.Fatal(err)
		}
		s, err := witness.NewSigner(skey)
		if err != nil {
			t.Fatalf("key %d %q: %v", i, skey, err)
		}
		v, err := witness.NewVerifier(vkey)
		if err != nil {
			t.Fatalf("key %d %q: %v", i, vkey, err)
		}
		msg, err := note.Sign(&note.Note{Text: checkpointBody}, s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
		if got, err := witness.VerifierKey(skey); err != nil || got != vkey {
			t.Errorf("key %d: VerifierKey %q, %v; want %q", i, got, err, vkey)
		}
	}
}

func TestNewSignerRefusesOtherKeys(t *testing.T) {
	skey, _, _ := fixedKey(t, "w.example")
	for _, tt := range []struct {
		name, key string
	}{
		{"a verifier key", "w.example+01234567+AQ=="},
		{"four fields", strings.Join(strings.Split(skey, "+")[:4], "+")},
		{"bad base64", "PRIVATE+KEY+w.example+01234567+!!"},
		{"ML-DSA type", "PRIVATE+KEY+w.example+01234567+" + base64.StdEncoding.EncodeToString([]byte{0x06, 1, 2})},
		{"short seed", "PRIVATE+KEY+w.example+01234567+" + base64.StdEncoding.EncodeToString([]byte{0x01, 1, 2})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := witness.NewSigner(tt.key); err == nil {
				t.Errorf("NewSigner(%q) succeeded, want an error", tt.key)
			}
		})
	}
	if _, _, err := witness.GenerateKey(nil, "has space"); err == nil {
		t.Error("GenerateKey with a space in the name succeeded")
	}
}

// FuzzNewVerifier: any string either fails or gives a verifier whose name
// and key hash are the ones the string states (for a 0x04 key) and which
// NewVerifier accepts again in its canonical form.
func FuzzNewVerifier(f *testing.F) {
	_, vkey, _ := fixedKey(f, "w.example")
	f.Add(vkey)                                     // a valid cosignature/v1 key
	f.Add("w.example+00000000+BA==")                // short key
	f.Add("a+b+c+d")                                // too many fields for the hash
	f.Add("日本+12345678+" + strings.Repeat("A", 44)) // UTF-8 name, zero key of type 0
	f.Fuzz(func(t *testing.T, s string) {
		v, err := witness.NewVerifier(s)
		if err != nil {
			return
		}
		parts := strings.SplitN(strings.TrimSpace(s), "+", 3)
		raw, _ := base64.StdEncoding.DecodeString(parts[2])
		canon := fmt.Sprintf("%s+%08x+%s", v.Name(), v.KeyHash(), base64.StdEncoding.EncodeToString(append([]byte{0x04}, raw[1:]...)))
		v2, err := witness.NewVerifier(canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q refused: %v", canon, s, err)
		}
		if v2.Name() != v.Name() || v2.KeyHash() != v.KeyHash() {
			t.Errorf("%q: got %s+%08x, canonical %s+%08x", s, v.Name(), v.KeyHash(), v2.Name(), v2.KeyHash())
		}
	})
}
