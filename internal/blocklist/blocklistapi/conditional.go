package blocklistapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/blocklist"
)

// writeFeed writes a feed with its validators (ETag, Last-Modified) and
// cacheControl, or 304 Not Modified when the request's preconditions say
// the client already has it (RFC 9110 §13.1.2, §13.1.3, §15.4.5).
func writeFeed(w http.ResponseWriter, r *http.Request, feed blocklist.Feed, cacheControl string) {
	hdr := w.Header()
	hdr.Set("ETag", feed.ETag)
	hdr.Set("Last-Modified", feed.LastModified.UTC().Format(http.TimeFormat))
	hdr.Set("Cache-Control", cacheControl)
	if notModified(r, feed) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hdr.Set("Content-Type", feed.ContentType)
	hdr.Set("Content-Length", strconv.Itoa(len(feed.Body)))
	hdr.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(feed.Body)
	}
}

// notModified reports whether a GET or HEAD of feed should be answered
// 304. If-None-Match, when present, decides alone (weak comparison, "*"
// matching any); otherwise If-Modified-Since does, at the one-second
// precision of HTTP dates. An If-Modified-Since that is not an HTTP date
// is ignored, as RFC 9110 §13.1.3 says.
func notModified(r *http.Request, feed blocklist.Feed) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if inm := r.Header.Values("If-None-Match"); len(inm) > 0 {
		return etagMatches(strings.Join(inm, ","), feed.ETag)
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" {
		return false
	}
	t, err := http.ParseTime(ims)
	if err != nil {
		return false
	}
	return !feed.LastModified.Truncate(time.Second).After(t)
}

// etagMatches reports whether the If-None-Match list holds etag, by weak
// comparison (a W/ prefix on either side is ignored). Malformed members
// match nothing.
func etagMatches(list, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for _, m := range strings.Split(list, ",") {
		m = strings.TrimSpace(m)
		if m == "*" {
			return true
		}
		if strings.TrimPrefix(m, "W/") == etag {
			return true
		}
	}
	return false
}
