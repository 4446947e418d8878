package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/textfield"
)

// Orders to the administrators of target computers (PDEA §6-2(1), or the
// SDF Act applying it), their documents, deliveries and responses, and
// the officer's record of a measure taken over the network. ACD records
// these; it takes no measure itself.

func (s *Site) measureOrderIssue(w http.ResponseWriter, r *http.Request) error {
	fields := func(f string) (string, string) {
		if strings.HasPrefix(f, "target_indexes") {
			return "target_indexes", ""
		}
		return f, ""
	}
	return s.caseStep(w, r, "order", "order", "orders", fields, func(ctx context.Context, p *auth.Principal, id string) error {
		in := measures.OrderInput{Addressee: trimmed(r, "addressee"), Contact: trimmed(r, "contact"),
			HostingProvider: trimmed(r, "hosting_provider"), RequiredMeasures: trimmed(r, "required_measures")}
		for i, v := range r.PostForm["target_indexes"] {
			n, err := strconv.Atoi(v)
			if err != nil {
				return &measures.FieldError{Field: fmt.Sprintf("target_indexes[%d]", i), Msg: fmt.Sprintf("%q is not a target's index", v)}
			}
			in.TargetIndexes = append(in.TargetIndexes, n)
		}
		var err error
		if in.Due, err = localTime(r, "due", true); err != nil {
			return err
		}
		_, err = s.cfg.Measures.IssueOrder(ctx, p, id, in)
		return err
	})
}

// orderDocNames are the file extensions of an order's documents by
// format. Each is a download: the HTML form, which a browser would render
// in ACD's origin, is the API's only.
var orderDocNames = map[string]string{measures.FormatJSON: ".json", measures.FormatText: ".txt", measures.FormatPDF: ".pdf"}

