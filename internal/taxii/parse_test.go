package taxii_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/taxii"
)

const (
	// goodCursor is a well-formed next token (its MAC is made up).
	goodCursor    = "t1.0123456789abcdef.1775001600000000.42.1775088000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	indicatorJSON = `{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2025-05-16T09:00:00.000Z","modified":"2025-05-16T09:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2025-05-16T09:00:00.000Z"}`
)

func TestParseCursor(t *testing.T) {
	c, err := taxii.ParseCursor(goodCursor)
	if err != nil {
		t.Fatal(err)
	}
	want := taxii.Cursor{KeyID: "0123456789abcdef", DateAdded: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Seq: 42,
		Expires: time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC), MAC: make([]byte, 32)}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("ParseCursor (-want +got):\n%s", diff)
	}
	if got := c.String(); got != goodCursor {
		t.Errorf("String = %q, want %q", got, goodCursor)
	}
	parts := strings.Split(goodCursor, ".")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, ".")
	}
	for _, tc := range []struct {
		in, want string
	}{
		{"", "want 6 dot-separated parts, have 1"},
		{"t1.a.b", "want 6 dot-separated parts, have 3"},
		{goodCursor + ".x", "want 6 dot-separated parts, have 7"},
		{with(0, "t2"), `part 1: want "t1"`},
		{with(1, "0123456789ABCDEF"), "part 2: want a key id"},               // upper case
		{with(1, "0123"), "part 2: want a key id"},                           // short
		{with(2, "-1"), "part 3: want date_added in microseconds"},           // negative
		{with(2, "01775001600000000"), "part 3: want date_added"},            // leading zero: two spellings
		{with(2, "99999999999999999999"), "part 3"},                          // overflow
		{with(3, "+42"), "part 4: want a sequence number"},                   // sign
		{with(4, "1e9"), "part 5: want the expiry"},                          //
		{with(5, "AAAA"), "part 6: want a 32-byte MAC"},                      // short
		{with(5, strings.Repeat("A", 42)+"B"), "part 6: want a 32-byte MAC"}, // non-zero padding bits: two spellings
		{with(5, strings.Repeat("A", 42)+"="), "part 6"},                     // padding
		{with(5, strings.Repeat("A", 21)+"\n"+strings.Repeat("A", 21)), "part 6"},
		{strings.Repeat("x", 300), "longer than 256 characters"},
	} {
		_, err := taxii.ParseCursor(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, taxii.ErrCursor) {
			t.Errorf("ParseCursor(%.40q) = %v, want an ErrCursor saying %q", tc.in, err, tc.want)
		}
	}
}

func TestParseQuery(t *testing.T) {
	at := time.Date(2026, 4, 1, 9, 30, 0, 123456000, time.UTC)
	for _, tc := range []struct {
		e    taxii.Endpoint
		in   string
		want taxii.Query
		err  string // "" when valid
	}{
		// Nothing: the zero query.
		{taxii.EndpointObjects, "", taxii.Query{}, ""},
		// Every filter of the objects endpoint.
		{taxii.EndpointObjects, "added_after=2026-04-01T09:30:00.123456Z&limit=7&next=" + goodCursor +
			"&match[id]=indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f&match[type]=indicator,malware&match[version]=first,2026-04-01T09:30:00.1234567Z&match[spec_version]=2.1",
			taxii.Query{AddedAfter: at, Limit: 7, Next: goodCursor, IDs: []string{"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"},
				Types: []string{"indicator", "malware"}, Versions: []string{"first", "2026-04-01T09:30:00.123456Z"}, SpecVersions: []string{"2.1"}}, ""},
		// Repeats and duplicates fold into one list.
		{taxii.EndpointManifest, "match[type]=malware&match[type]=tool,malware", taxii.Query{Types: []string{"malware", "tool"}}, ""},
		// Spaces around list items are dropped.
		{taxii.EndpointObjects, "match[version]=last,%20all", taxii.Query{Versions: []string{"last", "all"}}, ""},
		{taxii.EndpointObject, "match[type]=tool", taxii.Query{}, `unknown query parameter "match[type]": this endpoint takes added_after, limit, next, match[version], match[spec_version]`},
		{taxii.EndpointVersions, "match[version]=all", taxii.Query{}, `unknown query parameter "match[version]"`},
		{taxii.EndpointObjects, "match[foo]=1", taxii.Query{}, `match[foo]: unknown query parameter`},
		{taxii.EndpointObjects, "limit=0", taxii.Query{}, `limit: "0": want a positive integer`},
		{taxii.EndpointObjects, "limit=1&limit=2", taxii.Query{}, "limit: given 2 times; give it once"},
		{taxii.EndpointObjects, "added_after=2026-04-01", taxii.Query{}, `added_after: "2026-04-01" is not an RFC 3339 timestamp in UTC`},
		{taxii.EndpointObjects, "match[id]=indicator", taxii.Query{}, `match[id]: "indicator" is not an identifier`},
		{taxii.EndpointObjects, "match[type]=a", taxii.Query{}, `match[type]: "a" is not a STIX type name`},
		{taxii.EndpointObjects, "match[type]=x--y", taxii.Query{}, `match[type]: "x--y" is not a STIX type name`},
		{taxii.EndpointObjects, "match[type]=tool,,malware", taxii.Query{}, `match[type]: "tool,,malware": empty value in the list`},
		{taxii.EndpointObjects, "match[version]=newest", taxii.Query{}, `match[version]: "newest": want last, first, all or a timestamp`},
		{taxii.EndpointObjects, "match[spec_version]=2", taxii.Query{}, `match[spec_version]: "2": want a STIX version such as 2.1`},
		{taxii.EndpointObjects, "next=", taxii.Query{}, "next: want the next value of the previous page"},
		{taxii.EndpointObjects, "match[id]=" + strings.Repeat("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f,", 101), taxii.Query{}, "match[id]: more than 100 values"},
	} {
		v, err := url.ParseQuery(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := taxii.ParseQuery(tc.e, v)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseQuery(%s, %.60q) = %v, want an error saying %q", tc.e, tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseQuery(%s, %.60q): %v", tc.e, tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseQuery(%s, %.60q) (-want +got):\n%s", tc.e, tc.in, diff)
		}
	}
}

func TestReadEnvelopeAndBundle(t *testing.T) {
	env := `{"objects":[` + indicatorJSON + `,{"type":"x"}]}`
	objs, err := taxii.ReadEnvelope([]byte(env))
	if err != nil || len(objs) != 2 || string(objs[0]) != indicatorJSON {
		t.Fatalf("ReadEnvelope = %d objects, %v", len(objs), err)
	}
	bundle := `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[` + indicatorJSON + `]}`
	objs, err = taxii.ReadBundle([]byte(bundle))
	if err != nil || len(objs) != 1 || string(objs[0]) != indicatorJSON {
		t.Fatalf("ReadBundle = %d objects, %v", len(objs), err)
	}
	for _, tc := range []struct {
		bundle bool
		in     string
		want   string
	}{
		{false, `{"objects":[1,`, "envelope: invalid JSON"},
		{false, `{"objects":[` + indicatorJSON + `],"more":false,"next":"x"}`, ""}, // a page sent back is an envelope too
		{false, `{"objects":null}`, "objects: want a list"},
		{true, `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d"}`, "objects: required"},
		{true, `{"type":"grouping","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{}]}`, `bundle: type: "grouping": want "bundle"`},
		{true, `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{}],"type":"bundle"}`, "appears twice"},
		{true, `"bundle"`, "bundle: want a JSON object"},
	} {
		read := taxii.ReadEnvelope
		if tc.bundle {
			read = taxii.ReadBundle
		}
		_, err := read([]byte(tc.in))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%.50s: %v", tc.in, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%.50s: error %v, want one saying %q", tc.in, err, tc.want)
		}
	}
	// At most stix.MaxObjects objects.
	var b bytes.Buffer
	b.WriteString(`{"objects":[`)
	for i := range 10001 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("{}")
	}
	b.WriteString("]}")
	if _, err := taxii.ReadEnvelope(b.Bytes()); err == nil || !strings.Contains(err.Error(), "more than 10000 objects") {
		t.Errorf("10001 objects: %v", err)
	}
}

