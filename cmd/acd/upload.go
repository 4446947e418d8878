package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits and timeouts of the HTTP client that fetches the revocation list
// and uploads runs.
const (
	// uploadAnswerTimeout is how long the server may take to answer once
	// the whole run has been sent: it stores the records as they stream,
	// so only the last of them and the summary's hash remain.
	uploadAnswerTimeout = 5 * time.Minute
	// uploadGrace is how long an interrupted run keeps sending before the
	// upload is abandoned, so the summary of how far it got still reaches
	// the server when it can, yet a stalled server does not hold the
	// process.
	uploadGrace = 30 * time.Second
	// maxAnswer bounds what is read of a server's answer.
	maxAnswer = 64 << 10
	// maxTokenFile bounds the sensor token file.
	maxTokenFile = 4 << 10
)

// checkServerURL accepts an https URL, or a plain http one whose host is a
// loopback address (a test server, or a TLS-terminating proxy on the same
// machine): anything else would send the token and the records in clear.
func checkServerURL(flagName, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, usagef("%s %q: %v", flagName, raw, err)
	}
	switch {
	case u.Host == "":
		return nil, usagef("%s %q: no host", flagName, raw)
	case u.User != nil:
		return nil, usagef("%s: credentials in the URL are refused (the sensor token goes in --sensor-token-file)", flagName)
	case u.Scheme == "https":
		return u, nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return u, nil
	case u.Scheme == "http":
		return nil, usagef("%s %s: plain http is allowed only to a loopback address; use https", flagName, u.Redacted())
	}
	return nil, usagef("%s %q: want an https:// URL", flagName, raw)
}

// isLoopback reports whether host is localhost or a loopback address; names
// other than localhost are not resolved, so they never count.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// newHTTPClient returns the client of `acd select`: TLS with the system's
// roots plus caFile's certificates (a private CA), no redirects to a URL
// checkServerURL would refuse, and timeouts on every step but the body,
// which streams for as long as the run lasts.
func newHTTPClient(caFile string) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// A sensor reaches the server directly; no proxy is taken from the
	// environment, which only main reads.
	tr.Proxy = nil
	tr.ResponseHeaderTimeout = uploadAnswerTimeout
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := readLimited(caFile, 1<<20)
		if err != nil {
			return nil, usagef("--ca-file: %v", err)
		}
		roots, err := x509.SystemCertPool()
		if err != nil {
			roots = x509.NewCertPool()
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, usagef("--ca-file %s: no PEM certificate in it", caFile)
		}
		tr.TLSClientConfig.RootCAs = roots
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.Method != http.MethodGet {
				return http.ErrUseLastResponse // an upload is never re-sent elsewhere
			}
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			_, err := checkServerURL("redirect", req.URL.String())
			return err
		},
	}, nil
}

// readSensorToken reads the sensor token from path, or from the
// environment's ACD_SENSOR_TOKEN when path is empty. The token is never part
// of an error message.
func readSensorToken(e *env, path string) (string, error) {
	what := "ACD_SENSOR_TOKEN"
	tok := e.getenv("ACD_SENSOR_TOKEN")
	if path != "" {
		what = "--sensor-token-file " + path
		b, err := readLimited(path, maxTokenFile)
		if err != nil {
			return "", usagef("--sensor-token-file: %v", err)
		}
		tok = string(b)
	}
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", usagef("--upload needs a sensor token: --sensor-token-file FILE or ACD_SENSOR_TOKEN (issued with the approval)")
	}
	for _, c := range []byte(tok) {
		if c <= ' ' || c >= 0x7f {
			return "", usagef("%s: not a token (it holds a space, control or non-ASCII character)", what)
		}
	}
	return tok, nil
}

// uploadResult is the server's answer to a stored run.
type uploadResult struct {
	ID            string            `json:"id"`
	RunID         string            `json:"run_id"`
	ApprovalID    string            `json:"approval_id"`
	Records       *int64            `json:"records"`
	RecordsStored *int64            `json:"records_stored"`
	HashOK        *bool             `json:"hash_ok"`
	Anomalies     []json.RawMessage `json:"anomalies"`
}

// String is the one line printed on standard error.
func (r *uploadResult) String() string {
	var b strings.Builder
	id := r.RunID
	if id == "" {
		id = r.ID
	}
	if id == "" {
		id = "(no id given)"
	}
	fmt.Fprintf(&b, "upload: run %s stored", clean(id, 80))
	if r.ApprovalID != "" {
		fmt.Fprintf(&b, " under approval %s", clean(r.ApprovalID, 80))
	}
	if n := r.RecordsStored; n != nil {
		fmt.Fprintf(&b, ", %d records", *n)
	} else if n := r.Records; n != nil {
		fmt.Fprintf(&b, ", %d records", *n)
	}
	switch {
	case r.HashOK == nil:
	case *r.HashOK:
		b.WriteString(", output hash verified")
	default:
		b.WriteString(", output hash DOES NOT MATCH the summary")
	}
	fmt.Fprintf(&b, ", %d anomalies", len(r.Anomalies))
	for i, a := range r.Anomalies {
		if i == 3 {
			fmt.Fprintf(&b, "; …")
			break
		}
		sep := ": "
		if i > 0 {
			sep = "; "
		}
		b.WriteString(sep + clean(anomalyText(a), 120))
	}
	return b.String()
}

