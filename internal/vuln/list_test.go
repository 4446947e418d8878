package vuln_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/servicetest"
	"github.com/acd-platform/acd/internal/store/storetest"
	"github.com/acd-platform/acd/internal/vuln"
)

// cve5On is cve5 published on day ("2026-03-01").
func cve5On(day, id, vendor, prod, from, before string) string {
	return strings.Replace(cve5(id, vendor, prod, from, before, "affected"), "2026-03-01T00:00:00Z", day+"T00:00:00Z", 1)
}

// listIDs returns the ids of a page, in order.
func listIDs(res vuln.ListResult) []string {
	out := []string{}
	for _, v := range res.Vulnerabilities {
		out = append(out, v.ID)
	}
	return out
}

// TestList: the Cabinet Office lists every vulnerability, newest first; an
// operator only those affecting its own assets and a ministry those
// affecting its sectors, each with the pairs it may see counted; the
// search finds ids, titles, vendors and products, never JSON field names;
// the exploited filter and the pages follow the filter.
func TestList(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		// Operator A (electricity) runs Acme Gate 1.2, operator B
		// (railways) Acme Gate 1.2 too.
		if _, err := e.rep.CreateAsset(e.ctx, e.pA, asset("hq-vpn-1", "1.2")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.rep.CreateAsset(e.ctx, e.pB, asset("rail-vpn", "1.2")); err != nil {
			t.Fatal(err)
		}
		stream := strings.Join([]string{
			cve5On("2026-03-03", "CVE-2026-0001", "Acme", "Gate", "1.0", "1.5"),       // both operators
			cve5On("2026-03-01", "CVE-2026-0002", "Other", "Thing", "0", "9"),         // nobody
			cve5On("2026-03-02", "CVE-2026-0003", "Acme", "Gate", "2.0", "3.0"),       // nobody (version)
			cve5On("2026-03-04", "CVE-2026-0004", "Widgets_Co", "100%Pump", "0", "9"), // LIKE's wildcards in names
		}, "\n")
		if _, err := e.svc.Import(e.ctx, e.nco, strings.NewReader(stream)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SetExploited(e.ctx, e.nco, "CVE-2026-0003", vuln.ExploitedInput{Exploited: true, Note: "seen", Date: "2026-03-20"}); err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name   string
			p      *auth.Principal
			f      vuln.ListFilter
			want   []string
			assets []int // the count of each entry; nil: not checked
		}{
			{"analyst sees all, newest first", e.nco, vuln.ListFilter{}, []string{"CVE-2026-0004", "CVE-2026-0001", "CVE-2026-0003", "CVE-2026-0002"}, []int{0, 2, 0, 0}},
			{"analyst, affecting only", e.nco, vuln.ListFilter{Affecting: true}, []string{"CVE-2026-0001"}, []int{2}},
			{"operator A, its own", e.pA, vuln.ListFilter{}, []string{"CVE-2026-0001"}, []int{1}},
			{"operator B, its own", e.pB, vuln.ListFilter{}, []string{"CVE-2026-0001"}, []int{1}},
			{"METI, its sectors", e.meti, vuln.ListFilter{}, []string{"CVE-2026-0001"}, []int{1}},
			{"MLIT, its sectors", e.mlit, vuln.ListFilter{}, []string{"CVE-2026-0001"}, []int{1}},
			{"nobody", nil, vuln.ListFilter{}, []string{}, nil},
			{"id", e.nco, vuln.ListFilter{Query: "cve-2026-0002"}, []string{"CVE-2026-0002"}, nil},
			{"vendor, any case", e.nco, vuln.ListFilter{Query: " ACME "}, []string{"CVE-2026-0001", "CVE-2026-0003"}, nil},
			{"product", e.nco, vuln.ListFilter{Query: "thing"}, []string{"CVE-2026-0002"}, nil},
			{"vendor and product", e.nco, vuln.ListFilter{Query: "other thing"}, []string{"CVE-2026-0002"}, nil},
			{"title", e.nco, vuln.ListFilter{Query: "0003 in gate"}, []string{"CVE-2026-0003"}, nil},
			{"a field name of the JSON only", e.nco, vuln.ListFilter{Query: "datatype"}, []string{}, nil},
			{"a description only", e.nco, vuln.ListFilter{Query: "a flaw"}, []string{}, nil},
			{"% is no wildcard", e.nco, vuln.ListFilter{Query: "0%P"}, []string{"CVE-2026-0004"}, nil},
			{"_ is no wildcard", e.nco, vuln.ListFilter{Query: "s_c"}, []string{"CVE-2026-0004"}, nil},
			{"% alone", e.nco, vuln.ListFilter{Query: "%"}, []string{"CVE-2026-0004"}, nil},
			{"exploited only", e.nco, vuln.ListFilter{ExploitedOnly: true}, []string{"CVE-2026-0003"}, nil},
			{"exploited only, operator", e.pA, vuln.ListFilter{ExploitedOnly: true}, []string{}, nil},
			{"search within an operator's", e.pA, vuln.ListFilter{Query: "thing"}, []string{}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res, err := e.svc.List(e.ctx, tt.p, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, listIDs(res)); diff != "" {
					t.Errorf("ids (-want +got):\n%s", diff)
				}
				if tt.assets != nil {
					var got []int
					for _, v := range res.Vulnerabilities {
						got = append(got, v.Assets)
					}
					if diff := cmp.Diff(tt.assets, got); diff != "" {
						t.Errorf("asset counts (-want +got):\n%s", diff)
					}
				}
				if res.Next != "" {
					t.Errorf("got next %q for a complete list, want none", res.Next)
				}
			})
		}

		// An entry names its products and carries its summary.
		res, err := e.svc.List(e.ctx, e.nco, vuln.ListFilter{Query: "CVE-2026-0001"})
		if err != nil || len(res.Vulnerabilities) != 1 {
			t.Fatalf("got %+v, %v; want CVE-2026-0001", res, err)
		}
		got := res.Vulnerabilities[0]
		if diff := cmp.Diff([]string{"Acme Gate"}, got.Products); diff != "" {
			t.Errorf("products (-want +got):\n%s", diff)
		}
		if got.CVSS == nil || *got.CVSS != 9.8 || got.Title != "CVE-2026-0001 in Gate" || got.Published == nil {
			t.Errorf("got summary %+v, want CVSS 9.8, the title and the date", got.Summary)
		}

		// Pages of two: the cursor goes on where the page ended.
		var pages [][]string
		after := ""
		for range 4 {
			res, err := e.svc.List(e.ctx, e.nco, vuln.ListFilter{Limit: 2, After: after})
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, listIDs(res))
			if after = res.Next; after == "" {
				break
			}
		}
		want := [][]string{{"CVE-2026-0004", "CVE-2026-0001"}, {"CVE-2026-0003", "CVE-2026-0002"}}
		if diff := cmp.Diff(want, pages); diff != "" {
			t.Errorf("pages (-want +got):\n%s", diff)
		}
	})
}

