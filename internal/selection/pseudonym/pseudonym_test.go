package pseudonym_test

import (
	"bytes"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/selection/pseudonym"
)

func newP(t *testing.T) (*pseudonym.Pseudonymizer, *keys.Ring) {
	t.Helper()
	ring, err := keys.Open(filepath.Join(t.TempDir(), "keys"), nil)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ring.Current(keys.EmailPseudonym)
	if err != nil {
		t.Fatal(err)
	}
	p, err := pseudonym.New(k)
	if err != nil {
		t.Fatal(err)
	}
	return p, ring
}

func TestAddress(t *testing.T) {
	p, ring := newP(t)
	tok := regexp.MustCompile(`^[a-z2-7]{26}@example\.jp$`)
	a := string(p.AppendAddress(nil, []byte("Alice"), []byte("Example.JP.")))
	if !tok.MatchString(a) {
		t.Fatalf("got %q, want TOKEN@example.jp", a)
	}
	// The whole local part, not a fragment of it: four letters of a random
	// base32 token match a fragment by chance once in a few ten thousand runs.
	if bytes.Contains([]byte(a), []byte("alice")) {
		t.Errorf("token %q shows the local part", a)
	}
	// Same address, any case: same token. Another local part or domain: another token.
	if b := string(p.AppendAddress(nil, []byte("alice"), []byte("example.jp"))); b != a {
		t.Errorf("case changed the token: %q vs %q", b, a)
	}
	if b := string(p.AppendAddress(nil, []byte("bob"), []byte("example.jp"))); b == a {
		t.Error("two addresses gave one token")
	}
	other := p.AppendAddress(nil, []byte("alice"), []byte("example.com"))
	if bytes.HasPrefix(other, []byte(a[:26])) {
		t.Error("the token ignores the domain")
	}
	// Another key version gives other tokens and names itself.
	k2, err := ring.Rotate(keys.EmailPseudonym)
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := pseudonym.New(k2)
	if b := string(p2.AppendAddress(nil, []byte("alice"), []byte("example.jp"))); b == a || p2.KeyID() == p.KeyID() {
		t.Errorf("rotation kept token %q / key id %s", b, p2.KeyID())
	}
	// Absurd lengths are cut, not a panic.
	long := bytes.Repeat([]byte("x"), 2000)
	if got := p.AppendAddress(nil, long, long); len(got) != 26+1+255 {
		t.Errorf("long input: got %d bytes", len(got))
	}
}

func TestRefusesOtherKeys(t *testing.T) {
	_, ring := newP(t)
	k, _ := ring.Current(keys.AuditHMAC)
	if _, err := pseudonym.New(k); err == nil {
		t.Error("accepted an audit key")
	}
	if _, err := pseudonym.Current(nil); err == nil {
		t.Error("Current of no versions: no error")
	}
}

func TestNoAllocs(t *testing.T) {
	p, _ := newP(t)
	dst := make([]byte, 0, 512)
	local, domain := []byte("alice"), []byte("example.jp")
	if n := testing.AllocsPerRun(100, func() { dst = p.AppendAddress(dst[:0], local, domain) }); n != 0 {
		t.Errorf("AppendAddress: %v allocs, want 0", n)
	}
}
