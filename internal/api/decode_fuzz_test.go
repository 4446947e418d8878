package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/acd-platform/acd/internal/api"
)

// fuzzTarget has a field of every shape Decode meets in ACD's request types.
type fuzzTarget struct {
	embedded
	S string            `json:"s"`
	I int64             `json:"i,omitempty"`
	U uint8             `json:"u"`
	F float64           `json:"f"`
	B bool              `json:"b"`
	P *fuzzTarget       `json:"p,omitempty"`
	L []string          `json:"l"`
	M map[string]int    `json:"m"`
	A any               `json:"a"`
	T time.Time         `json:"t"`
	Q int               `json:"q,string,omitempty"`
	C []contact         `json:"c,omitempty"`
	N map[string][]bool `json:"n,omitempty"`
}

// fuzzLimit is small enough for the fuzzer to reach 413.
const fuzzLimit = 4096

// FuzzDecode checks that Decode never panics, that every error is an
// *api.Error with status 400, 413 or 415, and that whatever it accepts
// survives a round trip: encoding the value and decoding it again gives the
// same value.
func FuzzDecode(f *testing.F) {
	const ct = "application/json"
	f.Add(ct, []byte(`{"s":"x","i":1,"u":255,"f":1.5,"b":true,"l":["a"],"m":{"k":1},"a":[1,"x",null],"t":"2025-05-16T09:00:00Z","q":"7","sector":"gas"}`)) // every field
	f.Add(ct, []byte(`{"p":{"p":{"s":"deep","c":[{"email":"e@example.jp"}]}}}`))                                                                           // nesting
	f.Add(ct, []byte(`{"t":"2025-05-16T18:00:00+09:00"}`))                                                                                                 // time with an offset
	f.Add(ct, []byte(`{"s":"\u65e5\u672c","S":"case","a":{"x":{"y":[1e308,-0,0.1]}}}`))                                                                    // escapes, case-folded duplicate key, floats
	f.Add(ct, []byte(`{"n":{"k":[true,false]},"m":{"a":null},"l":null}`))                                                                                  // nulls
	f.Add(ct, []byte(`{"u":256}`))                                                                                                                         // out of range
	f.Add(ct, []byte(`{"l":["a",1]}`))                                                                                                                     // type error in an array
	f.Add(ct, []byte(`{"c":[{"email":"e"},{"fax":"1"}]}`))                                                                                                 // unknown nested field
	f.Add(ct, []byte(`{"s":"x"} {}`))                                                                                                                      // trailing data
	f.Add(ct, []byte(`{"s":`))                                                                                                                             // truncated
	f.Add(ct, []byte(""))                                                                                                                                  // empty
	f.Add(ct, []byte(`{"q":"x"}`))                                                                                                                         // ",string" with a non-number
	f.Add(ct, []byte("{\"s\":\"\xff\xfe\"}"))                                                                                                              // invalid UTF-8 in a string
	f.Add("application/json; charset=utf-8", []byte(`{}`))                                                                                                 // charset
	f.Add("text/plain", []byte(`{}`))                                                                                                                      // wrong content type
	f.Add(ct, bytes.Repeat([]byte(" "), fuzzLimit+1))                                                                                                      // over the limit
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		var v fuzzTarget
		err := api.DecodeLimit(newFuzzRequest(contentType, body), &v, fuzzLimit)
		if err != nil {
			var e *api.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not an *api.Error", err, err)
			}
			if e.Status != 400 && e.Status != 413 && e.Status != 415 {
				t.Fatalf("error %v: status %d, want 400, 413 or 415", e, e.Status)
			}
			return
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("encode decoded value %+v: %v", v, err)
		}
		var w fuzzTarget
		if err := api.Decode(newFuzzRequest("application/json", again), &w); err != nil {
			t.Fatalf("decode re-encoded %s: %v", again, err)
		}
		// omitempty drops empty slices and maps, which come back nil.
		if diff := cmp.Diff(v, w, cmp.AllowUnexported(fuzzTarget{}), cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip of %q changed the value (-first +second):\n%s", body, diff)
		}
		third, err := json.Marshal(w)
		if err != nil {
			t.Fatalf("encode %+v: %v", w, err)
		}
		if !bytes.Equal(again, third) {
			t.Fatalf("round trip of %q: encoded %s, then %s", body, again, third)
		}
	})
}

func newFuzzRequest(contentType string, body []byte) *http.Request {
	r := httptest.NewRequest("POST", "/fuzz", bytes.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	return r
}
