package api

import (
	"context"
	"net/http"
	"time"
)

// ReadyTimeout bounds the check of [Readyz].
const ReadyTimeout = 5 * time.Second

// Health is the body of /healthz and of a ready /readyz.
type Health struct {
	Status string `json:"status"` // "ok"
}

// Healthz answers /healthz: 200 {"status":"ok"} while the process serves
// requests. Mount it with Router.Handle and a public action.
func Healthz() HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return WriteJSON(w, http.StatusOK, Health{Status: "ok"})
	}
}

// Readyz answers /readyz: 200 {"status":"ok"} when check (such as a database
// ping) returns nil within ReadyTimeout, else 503 with the error envelope
// (code "unavailable"). The check's error is logged by the router, not shown.
func Readyz(check func(ctx context.Context) error) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx, cancel := context.WithTimeout(r.Context(), ReadyTimeout)
		defer cancel()
		if err := check(ctx); err != nil {
			return Unavailable("not ready", err)
		}
		return WriteJSON(w, http.StatusOK, Health{Status: "ok"})
	}
}
