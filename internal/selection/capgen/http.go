package capgen

import (
	"net/http"
	"strconv"
	"time"
)

// userAgents are the User-Agent values of HTTP requests.
var userAgents = [...]string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
	"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
	"curl/8.5.0",
	"python-requests/2.32.3",
	"Go-http-client/1.1",
	"Wget/1.21.4",
}

// httpExactServer is the foreign HTTP server whose name a fixed criteria rule
// lists exactly; watchedHTTPServers is how many foreign HTTP servers, from
// index 0, a fixed rule lists by address.
const (
	httpExactServer    = 40
	watchedHTTPServers = 8
)

// gatePath is the target of the POST requests that a fixed criteria rule's
// command pattern ("POST /gate.php") matches.
const gatePath = "/gate.php"

func (g *gen) setupHTTP(f *flow) {
	r := g.r
	f.name = g.names.server[f.pool[server]][svcHTTP][f.sidx]
	f.ua = uint8(r.intn(len(userAgents)))
	switch x := r.intn(100); {
	case x < 65:
		f.nreq = 1
	case x < 85:
		f.nreq = 2
	default:
		f.nreq = 3
	}
	if f.nreq > 1 && r.chance(0.5) {
		f.setPlan(opHTTPRequests, opHTTPResponses) // pipelined
	} else {
		for range f.nreq {
			f.addPlan(opHTTPRequest, opHTTPResponse)
		}
	}
	if f.pool[server] == poolForeign {
		if f.sidx < watchedHTTPServers {
			f.matches |= 1 << ruleHTTPServers
		}
		if f.sidx == httpExactServer {
			f.matches |= 1 << ruleNamesExact
		}
	}
}

func (g *gen) buildHTTP(f *flow, op uint8) {
	switch op {
	case opHTTPRequest:
		f.from = client
		g.appendRequest(f)
		g.maybeSplit(f)
	case opHTTPRequests:
		f.from = client
		for range f.nreq {
			g.appendRequest(f)
		}
		g.maybeSplit(f)
	case opHTTPResponse:
		f.from = server
		g.appendResponse(f)
	case opHTTPResponses:
		f.from = server
		for range f.nreq {
			g.appendResponse(f)
		}
	}
}

// maybeSplit makes a quarter of client messages start with one or two short
// segments, so that a request head arrives in pieces.
func (g *gen) maybeSplit(f *flow) {
	n := len(f.buf)
	if n < 40 || !g.r.chance(0.25) {
		return
	}
	f.cut[0] = int32(g.r.between(8, min(n/2, 200)))
	if g.r.chance(0.4) {
		f.cut[1] = int32(g.r.between(8, min(n/2, 200)))
	}
}