// anomalyText is a string anomaly, an object's message, code or kind, or
// the compact JSON of anything else.
func anomalyText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o map[string]any
	if json.Unmarshal(raw, &o) == nil {
		str := func(k string) string { v, _ := o[k].(string); return v }
		switch kind, detail := str("kind"), str("detail"); {
		case str("message") != "":
			return str("message")
		case kind != "" && detail != "":
			return kind + " (" + detail + ")"
		case kind != "":
			return kind
		case str("code") != "":
			return str("code")
		}
	}
	var c bytes.Buffer
	if json.Compact(&c, raw) == nil {
		return c.String()
	}
	return string(raw)
}

// clean makes s safe for one terminal line of at most n runes.
func clean(s string, n int) string {
	var b strings.Builder
	for i, r := range s {
		if i >= 4*n || utf8.RuneCountInString(b.String()) >= n {
			b.WriteString("…")
			break
		}
		if r < ' ' || r == 0x7f || r == utf8.RuneError {
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}

// serverError describes a non-2xx answer by its status and the message of
// ACD's error envelope {"error":{"code","message","field"}}, or the start of
// whatever else the body holds.
func serverError(resp *http.Response) string {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	msg := "server answered " + resp.Status
	var env struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) == nil && env.Error.Message != "" {
		msg += ": " + clean(env.Error.Message, 300)
		if env.Error.Field != "" {
			msg += " (field " + clean(env.Error.Field, 80) + ")"
		}
		if env.Error.Code != "" {
			msg += " [" + clean(env.Error.Code, 40) + "]"
		}
		return msg
	}
	if t := strings.TrimSpace(string(body)); t != "" {
		msg += ": " + clean(t, 300)
	}
	return msg
}

// upload streams one run to the server as the body of a single POST while
// the run is written: the engine's output goes through [teeWriter], which
// writes to a pipe that the HTTP request reads. Nothing is buffered beyond
// the pipe's one write.
type upload struct {
	url    *url.URL
	pw     *io.PipeWriter
	cancel context.CancelFunc
	done   chan struct{} // closed when res and err are set
	res    *uploadResult
	err    error
}

// startUpload starts the POST of a run to u. The request outlives an
// interrupt of ctx by uploadGrace, so the summary of an interrupted run
// still reaches the server.
func startUpload(ctx context.Context, client *http.Client, u *url.URL, token string) *upload {
	upCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(uploadGrace, cancel) })
	pr, pw := io.Pipe()
	up := &upload{url: u, pw: pw, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(up.done)
		defer stop()
		up.res, up.err = postRun(upCtx, client, u, token, pr)
		// The server may answer before it has read everything (a refused
		// token): later writes fail at once instead of blocking the run.
		pr.CloseWithError(errUploadEnded)
	}()
	return up
}

// errUploadEnded is what writes to an upload get after the server answered.
var errUploadEnded = errors.New("the server has answered; no more is sent")

func postRun(ctx context.Context, client *http.Client, u *url.URL, token string, body io.Reader) (*uploadResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = -1 // chunked: the run's length is known only at its end
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err // the URL is in the caller's message already
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, errors.New(serverError(resp))
	}
	var res uploadResult
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("read the server's answer: %w", err)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		return nil, fmt.Errorf("server answered %s with a body that is not the expected JSON: %v", resp.Status, err)
	}
	return &res, nil
}

// finish ends the request body and waits for the server's answer. Give
// abort, the local output's write error, when the stream is incomplete: the
// body then ends with an error rather than looking complete, and the server
// discards it.
func (up *upload) finish(abort error) (*uploadResult, error) {
	if abort != nil {
		up.pw.CloseWithError(abort)
	} else {
		up.pw.Close()
	}
	<-up.done
	up.cancel()
	if up.err != nil {
		return nil, fmt.Errorf("upload to %s: %w", up.url.Redacted(), up.err)
	}
	if up.res.HashOK != nil && !*up.res.HashOK {
		return up.res, fmt.Errorf("upload: the server stored run %s but the SHA-256 of what it received does not match the summary's output_sha256", clean(up.res.RunID+up.res.ID, 80))
	}
	return up.res, nil
}

// teeWriter writes the run to the local output and, as long as the upload
// takes it, to the upload. A failing upload never stops the local output;
// a failing local output stops the run, as without an upload.
type teeWriter struct {
	local    io.Writer
	up       *upload
	upFailed bool  // the upload took no more: the server answered or the connection broke
	localErr error // the local output's first write error
}

func (t *teeWriter) Write(p []byte) (int, error) {
	n, err := t.local.Write(p)
	if err != nil {
		t.localErr = err
		return n, err
	}
	if !t.upFailed {
		if _, err := t.up.pw.Write(p); err != nil {
			t.upFailed = true
		}
	}
	return n, nil
}
