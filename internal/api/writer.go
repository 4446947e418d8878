package api

import (
	"context"
	"net/http"
)

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int   // 0 until the header is written
	bytes  int64 // body bytes written
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Flush lets handlers stream through the writer.
func (w *statusWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// started reports whether the response header has gone out.
func (w *statusWriter) started() bool { return w.status != 0 }

// code is the status to log: 200 when the handler wrote nothing.
func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// reqInfo carries what the router learns about a request (route, user) out to
// the middleware around it, which sees only the request it passed in.
type reqInfo struct {
	route  string // ServeMux pattern matched
	userID string // principal, "" for the public
}

type reqInfoKey struct{}

func withReqInfo(ctx context.Context) (context.Context, *reqInfo) {
	if ri, ok := ctx.Value(reqInfoKey{}).(*reqInfo); ok {
		return ctx, ri
	}
	ri := new(reqInfo)
	return context.WithValue(ctx, reqInfoKey{}, ri), ri
}

func infoFrom(ctx context.Context) *reqInfo {
	ri, _ := ctx.Value(reqInfoKey{}).(*reqInfo)
	return ri
}
