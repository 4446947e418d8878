// Command taxii benchmarks ACD's TAXII 2.1 server against the targets of
// issue 7: users of the best-known platforms report that a 100-object TAXII
// page takes seconds and that ingestion crawls at a few bundles a second.
//
//  1. Bulk-load N objects (default 1,000,000) into the public collection of
//     a fresh SQLite database, through taxii.Service.Add: every object is
//     checked by package stix and against the OASIS schemas, as a post is.
//  2. Serve 1,000-object pages over HTTP (a real api.Router on a loopback
//     listener): the first page, the page after it (through next), pages
//     in the middle and at the end (through added_after), as the public
//     and as a council member. Target: < 100 ms a page.
//  3. Ingest 10,000 objects over HTTP as a council member posting
//     envelopes of 1,000 to the council GREEN collection. Target:
//     >= 1,000 objects/s.
//
// It prints each figure with its ratio to the target (> 1 is better than
// the target) and exits 1 when a target is missed.
//
//	go run ./bench/taxii                 # the full run
//	go run ./bench/taxii -n 100000       # a quicker one
//	go run ./bench/taxii -db /tmp/t.db   # keep the database (reused if loaded)
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/stix"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/taxii"
	"github.com/acd-platform/acd/internal/taxii/taxiiapi"
	"github.com/acd-platform/acd/internal/tlp"
)

// Targets of issue 7.
const (
	targetPage   = 100 * time.Millisecond
	targetIngest = 1000.0 // objects/s
	pageSize     = 1000
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := run(ctx, os.Args[1:])
	switch {
	case errors.Is(err, flag.ErrHelp):
		return
	case err != nil:
		fmt.Fprintln(os.Stderr, "bench/taxii:", err)
		os.Exit(1)
	}
}