// FuzzReadEnvelope checks that ReadEnvelope never panics, that its errors
// name a field (a *taxii.FieldError), and that what it accepts is a list of
// 1 to 10000 JSON values that re-encode as an envelope it accepts again.
// Seeds are in testdata/fuzz/FuzzReadEnvelope.
func FuzzReadEnvelope(f *testing.F) {
	f.Add([]byte(`{"objects":[` + indicatorJSON + `]}`)) // one object
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := taxii.ReadEnvelope(data)
		if err != nil {
			var fe *taxii.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error is a %T, want *taxii.FieldError: %v", err, err)
			}
			return
		}
		checkObjects(t, objs)
		again, err := taxii.ReadEnvelope(mustMarshal(t, map[string]any{"objects": objs}))
		if err != nil || len(again) != len(objs) {
			t.Fatalf("re-encoded envelope: %d objects, %v; want %d", len(again), err, len(objs))
		}
	})
}

// FuzzReadBundle is FuzzReadEnvelope for bundles. Seeds are in
// testdata/fuzz/FuzzReadBundle.
func FuzzReadBundle(f *testing.F) {
	f.Add([]byte(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[` + indicatorJSON + `]}`)) // one object
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := taxii.ReadBundle(data)
		if err != nil {
			var fe *taxii.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error is a %T, want *taxii.FieldError: %v", err, err)
			}
			return
		}
		checkObjects(t, objs)
	})
}

func checkObjects(t *testing.T, objs []json.RawMessage) {
	t.Helper()
	if len(objs) == 0 || len(objs) > 10000 {
		t.Fatalf("%d objects accepted", len(objs))
	}
	for i, o := range objs {
		if !json.Valid(o) {
			t.Fatalf("objects[%d] is not JSON: %q", i, o)
		}
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzParseCursor checks that ParseCursor never panics, that its errors
// wrap ErrCursor, and that a token it accepts has one spelling: String
// gives it back unchanged. Seeds are in testdata/fuzz/FuzzParseCursor.
func FuzzParseCursor(f *testing.F) {
	f.Add(goodCursor) // a well-formed token
	f.Fuzz(func(t *testing.T, s string) {
		c, err := taxii.ParseCursor(s)
		if err != nil {
			if !errors.Is(err, taxii.ErrCursor) {
				t.Fatalf("error does not wrap ErrCursor: %v", err)
			}
			return
		}
		if got := c.String(); got != s {
			t.Fatalf("String() = %q, want the token parsed, %q", got, s)
		}
	})
}

// FuzzParseQuery checks that ParseQuery never panics, that its errors are
// *taxii.FieldError, and that what it accepts respects the limits. Seeds
// are in testdata/fuzz/FuzzParseQuery.
func FuzzParseQuery(f *testing.F) {
	f.Add("match[type]=indicator&limit=10") // a common query
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		for _, e := range []taxii.Endpoint{taxii.EndpointObjects, taxii.EndpointObject, taxii.EndpointVersions} {
			q, err := taxii.ParseQuery(e, v)
			if err != nil {
				var fe *taxii.FieldError
				if !errors.As(err, &fe) || fe.Field == "" {
					t.Fatalf("error %v (%T) names no field", err, err)
				}
				continue
			}
			if len(q.IDs) > taxii.MaxMatchValues || len(q.Types) > taxii.MaxMatchValues || q.Limit < 0 {
				t.Fatalf("limits broken: %+v", q)
			}
		}
	})
}