// appendRequest appends one HTTP/1.1 request to f.buf.
func (g *gen) appendRequest(f *flow) {
	r := g.r
	post := r.chance(0.2)
	var target int
	if post {
		f.buf = append(f.buf, "POST "...)
		switch x := r.intn(100); {
		case x < 15:
			target = 2
		case x < 55:
			target = 1
		default:
			target = 0
		}
	} else {
		f.buf = append(f.buf, "GET "...)
		target = r.intn(6)
	}
	start := len(f.buf)
	var body int // POST body kind
	switch {
	case post && target == 0:
		f.buf = append(f.buf, "/api/v2/upload"...)
		body = 1
	case post && target == 1:
		f.buf = append(f.buf, "/login"...)
		body = 2
	case post:
		f.buf = append(f.buf, gatePath...)
		body = 3
		if f.dir != dirDomesticDomestic {
			f.matches |= 1 << ruleGatePost
		}
	case target == 0:
		f.buf = append(f.buf, "/search?q="...)
		g.putCanary(f, canaryQueryValue)
		f.buf = append(f.buf, "&lang=ja"...)
	case target == 1:
		f.buf = append(f.buf, "/"...)
	case target == 2:
		f.buf = append(f.buf, "/api/v1/items/"...)
		f.buf = strconv.AppendInt(f.buf, int64(r.between(1, 50)), 10)
		f.buf = append(f.buf, "?page="...)
		f.buf = strconv.AppendInt(f.buf, int64(r.between(1, 9)), 10)
		f.buf = append(f.buf, "&sort=asc"...)
	case target == 3:
		f.buf = append(f.buf, "/static/js/app.js?v="...)
		f.buf = strconv.AppendInt(f.buf, int64(r.between(100, 999)), 10)
	case target == 4:
		f.buf = append(f.buf, "/images/logo.png"...)
	default:
		f.buf = append(f.buf, "/news/2026/11/"...)
		f.buf = strconv.AppendInt(f.buf, int64(r.between(1, 30)), 10)
		f.buf = append(f.buf, ".html"...)
	}
	f.addMark(uint8(mechPath), start, 0, 0)
	f.buf = append(f.buf, " HTTP/1.1\r\nHost: "...)
	f.putMech(mechHost, f.name)
	f.buf = append(f.buf, "\r\nUser-Agent: "...)
	f.putMech(mechUserAgent, userAgents[f.ua])
	f.buf = append(f.buf, "\r\nAccept: */*\r\nAccept-Language: ja,en-US;q=0.9,en;q=0.8\r\nAccept-Encoding: gzip, deflate\r\n"...)
	if r.chance(0.5) {
		f.buf = append(f.buf, "Cookie: sid="...)
		g.putCanary(f, canaryCookie)
		f.buf = append(f.buf, "; theme=dark\r\n"...)
	}
	if r.chance(0.25) {
		f.buf = append(f.buf, "Authorization: Bearer "...)
		g.putCanary(f, canaryAuthorization)
		f.buf = append(f.buf, "\r\n"...)
	}
	if !post {
		f.buf = append(f.buf, "Connection: keep-alive\r\n\r\n"...)
		return
	}
	// The body's length is known before it is written: its fixed parts (the
	// numbers have fixed widths), the canary and the filler.
	var pre, post2 string
	num, width, fill := 0, 0, 0
	switch body {
	case 1:
		f.buf = append(f.buf, "Content-Type: application/json\r\n"...)
		pre, post2 = `{"name":"report.txt","data":"`, `"}`
		fill = r.between(0, 3000)
	case 2:
		f.buf = append(f.buf, "Content-Type: application/x-www-form-urlencoded\r\n"...)
		pre, post2 = "user=u", "&password="
		num, width = r.between(1000, 9999), 4
	default:
		f.buf = append(f.buf, "Content-Type: application/x-www-form-urlencoded\r\n"...)
		pre, post2 = "id=", "&data="
		num, width = r.between(100000, 999999), 6
		fill = r.between(0, 400)
	}
	n := len(pre) + width + len(post2) + g.nextCanaryLen(canaryHTTPBody) + fill
	f.buf = append(f.buf, "Content-Length: "...)
	f.buf = strconv.AppendInt(f.buf, int64(n), 10)
	f.buf = append(f.buf, "\r\nConnection: keep-alive\r\n\r\n"...)
	f.buf = append(f.buf, pre...)
	if body != 1 {
		f.buf = strconv.AppendInt(f.buf, int64(num), 10)
		f.buf = append(f.buf, post2...)
	}
	g.putCanary(f, canaryHTTPBody)
	f.buf = appendFiller(f.buf, g.alnum, r.intn(len(g.alnum)), fill)
	if body == 1 {
		f.buf = append(f.buf, post2...)
	}
}

// appendResponse appends one HTTP/1.1 response to f.buf.
func (g *gen) appendResponse(f *flow) {
	r := g.r
	status := "200 OK"
	switch x := r.intn(100); {
	case x < 8:
		status = "404 Not Found"
	case x < 15:
		status = "304 Not Modified"
	}
	f.buf = append(f.buf, "HTTP/1.1 "...)
	f.buf = append(f.buf, status...)
	f.buf = append(f.buf, "\r\nDate: "...)
	f.buf = time.Unix(0, g.now).UTC().AppendFormat(f.buf, http.TimeFormat)
	f.buf = append(f.buf, "\r\nServer: nginx/1.26.2\r\n"...)
	if status[0] == '3' {
		f.buf = append(f.buf, "ETag: \""...)
		f.buf = appendFiller(f.buf, g.alnum, r.intn(len(g.alnum)), 16)
		f.buf = append(f.buf, "\"\r\nConnection: keep-alive\r\n\r\n"...)
		return
	}
	n := g.bodySize()
	n = max(n, g.nextCanaryLen(canaryResponseBody))
	f.buf = append(f.buf, "Content-Type: text/html; charset=utf-8\r\nContent-Length: "...)
	f.buf = strconv.AppendInt(f.buf, int64(n), 10)
	f.buf = append(f.buf, "\r\nConnection: keep-alive\r\n\r\n"...)
	c := g.nextCanaryLen(canaryResponseBody)
	g.putCanary(f, canaryResponseBody)
	f.buf = appendFiller(f.buf, g.text, r.intn(len(g.text)), n-c)
}

// bodySize draws the size of a response body: mostly within one segment,
// some a few segments, a few tens of KB.
func (g *gen) bodySize() int {
	switch x := g.r.intn(100); {
	case x < 60:
		return g.r.between(100, 900)
	case x < 90:
		return g.r.between(900, 4000)
	default:
		return g.r.between(4000, 20000)
	}
}
