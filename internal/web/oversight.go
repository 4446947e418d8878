package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/selection/criteria"
)

// The oversight pages (Act ch.3–7, ch.10) for the Cabinet Office, the
// operators and the commission:
//
//   - agreements with operators (ch.3) on /agreements: the Cabinet Office
//     drafts, either side revises, consults, signs and terminates;
//   - acquisition requests (ch.4, ch.6) on /acquisitions: the Cabinet
//     Office files and withdraws them; the commission moves motions on
//     them, votes and (the chair) closes the motion on the request's page;
//   - the commission's queue of pending requests on /commission;
//   - approvals on /approvals: analysts download the signed manifest and
//     the exact criteria file and issue sensor tokens; the chair revokes.
//
// Every page is a route with its action, so the one policy guards it; the
// oversight service then scopes each record and enforces the rules (the
// side of an agreement, nobody decides what they filed, one vote each).

// registerOversight adds the oversight pages through page, Register's
// helper; it adds none when the site has no oversight service.
func (s *Site) registerOversight(page func(pattern string, action auth.Action, h api.HandlerFunc)) {
	if s.cfg.Oversight == nil {
		return
	}
	page("GET /agreements", auth.AgreementRead, s.agreements)
	page("GET /agreements/new", auth.AgreementDraft, s.agreementNew)
	page("POST /agreements", auth.AgreementDraft, s.agreementCreate)
	page("GET /agreements/{id}", auth.AgreementRead, s.agreement)
	page("GET /agreements/{id}/edit", auth.AgreementWrite, s.agreementEdit)
	page("POST /agreements/{id}", auth.AgreementWrite, s.agreementUpdate)
	page("GET /agreements/{id}/criteria", auth.AgreementRead, s.agreementCriteria)
	page("POST /agreements/{id}/consultations", auth.AgreementWrite, s.agreementConsult)
	page("POST /agreements/{id}/consultations/{cid}/response", auth.AgreementWrite, s.agreementRespond)
	page("POST /agreements/{id}/sign", auth.AgreementWrite, s.agreementSign)
	page("POST /agreements/{id}/terminate", auth.AgreementWrite, s.agreementTerminate)

	page("GET /acquisitions", auth.AcquisitionRead, s.acquisitions)
	page("GET /acquisitions/new", auth.AcquisitionFile, s.acquisitionNew)
	page("POST /acquisitions", auth.AcquisitionFile, s.acquisitionFile)
	page("GET /acquisitions/{id}", auth.AcquisitionRead, s.acquisition)
	page("GET /acquisitions/{id}/criteria", auth.AcquisitionRead, s.acquisitionCriteria)
	page("POST /acquisitions/{id}/withdraw", auth.AcquisitionFile, s.acquisitionWithdraw)

	page("GET /commission", auth.AcquisitionRead, s.commissionQueue)
	page("POST /acquisitions/{id}/motions", auth.CommissionVote, s.motionMove)
	page("GET /motions/{id}/criteria", auth.AcquisitionRead, s.motionCriteria)
	page("POST /motions/{id}/votes", auth.CommissionVote, s.motionVote)
	page("POST /motions/{id}/close", auth.CommissionDecide, s.motionClose)

	page("GET /approvals", auth.AcquisitionRead, s.approvals)
	page("GET /approvals/{id}", auth.AcquisitionRead, s.approval)
	page("GET /approvals/{id}/manifest", auth.ManifestDownload, s.approvalManifest)
	page("GET /approvals/{id}/criteria", auth.ManifestDownload, s.approvalCriteria)
	page("POST /approvals/{id}/sensor-tokens", auth.ManifestDownload, s.sensorTokenIssue)
	page("POST /approvals/{id}/sensor-tokens/{tid}/revoke", auth.ManifestDownload, s.sensorTokenRevoke)
	page("POST /approvals/{id}/revoke", auth.CommissionDecide, s.approvalRevoke)

	s.links[auth.AgreementRead] = "/agreements"
	s.links[auth.AgreementDraft] = "/agreements/new"
	s.links[auth.AgreementWrite] = "/agreements"
	s.links[auth.AcquisitionFile] = "/acquisitions/new"
	s.links[auth.AcquisitionRead] = "/acquisitions"
	s.links[auth.CommissionVote] = "/commission"
	s.links[auth.CommissionDecide] = "/commission"
	s.links[auth.ManifestDownload] = "/approvals"
}

// oversightPageError maps the oversight service's errors to what the
// router shows.
func oversightPageError(err error) error {
	var fe *oversight.FieldError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return api.BadRequest(fe.Field, err.Error())
	case errors.Is(err, oversight.ErrNotFound):
		return &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no such record", Err: err}
	case errors.Is(err, oversight.ErrForbidden):
		return &api.Error{Status: http.StatusForbidden, Code: api.CodeForbidden, Message: err.Error()}
	case errors.Is(err, oversight.ErrConflict):
		return api.Conflict(err.Error())
	}
	return err
}

