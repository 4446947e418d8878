package web

import (
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/measures"
)

// The lists of measure cases: the cases the viewer may see, the form that
// opens one, the commission's queue and the Cabinet Office's
// command-tower overview.

// caseRow is a case in a list, with its gates for the badges.
type caseRow struct {
	C     measures.Case
	Gates []gateView
	// Lang is the page's language, for the template that renders the
	// gates.
	Lang Lang
}

type measureCasesData struct {
	N      names
	Rows   []caseRow
	State  string
	Path   string
	States []measures.State
	Paths  []measures.Path
	Err    fieldErr
}

func (s *Site) measureCases(w http.ResponseWriter, r *http.Request) error {
	n, err := s.names(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := measureCasesData{N: n, State: q.Get("state"), Path: q.Get("path"), States: measureStates, Paths: measurePaths}
	switch {
	case d.State != "" && !slices.Contains(measureStates, measures.State(d.State)):
		d.Err = fieldErr{"state", strconv.Quote(d.State) + ": unknown state"}
	case d.Path != "" && !slices.Contains(measurePaths, measures.Path(d.Path)):
		d.Err = fieldErr{"path", strconv.Quote(d.Path) + ": unknown path"}
	}
	if d.Err.Field != "" {
		return s.render(w, r, http.StatusBadRequest, "measures", "measures.title", d, "", s.t(r, "form.invalid"))
	}
	cs, err := s.cfg.Measures.Cases(r.Context(), principal(r), measures.CaseFilter{State: measures.State(d.State), Path: measures.Path(d.Path)})
	if err != nil {
		return msrPageError(err)
	}
	for _, c := range cs {
		d.Rows = append(d.Rows, caseRow{C: c, Gates: gateViews(c.Gates, langOf(r)), Lang: langOf(r)})
	}
	return s.render(w, r, http.StatusOK, "measures", "measures.title", d)
}

// maxTargetLines is how many target lines the form takes, as the service
// allows targets.
const maxTargetLines = 100

// parseTargets reads the targets textarea: one target a line, its fields
// separated by "|" in the order address|domain|hosting provider|abuse
// contact|country; trailing fields may be left out. A line of one field
// is an address when it parses as an IP address or a CIDR prefix, else a
// domain. It returns the targets and the lines they came from; a line of
// more than five fields is an error on "targets[i]".
func parseTargets(v string) ([]measures.Target, []numberedLine, error) {
	ls := lines(v)
	var out []measures.Target
	for i, l := range ls {
		field := fmt.Sprintf("targets[%d]", i)
		if i == maxTargetLines {
			return nil, ls, &measures.FieldError{Field: field, Msg: fmt.Sprintf("more than %d targets", maxTargetLines)}
		}
		parts := strings.Split(l.text, "|")
		if len(parts) > 5 {
			return nil, ls, &measures.FieldError{Field: field, Msg: fmt.Sprintf("%d fields separated by |, at most 5: address|domain|hosting provider|abuse contact|country", len(parts))}
		}
		for j := range parts {
			parts[j] = strings.TrimSpace(parts[j])
		}
		parts = append(parts, make([]string, 5-len(parts))...)
		t := measures.Target{Address: parts[0], Domain: parts[1], HostingProvider: parts[2], AbuseContact: parts[3], Country: parts[4]}
		if !strings.Contains(l.text, "|") && !isAddress(t.Address) {
			t.Address, t.Domain = "", t.Address
		}
		out = append(out, t)
	}
	return out, ls, nil
}

// isAddress reports whether v is an IP address or a CIDR prefix.
func isAddress(v string) bool {
	if _, err := netip.ParseAddr(v); err == nil {
		return true
	}
	_, err := netip.ParsePrefix(v)
	return err == nil
}

// caseInput builds the service's input from the new-case form.
func caseInput(r *http.Request) (measures.CaseInput, []numberedLine, error) {
	in := measures.CaseInput{Path: measures.Path(r.PostFormValue("path")), Title: trimmed(r, "title"),
		ObservedTraffic: trimmed(r, "observed_traffic"), Harm: trimmed(r, "harm"), Urgency: trimmed(r, "urgency"),
		ProposedOther: trimmed(r, "proposed_other"),
		Checklist: measures.Checklist{
			OnlyMeans:              measures.Condition{Met: checkbox(r, "only_means"), Text: trimmed(r, "only_means_text")},
			LeastIntrusive:         measures.Condition{Met: checkbox(r, "least_intrusive"), Text: trimmed(r, "least_intrusive_text")},
			ThirdPartyEffect:       trimmed(r, "third_party_effect"),
			InternationalNecessity: measures.Condition{Met: checkbox(r, "international_necessity"), Text: trimmed(r, "international_necessity_text")},
		}}
	for _, k := range r.PostForm["proposed"] {
		in.Proposed = append(in.Proposed, measures.MeasureKind(k))
	}
	// The form offers both SDF paths' fields; each path takes only its
	// own.
	if in.Path == measures.PathSDFProtection {
		in.JointPoliceOrgID = trimmed(r, "joint_police_org_id")
	}
	if in.Path == measures.PathSDFGuard {
		in.ProtectedFacility = trimmed(r, "protected_facility")
	}
	var ls []numberedLine
	var err error
	in.Targets, ls, err = parseTargets(r.PostFormValue("targets"))
	return in, ls, err
}

// caseFields maps the service's field names to the new-case form's.
func (s *Site) caseFields(r *http.Request, ls []numberedLine) func(string) (string, string) {
	return func(f string) (string, string) {
		switch {
		case strings.HasPrefix(f, "targets"):
			return "targets", s.lineOf(r, ls, f)
		case strings.HasPrefix(f, "proposed["):
			return "proposed", ""
		case f == "checklist.third_party_effect":
			return "third_party_effect", ""
		case strings.HasPrefix(f, "checklist."):
			name, rest, _ := strings.Cut(strings.TrimPrefix(f, "checklist."), ".")
			if rest == "text" {
				return name + "_text", ""
			}
			return name, ""
		}
		return f, ""
	}
}

type measureNewData struct {
	Acts acts
	// Paths are the paths the viewer's organisation opens cases on.
	Paths      []measures.Path
	Kinds      []measures.MeasureKind
	PoliceOrgs []orgChoice
	// SDF: the viewer is an SDF officer, so the SDF paths' fields show.
	SDF bool
}

// pathsFor returns the paths p's organisation opens cases on: police
// officers the police path, SDF officers the two SDF paths.
func pathsFor(p *auth.Principal) []measures.Path {
	switch p.OrgKind {
	case auth.OrgPolice:
		return []measures.Path{measures.PathPolice}
	case auth.OrgSDF:
		return []measures.Path{measures.PathSDFProtection, measures.PathSDFGuard}
	}
	return measurePaths
}

func (s *Site) measureNewPage(w http.ResponseWriter, r *http.Request, status int, a acts, msg ...string) error {
	p := principal(r)
	n, err := s.names(r)
	if err != nil {
		return err
	}
	d := measureNewData{Acts: a, Paths: pathsFor(p), Kinds: measures.MeasureKinds, SDF: p.OrgKind != auth.OrgPolice}
	if d.SDF {
		if d.PoliceOrgs, err = s.orgChoices(r, n, func(o auth.Org) bool { return o.Kind == auth.OrgPolice }); err != nil {
			return err
		}
	}
	if d.Acts.Form == "" {
		d.Acts = acts{Form: "open", V: map[string][]string{"path": {string(d.Paths[0])}}}
	}
	return s.render(w, r, status, "measure_new", "measures.new", d, msg...)
}

func (s *Site) measureNew(w http.ResponseWriter, r *http.Request) error {
	return s.measureNewPage(w, r, http.StatusOK, acts{})
}

func (s *Site) measureOpen(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	a := formActs(r, "open")
	in, ls, err := caseInput(r)
	var c measures.Case
	if err == nil {
		c, err = s.cfg.Measures.OpenCase(r.Context(), principal(r), in)
	}
	if err != nil {
		fail, ok := s.msrFailed(w, r, err, s.caseFields(r, ls))
		if !ok {
			return msrPageError(err)
		}
		a.Err = fail.field
		return s.measureNewPage(w, r, fail.status, a, "", fail.msg)
	}
	http.Redirect(w, r, "/measures/"+c.ID+"?done=opened", http.StatusSeeOther)
	return nil
}

// summaryRow is a case of the command-tower view with its gates.
type summaryRow struct {
	C     measures.CaseSummary
	Gates []gateView
	Lang  Lang
}

type measureOverviewData struct {
	N    names
	O    measures.Overview
	Rows []summaryRow
}

func (s *Site) measureOverview(w http.ResponseWriter, r *http.Request) error {
	n, err := s.names(r)
	if err != nil {
		return err
	}
	ov, err := s.cfg.Measures.Overview(r.Context(), principal(r))
	if err != nil {
		return msrPageError(err)
	}
	d := measureOverviewData{N: n, O: ov}
	for _, c := range ov.Cases {
		d.Rows = append(d.Rows, summaryRow{C: c, Gates: gateViews(c.Gates, langOf(r)), Lang: langOf(r)})
	}
	return s.render(w, r, http.StatusOK, "measure_overview", "measures.overview", d)
}

// queueTable is one table of the commission's queue.
type queueTable struct {
	Lang Lang
	N    names
	// Kind is approvals, post_notices or overdue; What heads the column
	// of its time.
	Kind, What string
	Rows       []caseRow
}

type measureQueueData struct {
	N                               names
	Approvals, PostNotices, Overdue queueTable
}

func (s *Site) measureQueue(w http.ResponseWriter, r *http.Request) error {
	n, err := s.names(r)
	if err != nil {
		return err
	}
	q, err := s.cfg.Measures.CommissionQueue(r.Context(), principal(r))
	if err != nil {
		return msrPageError(err)
	}
	table := func(kind, what string, cs []measures.Case) queueTable {
		t := queueTable{Lang: langOf(r), N: n, Kind: kind, What: s.t(r, what)}
		for _, c := range cs {
			t.Rows = append(t.Rows, caseRow{C: c, Gates: gateViews(c.Gates, langOf(r)), Lang: langOf(r)})
		}
		return t
	}
	d := measureQueueData{N: n, Approvals: table("approvals", "measures.queue.requested_at", q.Approvals),
		PostNotices: table("post_notices", "measures.queue.filed_at", q.PostNotices),
		Overdue:     table("overdue", "measures.queue.due", q.Overdue)}
	return s.render(w, r, http.StatusOK, "measure_queue", "measures.queue", d)
}
