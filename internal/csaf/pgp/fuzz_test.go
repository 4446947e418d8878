package pgp_test

import (
	"testing"

	"github.com/acd-platform/acd/internal/csaf/pgp"
)

// FuzzReadPublicKey checks that any input reads as a key or fails with an
// error, never a panic, and that a key read back verifies nothing it did
// not sign. The seeds under testdata/fuzz/FuzzReadPublicKey are named for
// what they are.
func FuzzReadPublicKey(f *testing.F) {
	k := testKey(f, 7)
	f.Add(must(k.ArmoredPublicKey()))                                                                    // a key as the provider serves it
	f.Add([]byte("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n=twTO\n-----END PGP PUBLIC KEY BLOCK-----\n")) // an empty block
	f.Fuzz(func(t *testing.T, b []byte) {
		pub, err := pgp.ReadPublicKey(b)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if len(pub.Fingerprint) != 40 {
			t.Fatalf("fingerprint %q", pub.Fingerprint)
		}
		if pub.Verify(b, b) == nil {
			t.Fatal("a key verified as a signature")
		}
	})
}

// FuzzVerify checks that any signature input is read and checked without
// a panic, and that a failure is an error that says something. (A variant
// of the real signature may verify: armor allows other headers and line
// lengths, and OpenPGP leaves unhashed subpackets unsigned.)
func FuzzVerify(f *testing.F) {
	k := testKey(f, 8)
	pub, err := pgp.ReadPublicKey(must(k.ArmoredPublicKey()))
	if err != nil {
		f.Fatal(err)
	}
	data := []byte(`{"document":{}}`)
	f.Add(must(k.SignDetached(data, created)))                                            // the real signature
	f.Add(must(k.SignDetached([]byte("other"), created)))                                 // a signature of other data
	f.Add([]byte("-----BEGIN PGP SIGNATURE-----\n\nwsA=\n-----END PGP SIGNATURE-----\n")) // a truncated packet
	f.Fuzz(func(t *testing.T, sig []byte) {
		if err := pub.Verify(sig, data); err != nil && err.Error() == "" {
			t.Fatal("empty error")
		}
	})
}