func (s *Site) measureOrderDocument(w http.ResponseWriter, r *http.Request) error {
	oid, format := r.PathValue("oid"), r.PathValue("format")
	ext, ok := orderDocNames[format]
	if !ok {
		return api.NotFound("no such document format")
	}
	b, ctype, err := s.cfg.Measures.OrderDocument(r.Context(), principal(r), oid, format)
	if err != nil {
		return msrPageError(err)
	}
	download(w, ctype, oid+ext)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

// orderCase sets r's {id} to the case order {oid} belongs to, which p must
// be able to see.
func (s *Site) orderCase(r *http.Request) error {
	o, err := s.cfg.Measures.Order(r.Context(), principal(r), r.PathValue("oid"))
	if err != nil {
		return msrPageError(err)
	}
	r.SetPathValue("id", o.CaseID)
	return nil
}

func (s *Site) measureDelivery(w http.ResponseWriter, r *http.Request) error {
	if err := s.orderCase(r); err != nil {
		return err
	}
	oid := r.PathValue("oid")
	return s.caseStep(w, r, "delivery:"+oid, "delivery", "order-"+oid, nil, func(ctx context.Context, p *auth.Principal, _ string) error {
		in := measures.DeliveryInput{Method: measures.DeliveryMethod(r.PostFormValue("method")), Note: trimmed(r, "note")}
		var err error
		if in.At, err = localTime(r, "at", true); err != nil {
			return err
		}
		_, err = s.cfg.Measures.RecordDelivery(ctx, p, oid, in)
		return err
	})
}

func (s *Site) measureResponse(w http.ResponseWriter, r *http.Request) error {
	if err := s.orderCase(r); err != nil {
		return err
	}
	oid := r.PathValue("oid")
	return s.caseStep(w, r, "response:"+oid, "response", "order-"+oid, nil, func(ctx context.Context, p *auth.Principal, _ string) error {
		in := measures.ResponseInput{Response: measures.OrderResponse(r.PostFormValue("response")), Text: trimmed(r, "text")}
		var err error
		if in.At, err = localTime(r, "at", true); err != nil {
			return err
		}
		_, err = s.cfg.Measures.RecordResponse(ctx, p, oid, in)
		return err
	})
}

// executionForm is the execution form's steps and evidence as read, with
// where each came from, for error messages.
type executionForm struct {
	in measures.ExecutionInput
	// rows are the form rows of in.Steps, in order.
	rows []int
	// evidence are the lines of in.Evidence.
	evidence []numberedLine
}

// readExecution reads the execution form: the kind, the times, up to
// stepRows rows of steps (a row left blank is skipped), the result, and
// the evidence as lines of "sha256 name", as sha256sum prints them.
func readExecution(r *http.Request) (executionForm, error) {
	var f executionForm
	f.in = measures.ExecutionInput{Kind: measures.MeasureKind(r.PostFormValue("kind")), Result: measures.ExecutionResult(r.PostFormValue("result"))}
	var err error
	if f.in.StartedAt, err = localTime(r, "started_at", true); err != nil {
		return f, err
	}
	if f.in.EndedAt, err = localTime(r, "ended_at", true); err != nil {
		return f, err
	}
	kinds, ats, descs := r.PostForm["step_kind"], r.PostForm["step_at"], r.PostForm["step_description"]
	nth := func(vs []string, i int) string {
		if i < len(vs) {
			return strings.TrimSpace(vs[i])
		}
		return ""
	}
	for i := range min(stepRows, max(len(kinds), len(ats), len(descs))) {
		k, at, desc := nth(kinds, i), nth(ats, i), nth(descs, i)
		if k == "" && at == "" && desc == "" {
			continue
		}
		f.rows = append(f.rows, i)
		st := measures.Step{Kind: measures.StepKind(k), Description: desc}
		if at != "" {
			if st.At, err = parseLocal(at); err != nil {
				return f, &measures.FieldError{Field: fmt.Sprintf("steps[%d].at", len(f.in.Steps)), Msg: err.Error()}
			}
		}
		f.in.Steps = append(f.in.Steps, st)
	}
	f.in.Evidence, f.evidence, err = parseEvidence(r.PostFormValue("evidence"))
	return f, err
}

// maxEvidenceLines is how many evidence lines the form takes, as the
// service allows files.
const maxEvidenceLines = 100

// parseEvidence reads the evidence textarea: one file a line, its SHA-256
// then its name after white space, as sha256sum prints them (a "*" before
// the name, sha256sum's binary mode, is dropped). It returns the files
// and the lines they came from; a line without a name, or more than
// maxEvidenceLines lines, is an error on "evidence[i]". The service checks
// the SHA-256.
func parseEvidence(v string) ([]measures.Evidence, []numberedLine, error) {
	ls := lines(v)
	var out []measures.Evidence
	for i, l := range ls {
		field := fmt.Sprintf("evidence[%d]", i)
		if i == maxEvidenceLines {
			return nil, ls, &measures.FieldError{Field: field, Msg: fmt.Sprintf("more than %d files", maxEvidenceLines)}
		}
		sum, name := l.text, ""
		if j := strings.IndexFunc(l.text, unicode.IsSpace); j >= 0 {
			sum, name = l.text[:j], strings.TrimSpace(l.text[j:])
		}
		name = strings.TrimPrefix(name, "*")
		if name == "" {
			return nil, ls, &measures.FieldError{Field: field, Msg: fmt.Sprintf("%q: want the SHA-256 and the file's name, as sha256sum prints them", textfield.Cut(l.text, 80))}
		}
		out = append(out, measures.Evidence{Name: name, SHA256: sum})
	}
	return out, ls, nil
}

// executionFields maps the service's field names to the execution form's:
// "steps[i].at" to the row's "step_at_N", "evidence[i]…" to the evidence
// with its line.
func (s *Site) executionFields(r *http.Request, f *executionForm) func(string) (string, string) {
	return func(field string) (string, string) {
		base, i, rest, ok := splitIndex(field)
		switch {
		case ok && base == "steps" && i < len(f.rows):
			name := strings.TrimPrefix(rest, ".")
			if name == "" {
				name = "description"
			}
			return "step_" + name + "_" + strconv.Itoa(f.rows[i]), ""
		case strings.HasPrefix(field, "evidence"):
			return "evidence", s.lineOf(r, f.evidence, field)
		}
		return field, ""
	}
}

func (s *Site) measureExecution(w http.ResponseWriter, r *http.Request) error {
	var f executionForm
	return s.caseStep(w, r, "execution", "execution", "executions", func(field string) (string, string) { return s.executionFields(r, &f)(field) },
		func(ctx context.Context, p *auth.Principal, id string) error {
			var err error
			if f, err = readExecution(r); err != nil {
				return err
			}
			_, err = s.cfg.Measures.RecordExecution(ctx, p, id, f.in)
			return err
		})
}
