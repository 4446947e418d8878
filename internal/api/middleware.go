package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"
)

// Middleware wraps an http.Handler.
type Middleware func(http.Handler) http.Handler

// Chain wraps h in mws, the first outermost: Chain(h, a, b) is a(b(h)).
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// RequestIDHeader carries the request ID in both directions.
const RequestIDHeader = "X-Request-ID"

type requestIDKey struct{}

// RequestID returns the request ID that AssignRequestID put in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// AssignRequestID gives every request an ID, put in the context (see
// [RequestID]) and echoed in the X-Request-ID response header. An incoming
// X-Request-ID is kept when it is 1–64 characters of [A-Za-z0-9._-], so that
// a proxy's ID ties the logs together; otherwise a random one is made.
func AssignRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !saneRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

func saneRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// newRequestID returns 128 random bits in hex.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// AccessLog logs one line per request at Info (Warn for 5xx): method, path,
// route pattern, status, bytes, duration, request ID and the principal's user
// ID. It logs the path only — never the query string, headers (Authorization,
// Cookie) or bodies, which can hold secrets and personal data.
func AccessLog(logger *slog.Logger) Middleware {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("component", "http")
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			ctx, info := withReqInfo(r.Context())
			sw := &statusWriter{ResponseWriter: w}
			defer func() {
				level := slog.LevelInfo
				if sw.code() >= 500 {
					level = slog.LevelWarn
				}
				logger.LogAttrs(ctx, level, "request",
					slog.String("method", r.Method),
					slog.String("path", r.URL.Path),
					slog.String("route", info.route),
					slog.Int("status", sw.code()),
					slog.Int64("bytes", sw.bytes),
					slog.Duration("duration", time.Since(start)),
					slog.String("request_id", RequestID(ctx)),
					slog.String("user", info.userID),
				)
			}()
			next.ServeHTTP(sw, r.WithContext(ctx))
		})
	}
}

// Recover turns a panic below it into a 500 envelope (when nothing was
// written yet) and logs it with the stack and request ID. The Router already
// recovers in handlers; this catches the rest. http.ErrAbortHandler is
// passed on, as net/http expects.
func Recover(logger *slog.Logger) Middleware {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sw := &statusWriter{ResponseWriter: w}
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logger.Error("panic", "request_id", RequestID(r.Context()), "path", r.URL.Path,
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if !sw.started() {
					WriteError(sw, internalError(nil))
				}
			}()
			next.ServeHTTP(sw, r)
		})
	}
}

// DefaultCSP is the Content-Security-Policy of SecurityHeaders: same-origin
// resources only, no inline scripts or styles, no plugins, no framing, forms
// post only to ACD, no <base>.
const DefaultCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// DefaultPermissionsPolicy turns off the browser features ACD never uses.
const DefaultPermissionsPolicy = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), " +
	"magnetometer=(), microphone=(), payment=(), usb=()"

// HeadersConfig configures SecurityHeaders. The zero value is right for a
// server behind no TLS (tests, a TLS-terminating proxy that adds HSTS itself).
type HeadersConfig struct {
	// TLS says the server is reached over HTTPS; only then is
	// Strict-Transport-Security sent.
	TLS bool
	// HSTSMaxAge is the Strict-Transport-Security max-age; default two years.
	HSTSMaxAge time.Duration
	// CSP replaces DefaultCSP when set.
	CSP string
}

// SecurityHeaders sets the browser security headers on every response:
// Content-Security-Policy, X-Content-Type-Options, Referrer-Policy,
// X-Frame-Options, Cross-Origin-Opener-Policy, Cross-Origin-Resource-Policy,
// Permissions-Policy, and Strict-Transport-Security when cfg.TLS is set.
// Handlers may override them per response.
func SecurityHeaders(cfg HeadersConfig) Middleware {
	csp := cfg.CSP
	if csp == "" {
		csp = DefaultCSP
	}
	maxAge := cfg.HSTSMaxAge
	if maxAge <= 0 {
		maxAge = 2 * 365 * 24 * time.Hour
	}
	hsts := "max-age=" + strconv.FormatInt(int64(maxAge/time.Second), 10) + "; includeSubDomains"
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Security-Policy", csp)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Cross-Origin-Resource-Policy", "same-origin")
			h.Set("Permissions-Policy", DefaultPermissionsPolicy)
			if cfg.TLS {
				h.Set("Strict-Transport-Security", hsts)
			}
			next.ServeHTTP(w, r)
		})
	}
}
