package pgp_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/acd-platform/acd/internal/csaf/pgp"
)

var created = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func testPrivate(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func testKeyUID(t testing.TB, seed byte, uid string) *pgp.Key {
	t.Helper()
	k, err := pgp.NewKey(testPrivate(seed), created, uid)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testKey(t testing.TB, seed byte) *pgp.Key {
	return testKeyUID(t, seed, "ACD CSAF <csaf@acd.example.jp>")
}

func TestSignAndVerify(t *testing.T) {
	k := testKey(t, 1)
	if fpr := k.Fingerprint(); len(fpr) != 40 || strings.ToUpper(fpr) != fpr {
		t.Errorf("fingerprint %q: want 40 upper-case hex digits", fpr)
	}
	pubArmored, err := k.ArmoredPublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pubArmored, []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
		t.Errorf("public key does not start with the armor header:\n%s", pubArmored)
	}
	doc := []byte(`{"document":{"title":"test"}}` + "\n")
	sig, err := k.SignDetached(doc, created.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := pgp.ReadPublicKey(pubArmored)
	if err != nil {
		t.Fatal(err)
	}
	if pub.Fingerprint != k.Fingerprint() || pub.UserID != "ACD CSAF <csaf@acd.example.jp>" || !pub.Created.Equal(created) {
		t.Errorf("read back: got %s %q %v, want %s %q %v", pub.Fingerprint, pub.UserID, pub.Created, k.Fingerprint(), "ACD CSAF <csaf@acd.example.jp>", created)
	}
	if err := pub.Verify(sig, doc); err != nil {
		t.Errorf("verify: %v", err)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"one byte changed", bytes.Replace(doc, []byte("test"), []byte("tesT"), 1)},
		{"a byte added", append(append([]byte(nil), doc...), ' ')},
		{"truncated", doc[:len(doc)-1]},
	} {
		if err := pub.Verify(sig, tc.data); err == nil {
			t.Errorf("%s: altered data verified", tc.name)
		}
	}
	other, _ := pgp.ReadPublicKey(must(testKeyUID(t, 2, "other <o@example.jp>").ArmoredPublicKey()))
	if err := other.Verify(sig, doc); err == nil {
		t.Error("another key verified the signature")
	}
}

// The same key, data and time give the same bytes, so a restart serves the
// same signatures; a time before the key is taken as the key's creation.
func TestDeterministic(t *testing.T) {
	a, b := testKeyUID(t, 3, "x <x@example.jp>"), testKeyUID(t, 3, "x <x@example.jp>")
	if a.Fingerprint() != b.Fingerprint() {
		t.Fatalf("fingerprints differ: %s, %s", a.Fingerprint(), b.Fingerprint())
	}
	// The fingerprint of the seed-7 key at created, as served before the
	// key was made with go-crypto (testdata/fuzz/FuzzReadPublicKey/served_key):
	// a deployed key keeps its fingerprint.
	if got, want := testKey(t, 7).Fingerprint(), "4B23C714402C7F44D82B20945EFE7BDB6159B4A1"; got != want {
		t.Errorf("fingerprint: got %s, want %s", got, want)
	}
	ka, kb := must(a.ArmoredPublicKey()), must(b.ArmoredPublicKey())
	if !bytes.Equal(ka, kb) {
		t.Error("the same key armored twice differs")
	}
	at := created.Add(48 * time.Hour)
	if !bytes.Equal(must(a.SignDetached([]byte("d"), at)), must(b.SignDetached([]byte("d"), at))) {
		t.Error("the same signature made twice differs")
	}
	early := must(a.SignDetached([]byte("d"), created.Add(-24*time.Hour)))
	if !bytes.Equal(early, must(a.SignDetached([]byte("d"), created))) {
		t.Error("a signature time before the key was not clamped to the key's creation")
	}
	pub, _ := pgp.ReadPublicKey(ka)
	if err := pub.Verify(early, []byte("d")); err != nil {
		t.Errorf("clamped signature: %v", err)
	}
}

// A Key signs from several goroutines at once (run with -race).
func TestConcurrentSigning(t *testing.T) {
	k := testKey(t, 11)
	want := must(k.SignDetached([]byte("d"), created))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if got, err := k.SignDetached([]byte("d"), created); err != nil || !bytes.Equal(got, want) {
				t.Errorf("concurrent signature: %v, or bytes differ", err)
			}
		})
	}
	wg.Wait()
}