// oversightFailed maps an oversight error of a form submission to what the
// page shows, or returns false for an error the form cannot explain (not
// found, internal), which the caller returns to the router. fields maps
// the service's field names (JSON paths) to the form's field and a prefix
// for its message (such as the line of a list entry); nil keeps them.
func (s *Site) oversightFailed(r *http.Request, err error, fields func(string) (string, string)) (formFailure, bool) {
	var fe *oversight.FieldError
	switch {
	case errors.As(err, &fe):
		name, prefix := fe.Field, ""
		if fields != nil {
			name, prefix = fields(fe.Field)
		}
		// The message above the form repeats the detail, so that it shows
		// even for a field the form has no control for.
		return formFailure{http.StatusBadRequest, s.t(r, "form.invalid") + " (" + fe.Error() + ")", fieldErr{name, prefix + fe.Msg}}, true
	case errors.Is(err, oversight.ErrConflict):
		return formFailure{http.StatusConflict, s.t(r, "error.conflict") + " " + err.Error(), fieldErr{}}, true
	case errors.Is(err, oversight.ErrForbidden):
		return formFailure{http.StatusForbidden, s.t(r, "oversight.forbidden") + " " + err.Error(), fieldErr{}}, true
	}
	var ae *api.Error
	if errors.As(err, &ae) && ae.Status == http.StatusBadRequest {
		return formFailure{ae.Status, s.t(r, "form.invalid") + " (" + ae.Message + ")", fieldErr{ae.Field, ae.Message}}, true
	}
	return formFailure{}, false
}

// listIndex matches a service field path "base[i]…" of a list entry.
var listIndex = regexp.MustCompile(`^([a-z_.]+)\[(\d+)\]`)

// lineOf returns the form.line prefix of the list entry that field names,
// when the entries came from the numbered lines ls of one form field; else
// "".
func (s *Site) lineOf(r *http.Request, ls []numberedLine, field string) string {
	m := listIndex.FindStringSubmatch(field)
	if m == nil {
		return ""
	}
	i, err := strconv.Atoi(m[2])
	if err != nil || i >= len(ls) {
		return ""
	}
	return s.t(r, "form.line", ls[i].n) + " "
}

// texts returns the text of each numbered line.
func texts(ls []numberedLine) []string {
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		out = append(out, l.text)
	}
	return out
}

// parseASNs reads AS numbers from a textarea: one or more a line,
// separated by commas or spaces, each a number with an optional "AS"
// prefix. It returns the numbers and the line each came from; a bad value
// is an error on "target.asns[i]", i its place among the values, whose
// line is the last of the lines returned.
func parseASNs(v string) ([]uint32, []numberedLine, error) {
	var out []uint32
	var from []numberedLine
	for _, l := range lines(v) {
		for _, tok := range strings.FieldsFunc(l.text, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '、' }) {
			from = append(from, numberedLine{l.n, tok})
			field := fmt.Sprintf("target.asns[%d]", len(out))
			if len(out) == maxASNs {
				return nil, from, &oversight.FieldError{Field: field, Msg: fmt.Sprintf("more than %d AS numbers", maxASNs)}
			}
			digits := tok
			if len(tok) > 2 && strings.EqualFold(tok[:2], "AS") {
				digits = tok[2:]
			}
			n, err := strconv.ParseUint(digits, 10, 32)
			if err != nil {
				return nil, from, &oversight.FieldError{Field: field, Msg: fmt.Sprintf("%q is not an AS number (like 64500 or AS64500)", tok)}
			}
			out = append(out, uint32(n))
		}
	}
	return out, from, nil
}

// maxASNs is how many AS numbers a form may list, as the service allows.
const maxASNs = 1000

// maxFormCriteria is the largest criteria file the pages accept: the
// router bounds a form at 1 MiB, and a refused form sends the file back
// base64 (4/3 of its size) with the other fields. Larger files go
// through the JSON API.
const maxFormCriteria = 512 << 10

// formCriteriaLimit is the largest criteria file a form takes.
func (s *Site) formCriteriaLimit() int { return min(s.cfg.Oversight.MaxCriteria(), maxFormCriteria) }

// keptFile is a criteria file uploaded with a form that was refused: the
// page sends it back in a hidden field, base64 so that its bytes survive
// exactly (an HTML attribute would normalise its line breaks), and the
// user need not choose it again.
type keptFile struct {
	Name   string
	B64    string
	Size   int
	SHA256 string
}

