package sharingapi_test

import (
	"encoding/json"
	"github.com/acd-platform/acd/internal/deadline"
	"net/http"
	"testing"

	"github.com/acd-platform/acd/internal/sharing/sharingtest"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func each(t *testing.T, fn func(t *testing.T, e *sharingtest.Env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, sharingtest.New(t, db)) })
}

// envelope is the API's error envelope with its messages.
type envelope struct {
	Error struct {
		Code     string            `json:"code"`
		Field    string            `json:"field"`
		Message  string            `json:"message"`
		Messages map[string]string `json:"messages"`
	} `json:"error"`
}

// call sends body as JSON as user and fails t unless the status is want;
// it decodes the response into out unless out is nil.
func call(t *testing.T, e *sharingtest.Env, method, path, user, body string, want int, out any) []byte {
	t.Helper()
	return e.Client.Call(t, method, path, user, body, want, out)
}

// refused sends body as user and fails t unless the answer is status with
// code, and, for a refusal, its message in English and Japanese.
func refused(t *testing.T, e *sharingtest.Env, what, method, path, user, body string, status int, code string) {
	t.Helper()
	got, _, b := e.Client.Do(t, method, path, user, "", body)
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		t.Errorf("%s: status %d, body %s", what, got, b)
		return
	}
	if got != status || env.Error.Code != code {
		t.Errorf("%s: got %d %s (%s), want %d %s", what, got, env.Error.Code, env.Error.Message, status, code)
		return
	}
	if status != http.StatusNotFound && status != http.StatusBadRequest && code != "forbidden" &&
		(env.Error.Messages["en"] == "" || env.Error.Messages["ja"] == "" || env.Error.Messages["en"] == env.Error.Messages["ja"]) {
		t.Errorf("%s: refusal without messages in en and ja: %+v", what, env.Error)
	}
}

// js encodes v as JSON.
func js(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type sharingMessage = deadline.Message
