package api_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/api"
)

type contact struct {
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
}

type embedded struct {
	Sector string `json:"sector"`
}

type account struct {
	embedded
	Username string            `json:"username"`
	Roles    []string          `json:"roles"`
	Contact  *contact          `json:"contact,omitempty"`
	Contacts []contact         `json:"contacts,omitempty"`
	Labels   map[string]int    `json:"labels,omitempty"`
	Extra    map[string]any    `json:"extra,omitempty"`
	Created  time.Time         `json:"created"`
	Limits   map[string][]bool `json:"limits,omitempty"`
}

func jsonRequest(ct, body string) *http.Request {
	r := httptest.NewRequest("POST", "/x", strings.NewReader(body))
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	return r
}

func TestDecode(t *testing.T) {
	const ct = "application/json"
	tests := []struct {
		name   string
		ct     string
		body   string
		limit  int64 // 0: Decode's default
		status int   // 0: success
		field  string
		msg    string // substring of the message
	}{
		// Well-formed input, with charset and promoted fields.
		{name: "ok", ct: ct, body: `{"username":"a","roles":["x"],"sector":"gas","created":"2025-05-16T00:00:00Z"}`},
		{name: "ok charset", ct: "application/json; charset=UTF-8", body: `{"username":"a"}`},
		// Keys match case-insensitively, as encoding/json does.
		{name: "ok case-insensitive key", ct: ct, body: `{"UserName":"a"}`},
		{name: "ok trailing whitespace", ct: ct, body: "{}\n\t "},

		// Content type.
		{name: "no content type", ct: "", body: `{}`, status: 415, msg: "application/json"},
		{name: "form content type", ct: "application/x-www-form-urlencoded", body: `{}`, status: 415},
		{name: "json-like content type", ct: "application/jsonx", body: `{}`, status: 415},
		{name: "latin1", ct: "application/json; charset=latin1", body: `{}`, status: 415, msg: "UTF-8"},
		{name: "bad media type", ct: "application/json; charset", body: `{}`, status: 415},

		// Size.
		{name: "too large", ct: ct, body: `{"username":"` + strings.Repeat("a", 100) + `"}`, limit: 64, status: 413, msg: "64 bytes"},
		{name: "exactly at limit", ct: ct, body: `{"username":"` + strings.Repeat("a", 64-15) + `"}`, limit: 64},
		{name: "default limit", ct: ct, body: `{"username":"` + strings.Repeat("a", 1<<20) + `"}`, status: 413},

		// Empty and trailing data.
		{name: "empty", ct: ct, body: ``, status: 400, msg: "empty body"},
		{name: "only spaces", ct: ct, body: "  \n", status: 400, msg: "empty body"},
		{name: "two values", ct: ct, body: `{} {}`, status: 400, msg: "trailing data at byte 3"},
		{name: "trailing garbage", ct: ct, body: `{"username":"a"}x`, status: 400, msg: "trailing data at byte 16"},

		// Syntax errors give the byte offset.
		{name: "syntax", ct: ct, body: `{"username":}`, status: 400, msg: "invalid JSON at byte 12"},
		{name: "truncated", ct: ct, body: `{"username":"a"`, status: 400, msg: "invalid JSON at byte 15: unexpected end"},

		// Unknown fields are named with their path.
		{name: "unknown top", ct: ct, body: `{"username":"a","admin":true}`, status: 400, field: "admin", msg: `field "admin": unknown field`},
		{name: "unknown nested", ct: ct, body: `{"contact":{"email":"e","fax":"1"}}`, status: 400, field: "contact.fax"},
		{name: "unknown in array", ct: ct, body: `{"contacts":[{"email":"e"},{"emali":"e"}]}`, status: 400, field: "contacts[1].emali"},
		// A key that is known elsewhere is still unknown here.
		{name: "unknown shadowed", ct: ct, body: `{"contacts":[{"email":"e"}],"email":"x"}`, status: 400, field: "email"},
		// Maps and any take every key.
		{name: "map keys free", ct: ct, body: `{"labels":{"anything":1},"extra":{"x":{"y":[1,{"z":2}]}}}`},

		// Type errors name the path and the wanted type.
		{name: "type top", ct: ct, body: `{"username":5}`, status: 400, field: "username", msg: `field "username": want string, got number`},
		{name: "type in array", ct: ct, body: `{"roles":["a",1]}`, status: 400, field: "roles[1]", msg: `field "roles[1]": want string, got number`},
		{name: "type nested array", ct: ct, body: `{"contacts":[{"email":"e"},{"email":true}]}`, status: 400, field: "contacts[1].email", msg: "want string, got bool"},
		{name: "type map value", ct: ct, body: `{"labels":{"a":1,"b":"2"}}`, status: 400, field: "labels.b", msg: "want integer"},
		{name: "type deep", ct: ct, body: `{"limits":{"k":[true,false,"no"]}}`, status: 400, field: "limits.k[2]", msg: "want boolean"},
		{name: "type object for array", ct: ct, body: `{"roles":{"a":1}}`, status: 400, field: "roles", msg: "want array, got object"},
		{name: "type array for object", ct: ct, body: `{"contact":[1]}`, status: 400, field: "contact", msg: "want object, got array"},
		{name: "type root", ct: ct, body: `[1]`, status: 400, msg: "want object, got array"},
		// A method's own error (time.Time) has no position but says what.
		{name: "bad time", ct: ct, body: `{"created":"yesterday"}`, status: 400, msg: "invalid value"},
		{name: "null ok", ct: ct, body: `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v account
			var err error
			if tt.limit > 0 {
				err = api.DecodeLimit(jsonRequest(tt.ct, tt.body), &v, tt.limit)
			} else {
				err = api.Decode(jsonRequest(tt.ct, tt.body), &v)
			}
			if tt.status == 0 {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				return
			}
			var e *api.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %T %v, want *api.Error", err, err)
			}
			if e.Status != tt.status {
				t.Errorf("status: got %d, want %d (%v)", e.Status, tt.status, e)
			}
			if e.Field != tt.field {
				t.Errorf("field: got %q, want %q (%v)", e.Field, tt.field, e)
			}
			if !strings.Contains(e.Message, tt.msg) {
				t.Errorf("message: got %q, want it to contain %q", e.Message, tt.msg)
			}
		})
	}
}

func TestDecodeValue(t *testing.T) {
	var got account
	body := `{"username":"kato","roles":["analyst"],"sector":"finance","contact":{"email":"k@example.jp"},"created":"2025-05-16T09:00:00+09:00"}`
	if err := api.Decode(jsonRequest("application/json", body), &got); err != nil {
		t.Fatal(err)
	}
	want := account{
		embedded: embedded{Sector: "finance"},
		Username: "kato",
		Roles:    []string{"analyst"},
		Contact:  &contact{Email: "k@example.jp"},
		Created:  time.Date(2025, 5, 16, 0, 0, 0, 0, time.UTC),
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(account{})); diff != "" {
		t.Errorf("Decode (-want +got):\n%s", diff)
	}
}

func TestDecodeNoBody(t *testing.T) {
	r := httptest.NewRequest("POST", "/x", nil)
	r.Header.Set("Content-Type", "application/json")
	var v account
	err := api.Decode(r, &v)
	var e *api.Error
	if !errors.As(err, &e) || e.Status != 400 {
		t.Errorf("got %v, want a 400 *api.Error", err)
	}
}

func TestWriteJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	when := time.Date(2025, 5, 16, 9, 30, 0, 0, time.UTC)
	if err := api.WriteJSON(rec, http.StatusCreated, map[string]any{"at": when, "n": 1}); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 201 {
		t.Errorf("status: got %d, want 201", rec.Code)
	}
	if got, want := rec.Header().Get("Content-Type"), "application/json; charset=utf-8"; got != want {
		t.Errorf("Content-Type: got %q, want %q", got, want)
	}
	if got, want := rec.Body.String(), `{"at":"2025-05-16T09:30:00Z","n":1}`+"\n"; got != want {
		t.Errorf("body: got %q, want %q", got, want)
	}

	// An unencodable value leaves the response untouched.
	rec = httptest.NewRecorder()
	if err := api.WriteJSON(rec, 200, map[string]any{"f": func() {}}); err == nil {
		t.Errorf("WriteJSON(func): got nil error")
	}
	if rec.Body.Len() != 0 || len(rec.Header()) != 0 {
		t.Errorf("WriteJSON wrote despite the error: %q %v", rec.Body, rec.Header())
	}
}

func TestErrorEnvelope(t *testing.T) {
	tests := []struct {
		name string
		err  *api.Error
		code int
		body string
	}{
		{"bad request with field", api.BadRequest("roles[1]", "want string"), 400, `{"error":{"code":"bad_request","message":"want string","field":"roles[1]"}}`},
		{"unauthorized", api.Unauthorized("login required"), 401, `{"error":{"code":"unauthenticated","message":"login required"}}`},
		{"forbidden", api.Forbidden("no"), 403, `{"error":{"code":"forbidden","message":"no"}}`},
		// The code and message are filled in from the status when missing.
		{"bare status", &api.Error{Status: 404}, 404, `{"error":{"code":"not_found","message":"Not Found"}}`},
		{"odd status", &api.Error{Status: 418}, 418, `{"error":{"code":"i'm_a_teapot","message":"I'm a teapot"}}`},
		// A status that is no error status is a 500.
		{"zero status", &api.Error{Message: "x"}, 500, `{"error":{"code":"internal","message":"x"}}`},
		// The cause is never shown.
		{"cause hidden", api.Unavailable("not ready", errors.New("dial tcp 10.0.0.1")), 503, `{"error":{"code":"unavailable","message":"not ready"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			api.WriteError(rec, tt.err)
			if rec.Code != tt.code {
				t.Errorf("status: got %d, want %d", rec.Code, tt.code)
			}
			if got := string(bytes.TrimSpace(rec.Body.Bytes())); got != tt.body {
				t.Errorf("body: got %s, want %s", got, tt.body)
			}
		})
	}
	cause := errors.New("disk full")
	e := &api.Error{Status: 500, Err: cause}
	if !errors.Is(e, cause) {
		t.Errorf("errors.Is(Error, cause) = false, want true")
	}
	if got, want := api.BadRequest("name", "too long").Error(), `400 bad_request (field "name"): too long`; got != want {
		t.Errorf("Error(): got %q, want %q", got, want)
	}
}

func TestDecodeLimitDefault(t *testing.T) {
	// A non-positive limit means the default.
	var v account
	if err := api.DecodeLimit(jsonRequest("application/json", `{"username":"a"}`), &v, 0); err != nil {
		t.Errorf("DecodeLimit(0): got %v, want nil", err)
	}
}