func TestRefusals(t *testing.T) {
	mismatched := append(ed25519.PrivateKey(nil), testPrivate(4)...)
	copy(mismatched[32:], testPrivate(5)[32:]) // the public half of another key
	for _, tc := range []struct {
		name    string
		priv    ed25519.PrivateKey
		created time.Time
		uid     string
	}{
		{"a user id on two lines", testPrivate(4), created, "two\nlines"},
		{"an empty user id", testPrivate(4), created, ""},
		{"a 31-byte private key", make([]byte, 31), created, "k <k@example.jp>"},
		{"a private key whose public half is another key's", mismatched, created, "k <k@example.jp>"},
		{"a creation time before 1970", testPrivate(4), time.Unix(-1, 0), "k <k@example.jp>"},
		{"a creation time after 2106", testPrivate(4), time.Unix(1<<32, 0), "k <k@example.jp>"},
	} {
		if _, err := pgp.NewKey(tc.priv, tc.created, tc.uid); err == nil {
			t.Errorf("NewKey, %s: got no error", tc.name)
		}
	}

	k := testKeyUID(t, 4, "k <k@example.jp>")
	if _, err := k.SignDetached([]byte("d"), time.Unix(1<<32, 0)); err == nil {
		t.Error("a signature time after 2106 was accepted")
	}
	pub, _ := pgp.ReadPublicKey(must(k.ArmoredPublicKey()))
	sig := must(k.SignDetached([]byte("d"), created))
	for _, tc := range []struct {
		name string
		sig  []byte
	}{
		{"a public key given as signature", must(k.ArmoredPublicKey())},
		{"not armored", []byte("hello")},
		{"empty", nil},
		{"too large", bytes.Repeat([]byte("A"), 70<<10)},
		{"armor damaged", bytes.Replace(sig, []byte("\n="), []byte("\n=A"), 1)},
	} {
		if err := pub.Verify(tc.sig, []byte("d")); err == nil {
			t.Errorf("Verify, %s: got no error", tc.name)
		}
	}
	for _, tc := range []struct {
		name string
		key  []byte
	}{
		{"a signature given as key", sig},
		{"two keys in one block", rearmor(t, pgp.PublicKeyBlock, must(k.ArmoredPublicKey()), must(testKey(t, 5).ArmoredPublicKey()))},
		{"a key in a signature block", rearmor(t, pgp.SignatureBlock, must(k.ArmoredPublicKey()))},
		{"too large", bytes.Repeat([]byte("A"), 70<<10)},
	} {
		if _, err := pgp.ReadPublicKey(tc.key); err == nil {
			t.Errorf("ReadPublicKey, %s: got no error", tc.name)
		}
	}
}

// A CSAF tool built on go-crypto (as BSI's csaf_distribution is) reads
// the key and checks the signature with go-crypto's own entry points, not
// through this package.
func TestGoCryptoVerifies(t *testing.T) {
	k := testKey(t, 10)
	doc := []byte(`{"document":{"title":"x"}}`)
	sig := must(k.SignDetached(doc, created.Add(time.Hour)))
	ring, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(must(k.ArmoredPublicKey())))
	if err != nil {
		t.Fatal(err)
	}
	if len(ring) != 1 || len(ring[0].Subkeys) != 0 || ring[0].PrimaryKey.Version != 4 || ring[0].PrimaryKey.PubKeyAlgo != packet.PubKeyAlgoEdDSA {
		t.Fatalf("key ring: got %d keys, want one v4 EdDSA key without subkeys", len(ring))
	}
	signer, err := openpgp.CheckArmoredDetachedSignature(ring, bytes.NewReader(doc), bytes.NewReader(sig), nil)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	if got := strings.ToUpper(hex.EncodeToString(signer.PrimaryKey.Fingerprint)); got != k.Fingerprint() {
		t.Errorf("signer: got %s, want %s", got, k.Fingerprint())
	}
	if _, err := openpgp.CheckArmoredDetachedSignature(ring, bytes.NewReader(append(doc, ' ')), bytes.NewReader(sig), nil); err == nil {
		t.Error("go-crypto verified altered data")
	}
}

// GnuPG, an independent implementation, imports the key and verifies the
// signature, and rejects altered data.
func TestGnuPGVerifies(t *testing.T) {
	gpg, err := exec.LookPath("gpg")
	if err != nil {
		t.Skip("gpg not installed (Debian package gnupg): the GnuPG interoperability check did not run")
	}
	home := t.TempDir()
	os.Chmod(home, 0o700)
	k := testKey(t, 6)
	dir := t.TempDir()
	keyPath, docPath, sigPath := filepath.Join(dir, "key.asc"), filepath.Join(dir, "doc.json"), filepath.Join(dir, "doc.json.asc")
	doc := []byte("{\"document\":{\"title\":\"ÄCD テスト\"}}\n")
	os.WriteFile(keyPath, must(k.ArmoredPublicKey()), 0o600)
	os.WriteFile(docPath, doc, 0o600)
	os.WriteFile(sigPath, must(k.SignDetached(doc, created.Add(time.Minute))), 0o600)
	run := func(args ...string) (string, error) {
		cmd := exec.Command(gpg, append([]string{"--homedir", home, "--batch", "--no-tty", "--status-fd", "1"}, args...)...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("--import", keyPath); err != nil || !strings.Contains(out, "IMPORT_OK") {
		t.Fatalf("gpg --import: %v\n%s", err, out)
	}
	// The key is the EdDSA (22) Ed25519 key GnuPG itself makes, with the
	// flags sign and certify.
	out, err := run("--with-colons", "--list-keys", k.Fingerprint())
	if err != nil || !strings.Contains(out, "\npub:-:255:22:"+k.Fingerprint()[24:]+":") || !strings.Contains(out, ":scSC:") || !strings.Contains(out, ":ed25519:") {
		t.Errorf("gpg --list-keys: want an ed25519 key of algorithm 22 with the flags sc: %v\n%s", err, out)
	}
	out, err = run("--verify", sigPath, docPath)
	if err != nil || !strings.Contains(out, "[GNUPG:] GOODSIG") || !strings.Contains(out, "VALIDSIG "+k.Fingerprint()) {
		t.Fatalf("gpg --verify: %v\n%s", err, out)
	}
	os.WriteFile(docPath, append(doc, ' '), 0o600)
	if out, err := run("--verify", sigPath, docPath); err == nil || !strings.Contains(out, "BADSIG") {
		t.Errorf("gpg verified altered data: %v\n%s", err, out)
	}
}

// rearmor puts the packets of the armored blocks in one block of type typ.
func rearmor(t *testing.T, typ string, blocks ...[]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, typ, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		blk, err := armor.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, blk.Body); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	return buf.Bytes()
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