type config struct {
	n, ingest, batch, loadBatch, reps int
	db                                string
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("taxii", flag.ContinueOnError)
	var c config
	fs.IntVar(&c.n, "n", 1_000_000, "objects to bulk-load into the public collection")
	fs.IntVar(&c.ingest, "ingest", 10_000, "objects to ingest over HTTP")
	fs.IntVar(&c.batch, "batch", 1000, "objects per POST when ingesting")
	fs.IntVar(&c.loadBatch, "load-batch", 10_000, "objects per transaction when bulk-loading")
	fs.IntVar(&c.reps, "reps", 15, "requests per page measured")
	fs.StringVar(&c.db, "db", "", "SQLite database file (default: a fresh one in a temp dir, removed after)")
	cpuprof := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := fs.Parse(args); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fs.Usage()
			os.Exit(2)
		}
		return err
	}
	if *cpuprof != "" {
		f, err := os.Create(*cpuprof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	dir, err := os.MkdirTemp("", "acd-bench-taxii-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if c.db == "" {
		c.db = filepath.Join(dir, "acd.db")
	}
	fmt.Printf("TAXII benchmark: %d objects bulk-loaded, %d-object pages, %d objects ingested; SQLite %s; %s/%s, %d CPUs\n",
		c.n, pageSize, c.ingest, c.db, runtime.GOOS, runtime.GOARCH, runtime.NumCPU())

	db, err := store.Open(ctx, c.db, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	ring, err := keys.Open(filepath.Join(dir, "keys"), nil)
	if err != nil {
		return err
	}
	log, err := auditlog.New(ctx, db, ring, auditlog.Options{})
	if err != nil {
		return err
	}
	as, err := auth.New(ctx, db, log, auth.Config{Keys: ring, Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		return err
	}
	svc, err := taxii.New(ctx, taxii.Deps{DB: db, Log: log, Keys: ring, Readers: everyoneMember{}, Orgs: as}, taxii.Config{})
	if err != nil {
		return err
	}
	analyst, memberTok, err := accounts(ctx, as)
	if err != nil {
		return err
	}

	r := api.NewRouter(api.RouterConfig{Authenticator: as, Authorizer: auth.NewPolicy(),
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	taxiiapi.Register(r, svc, taxiiapi.Config{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	// 1. Bulk load.
	have, err := count(ctx, db)
	if err != nil {
		return err
	}
	if have < c.n {
		if err := load(ctx, svc, analyst, c.n-have, c.loadBatch); err != nil {
			return err
		}
	} else {
		fmt.Printf("load: the database already holds %d objects\n", have)
	}

	// 2. Pages.
	ok := true
	fmt.Printf("\nserving a %d-object page over HTTP (target < %v), %d requests each:\n", pageSize, targetPage, c.reps)
	pages, err := pagePaths(ctx, db, svc, analyst)
	if err != nil {
		return err
	}
	for _, p := range pages {
		for _, who := range []struct{ name, token string }{{"public", ""}, {"member", memberTok}} {
			u := base + p.path
			if p.viaNext {
				next, err := nextOf(ctx, u, who.token)
				if err != nil {
					return fmt.Errorf("%s: %w", p.name, err)
				}
				u += "&next=" + url.QueryEscape(next)
			}
			d, n, err := measure(ctx, u, who.token, c.reps)
			if err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			if n != p.want {
				return fmt.Errorf("%s: %d objects served, want %d", p.name, n, p.want)
			}
			ratio := float64(targetPage) / float64(d.p50)
			fmt.Printf("  %-28s as %-6s  p50 %7.2f ms  p95 %7.2f ms  max %7.2f ms  target/p50 %5.1fx\n",
				p.name, who.name, ms(d.p50), ms(d.p95), ms(d.max), ratio)
			ok = ok && d.p50 < targetPage
		}
	}

	// 3. Ingest.
	rate, err := ingest(ctx, base, memberTok, c.ingest, c.batch)
	if err != nil {
		return err
	}
	fmt.Printf("\ningest over HTTP (target >= %.0f objects/s): %d objects in envelopes of %d: %.0f objects/s, rate/target %.1fx\n",
		targetIngest, c.ingest, c.batch, rate, rate/targetIngest)
	ok = ok && rate >= targetIngest
	if !ok {
		return errors.New("a target was missed")
	}
	fmt.Println("\nall targets met")
	return nil
}

// everyoneMember makes every authenticated caller a council member of its
// organisation; the sharing service decides this in ACD.
type everyoneMember struct{}

func (everyoneMember) Reader(ctx context.Context, p *auth.Principal) (tlp.Reader, error) {
	return tlp.Reader{UserID: p.UserID, OrgID: p.OrgID, Council: true}, nil
}

// accounts makes (or finds) an analyst of the Cabinet Office, who loads
// the public collection, and a member operator's user, and returns an
// API token for the member.
func accounts(ctx context.Context, as *auth.Service) (analyst *auth.Principal, token string, err error) {
	cli := auth.CLI("bench")
	org := func(name string, kind auth.OrgKind, sectors ...string) (auth.Org, error) {
		if o, err := as.OrgByName(ctx, name); err == nil {
			return o, nil
		}
		return as.CreateOrg(ctx, cli, auth.NewOrg{Name: name, Kind: kind, Sectors: sectors})
	}
	user := func(name string, o auth.Org, role auth.Role) (auth.User, error) {
		if u, err := as.UserByUsername(ctx, name); err == nil {
			return u, nil
		}
		return as.SeedUser(ctx, auth.NewUser{Username: name, OrgID: o.ID, Roles: []auth.Role{role}, Password: "correct horse battery"})
	}
	nco, err := org("NCO", auth.OrgCabinetOff)
	if err != nil {
		return nil, "", err
	}
	op, err := org("Kanto Power", auth.OrgOperator, "electricity")
	if err != nil {
		return nil, "", err
	}
	au, err := user("analyst", nco, auth.RoleAnalyst)
	if err != nil {
		return nil, "", err
	}
	mu, err := user("member", op, auth.RoleOperator)
	if err != nil {
		return nil, "", err
	}
	self := &auth.Principal{UserID: mu.ID, Via: auth.ViaSession, MFA: true, Roles: mu.Roles}
	token, _, err = as.CreateToken(ctx, self, mu.ID, "bench", time.Hour)
	if err != nil {
		return nil, "", err
	}
	analyst = &auth.Principal{UserID: au.ID, Username: au.Username, OrgID: nco.ID, OrgKind: nco.Kind, Roles: au.Roles, Via: auth.ViaCLI}
	return analyst, token, nil
}

// count returns how many objects the public collection holds (read
// from the table directly: paging through a million objects to count them
// would be a benchmark of its own).
func count(ctx context.Context, db *store.DB) (int, error) {
	var n int
	err := db.QueryRow(ctx, "SELECT COUNT(*) FROM taxii_objects WHERE collection_id = ?", taxii.CollectionID(taxii.Public)).Scan(&n)
	return n, err
}

// indicatorJSON returns the i-th generated indicator.
func indicatorJSON(i int, at time.Time) []byte {
	ip := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
	ts := stix.FormatTime(at)
	return []byte(`{"type":"indicator","spec_version":"2.1","id":"` + stix.NewID("indicator") + `","created":"` + ts + `","modified":"` + ts +
		`","name":"C2 server ` + ip + `","description":"Command-and-control server seen in campaign ` + strconv.Itoa(i%97) +
		`.","indicator_types":["malicious-activity"],"pattern":"[ipv4-addr:value = '` + ip + `']","pattern_type":"stix","valid_from":"` + ts +
		`","object_marking_refs":["` + stix.TLPClear + `"]}`)
}

// load adds n objects to the public collection, loadBatch a transaction.
func load(ctx context.Context, svc *taxii.Service, p *auth.Principal, n, loadBatch int) error {
	fmt.Printf("load: adding %d objects in transactions of %d …\n", n, loadBatch)
	start := time.Now()
	at := time.Now().UTC().Add(-24 * time.Hour)
	for done := 0; done < n; {
		k := min(loadBatch, n-done)
		objs := make([]json.RawMessage, k)
		for i := range objs {
			objs[i] = indicatorJSON(done+i, at)
		}
		st, err := svc.Add(ctx, p, taxii.Public, objs)
		if err != nil {
			return err
		}
		if st.FailureCount > 0 {
			return fmt.Errorf("load: %d failures, first %+v", st.FailureCount, st.Failures[0])
		}
		done += k
		if done%(10*loadBatch) == 0 || done == n {
			el := time.Since(start)
			fmt.Printf("  %8d objects, %6.1f s, %6.0f objects/s\n", done, el.Seconds(), float64(done)/el.Seconds())
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// pagePath is a page to measure; viaNext asks for the page after it,
// through the next token the caller gets with it.
type pagePath struct {
	name, path string
	viaNext    bool
	want       int // objects the page holds
}

// pagePaths returns the pages to measure: the first, the one after it,
// and pages at a quarter, half and the end of the collection.
func pagePaths(ctx context.Context, db *store.DB, svc *taxii.Service, p *auth.Principal) ([]pagePath, error) {
	objects := taxiiapi.PathAPIRoot + "collections/" + taxii.Public + "/objects/?limit=" + strconv.Itoa(pageSize)
	first, err := svc.Manifest(ctx, p, taxii.Public, taxii.Query{Limit: pageSize})
	if err != nil {
		return nil, err
	}
	out := []pagePath{{"first page", objects, false, pageSize}, {"second page (next)", objects, true, pageSize}}
	var lo, hi string
	if err := db.QueryRow(ctx, "SELECT MIN(date_added), MAX(date_added) FROM taxii_objects WHERE collection_id = ?",
		taxii.CollectionID(taxii.Public)).Scan(&lo, &hi); err != nil {
		return nil, err
	}
	last, err := time.Parse(time.RFC3339Nano, hi)
	if err != nil {
		return nil, err
	}
	t0 := first.Entries[0].DateAdded
	for _, f := range []struct {
		name string
		frac float64
	}{{"page at 1/4 (added_after)", 0.25}, {"page at 1/2 (added_after)", 0.5}, {"page at 3/4 (added_after)", 0.75}} {
		at := t0.Add(time.Duration(float64(last.Sub(t0)) * f.frac))
		out = append(out, pagePath{f.name, objects + "&added_after=" + at.Format("2006-01-02T15:04:05.000000Z"), false, pageSize})
	}
	// Lookups that must not scan the collection: one object by id (a
	// quarter in), and a type it does not hold.
	var id string
	if err := db.QueryRow(ctx, "SELECT object_id FROM taxii_objects WHERE collection_id = ? AND seq >= (SELECT MAX(seq) / 4 FROM taxii_objects) ORDER BY seq LIMIT 1",
		taxii.CollectionID(taxii.Public)).Scan(&id); err != nil {
		return nil, err
	}
	base := taxiiapi.PathAPIRoot + "collections/" + taxii.Public + "/objects/"
	out = append(out,
		pagePath{"one object by id", base + id + "/", false, 1},
		pagePath{"match[id] of one object", base + "?match[id]=" + id, false, 1},
		pagePath{"match[type] of none", base + "?match[type]=malware,tool&limit=1000", false, 0})
	return out, nil
}

// nextOf returns the next token of the page at u, as the caller of token
// gets it.
func nextOf(ctx context.Context, u, token string) (string, error) {
	body, err := get(ctx, u, token)
	if err != nil {
		return "", err
	}
	var env struct {
		Next string `json:"next"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Next == "" {
		return "", fmt.Errorf("GET %s: no next token (%v)", u, err)
	}
	return env.Next, nil
}

// get GETs u as the caller of token ("" for the public).
func get(ctx context.Context, u, token string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", taxiiapi.MediaTypeTAXII)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", u, resp.Status, body)
	}
	return body, nil
}

type durations struct{ p50, p95, max time.Duration }

// measure GETs url reps times (after one warm-up) and returns the
// latencies and the objects in the last page.
func measure(ctx context.Context, u, token string, reps int) (durations, int, error) {
	var ds []time.Duration
	n := 0
	for i := range reps + 1 {
		start := time.Now()
		body, err := get(ctx, u, token)
		d := time.Since(start)
		if err != nil {
			return durations{}, 0, err
		}
		var env struct {
			Objects []json.RawMessage `json:"objects"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			return durations{}, 0, err
		}
		n = len(env.Objects)
		if i > 0 {
			ds = append(ds, d)
		}
	}
	slices.Sort(ds)
	return durations{p50: ds[len(ds)/2], p95: ds[(len(ds)*95)/100], max: ds[len(ds)-1]}, n, nil
}

// ingest posts n objects in envelopes of batch to the council GREEN
// collection as a member and returns the objects per second.
func ingest(ctx context.Context, base, token string, n, batch int) (float64, error) {
	at := time.Now().UTC().Add(-time.Hour)
	var bodies [][]byte
	for done := 0; done < n; done += batch {
		var b bytes.Buffer
		b.WriteString(`{"objects":[`)
		for i := range min(batch, n-done) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(indicatorJSON(5_000_000+done+i, at))
		}
		b.WriteString("]}")
		bodies = append(bodies, b.Bytes())
	}
	u := base + taxiiapi.PathAPIRoot + "collections/" + taxii.CouncilGreen + "/objects/"
	start := time.Now()
	added := 0
	for _, body := range bodies {
		req, err := http.NewRequestWithContext(ctx, "POST", u, bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", taxiiapi.MediaTypeTAXII)
		req.Header.Set("Accept", taxiiapi.MediaTypeTAXII)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		out, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return 0, err
		}
		if resp.StatusCode != http.StatusAccepted {
			return 0, fmt.Errorf("POST: %s: %s", resp.Status, out)
		}
		var st taxii.Status
		if err := json.Unmarshal(out, &st); err != nil {
			return 0, err
		}
		if st.FailureCount > 0 {
			return 0, fmt.Errorf("POST: %d failures, first %+v", st.FailureCount, st.Failures[0])
		}
		added += st.SuccessCount
	}
	return float64(added) / time.Since(start).Seconds(), nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