func keep(name string, b []byte) keptFile {
	if b == nil {
		return keptFile{}
	}
	sum := sha256.Sum256(b)
	return keptFile{Name: name, B64: base64.StdEncoding.EncodeToString(b), Size: len(b), SHA256: hex.EncodeToString(sum[:])}
}

// criteriaUpload reads the criteria file of a form: the file chosen in
// field "criteria_file", else the one kept from a refused submission. It
// returns nil when there is neither, and an error for a file over max
// bytes or a kept file that is not base64.
func criteriaUpload(r *http.Request, max int) (data []byte, name string, err error) {
	if f, hdr, ferr := r.FormFile("criteria_file"); ferr == nil {
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, int64(max)+1)) // in memory already: the router bounds the form
		if err != nil {
			return nil, "", fmt.Errorf("read upload: %w", err)
		}
		if len(b) > max {
			return nil, "", fmt.Errorf("%s: over the limit of %d bytes", hdr.Filename, max)
		}
		if len(b) > 0 {
			return b, hdr.Filename, nil
		}
	}
	kept := r.PostFormValue("criteria_kept")
	if kept == "" {
		return nil, "", nil
	}
	if len(kept) > base64.StdEncoding.EncodedLen(max) {
		return nil, "", fmt.Errorf("the kept criteria file is over the limit of %d bytes", max)
	}
	b, err := base64.StdEncoding.DecodeString(kept)
	if err != nil {
		return nil, "", fmt.Errorf("the kept criteria file is not base64: %w", err)
	}
	return b, r.PostFormValue("criteria_name"), nil
}

// critSummary is what a page says of a criteria file: its identity, size
// and scope.
type critSummary struct {
	// Lang is the page's language, for the template that renders it.
	Lang       Lang
	ID         string
	Version    int
	Rules      int
	Matchers   int
	Directions []string
	ValidFrom  time.Time
	ValidUntil time.Time
	SHA256     string
	Size       int
	// RuleIDs are the first rules' ids, for narrowing.
	RuleIDs []string
	// MoreRules counts the rules not in RuleIDs.
	MoreRules int
	// Err is set when the file does not parse (it did when it was filed,
	// so this means the parser changed).
	Err string
}

// maxRuleIDs is how many rule ids a page lists.
const maxRuleIDs = 100

// summarize parses a criteria file for its summary in the page's language.
func summarize(r *http.Request, b []byte) *critSummary {
	sum := sha256.Sum256(b)
	c := &critSummary{Lang: langOf(r), SHA256: hex.EncodeToString(sum[:]), Size: len(b)}
	set, err := criteria.Parse(b)
	if err != nil {
		c.Err = err.Error()
		return c
	}
	c.ID, c.Version, c.Rules, c.Matchers = set.ID, set.Version, len(set.Rules), set.Matchers()
	c.ValidFrom, c.ValidUntil = set.ValidFrom, set.ValidUntil
	for _, d := range set.Directions {
		c.Directions = append(c.Directions, d.String())
	}
	for i, rl := range set.Rules {
		if i == maxRuleIDs {
			c.MoreRules = len(set.Rules) - i
			break
		}
		c.RuleIDs = append(c.RuleIDs, rl.ID)
	}
	return c
}

// allDirections are the directions a form offers; domestic-domestic is
// never in scope.
var allDirections = []string{"foreign-foreign", "foreign-domestic", "domestic-foreign"}

// checked is a set of checked checkbox values, for templates.
type checked []string

// Has reports whether v is checked.
func (c checked) Has(v string) bool {
	for _, x := range c {
		if x == v {
			return true
		}
	}
	return false
}

// elapsed renders a waiting time in the page's language: minutes under an
// hour, hours and minutes under a day, days and hours after.
func (s *Site) elapsed(r *http.Request, d time.Duration) string {
	if d < 0 {
		d = 0
	}
	m := int(d / time.Minute)
	switch {
	case m < 60:
		return s.t(r, "oversight.elapsed.m", m)
	case m < 24*60:
		return s.t(r, "oversight.elapsed.hm", m/60, m%60)
	}
	return s.t(r, "oversight.elapsed.dh", m/(24*60), m%(24*60)/60)
}

// reasonForm is a form with one reason, as typed.
type reasonForm struct {
	Reason string
	Err    fieldErr
}

// writeExact writes b as a JSON download named name: the exact bytes, with
// their SHA-256 for the sensor's operator to compare.
func writeExact(w http.ResponseWriter, name string, b []byte) error {
	download(w, "application/json", name)
	sum := sha256.Sum256(b)
	w.Header().Set("X-Content-SHA256", hex.EncodeToString(sum[:]))
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(b)
	return err
}