// TestListRefusesBadFilters: a search too long and a cursor not of the
// list are field errors.
func TestListRefusesBadFilters(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for _, tt := range []struct {
			name  string
			f     vuln.ListFilter
			field string
		}{
			{"long search", vuln.ListFilter{Query: strings.Repeat("a", vuln.MaxListQuery+1)}, "q"},
			{"bad UTF-8", vuln.ListFilter{Query: "\xff"}, "q"},
			{"too many words", vuln.ListFilter{Query: strings.Repeat("a ", 11)}, "q"},
			{"cursor without a separator", vuln.ListFilter{After: "CVE-2026-0001"}, "after"},
			{"cursor with a bad time", vuln.ListFilter{After: "yesterday~CVE-2026-0001"}, "after"},
			{"cursor without an id", vuln.ListFilter{After: "2026-03-01T00:00:00Z~"}, "after"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.svc.List(e.ctx, e.nco, tt.f)
				var fe *vuln.FieldError
				if !asField(err, &fe) || fe.Field != tt.field {
					t.Errorf("got %v, want a FieldError on %s", err, tt.field)
				}
			})
		}
		// A cursor with no date (a record without one) is fine.
		if _, err := e.svc.List(e.ctx, e.nco, vuln.ListFilter{After: "~CVE-2026-0001"}); err != nil {
			t.Errorf("got %v for a cursor without a date, want nil", err)
		}
	})
}

// FuzzList: no search or cursor makes List panic or fail otherwise than
// with a field error on q or after; every entry it lists has each word of
// the search in its id, title or products; the cursor it hands back is
// accepted. The seed corpus is in testdata/fuzz/FuzzList.
func FuzzList(f *testing.F) {
	db := storetest.SQLite(f)
	p := servicetest.New(f, db, t0)
	svc, err := vuln.New(p.Ctx, vuln.Deps{DB: db, Log: p.Log, Notifier: p.Notifier}, vuln.Config{Now: p.Clock.Now})
	if err != nil {
		f.Fatal(err)
	}
	nco := servicetest.Principal("usr_nco", p.Org(f, auth.NewOrg{Name: "NCO", Kind: auth.OrgCabinetOff}), auth.RoleAnalyst)
	stream := strings.Join([]string{
		cve5On("2026-03-03", "CVE-2026-0001", "Acme", "Gate", "1.0", "1.5"),
		cve5On("2026-03-01", "CVE-2026-0002", "Other", "Thing", "0", "9"),
		cve5On("2026-03-01", "CVE-2026-0003", "Widgets_Co", "100%Pump", "0", "9"),
	}, "\n")
	if _, err := svc.Import(p.Ctx, nco, strings.NewReader(stream)); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q, after string) {
		res, err := svc.List(p.Ctx, nco, vuln.ListFilter{Query: q, After: after, Limit: 2})
		if err != nil {
			var fe *vuln.FieldError
			if !asField(err, &fe) || (fe.Field != "q" && fe.Field != "after") {
				t.Fatalf("List(%q, %q): %v, want a field error on q or after", q, after, err)
			}
			return
		}
		for _, v := range res.Vulnerabilities {
			text := strings.ToLower(v.ID + " " + v.Title + " " + strings.Join(v.Products, " "))
			for _, w := range strings.Fields(strings.ToLower(q)) {
				if !strings.Contains(text, w) {
					t.Fatalf("List(%q) lists %s (%q), which lacks %q", q, v.ID, text, w)
				}
			}
		}
		if res.Next != "" {
			if _, err := svc.List(p.Ctx, nco, vuln.ListFilter{Query: q, After: res.Next, Limit: 2}); err != nil {
				t.Fatalf("List(%q) handed back the cursor %q, which it refuses: %v", q, res.Next, err)
			}
		}
	})
}
