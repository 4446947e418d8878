package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/manifest"
	"github.com/acd-platform/acd/internal/oversight"
)

// Approvals: what lets the selection engine run. Analysts and the
// commission read them; analysts download the signed manifest and the
// exact criteria file a sensor needs and issue the sensor tokens bound to
// one approval; the chair revokes an approval of the commission.

var (
	approvalStates = []oversight.ApprovalState{oversight.ApprovalActive, oversight.ApprovalRevoked, oversight.ApprovalExpired}
	approvalBases  = []string{manifest.BasisAgreement, manifest.BasisTransit, manifest.BasisForeign}
)

type approvalsData struct {
	N         names
	Approvals []oversight.Approval
	State     string
	Basis     string
	States    []oversight.ApprovalState
	Bases     []string
	Err       fieldErr
}

func (s *Site) approvals(w http.ResponseWriter, r *http.Request) error {
	n, err := s.names(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := approvalsData{N: n, State: q.Get("state"), Basis: q.Get("basis"), States: approvalStates, Bases: approvalBases}
	switch {
	case d.State != "" && !slices.Contains(approvalStates, oversight.ApprovalState(d.State)):
		d.Err = fieldErr{"state", strconv.Quote(d.State) + ": unknown state"}
	case d.Basis != "" && !slices.Contains(approvalBases, d.Basis):
		d.Err = fieldErr{"basis", strconv.Quote(d.Basis) + ": want ch3, ch4 or ch6"}
	}
	if d.Err.Field != "" {
		return s.render(w, r, http.StatusBadRequest, "approvals", "approvals.title", d, "", s.t(r, "form.invalid"))
	}
	if d.Approvals, err = s.cfg.Oversight.Approvals(r.Context(), oversight.ApprovalFilter{State: oversight.ApprovalState(d.State), Basis: d.Basis}); err != nil {
		return oversightPageError(err)
	}
	return s.render(w, r, http.StatusOK, "approvals", "approvals.title", d)
}

// tokenForm issues a sensor token, as typed.
type tokenForm struct {
	Name string
	Err  fieldErr
}

// tokenRevokeForm revokes sensor token TID, as typed.
type tokenRevokeForm struct {
	TID, Reason string
	Err         fieldErr
}

type approvalData struct {
	N names
	A oversight.Approval
	// Tokens are the approval's sensor tokens, for those who issue them.
	Tokens []oversight.SensorToken
	// Issued is the raw token just issued, shown this once.
	Issued                                  string
	CanDownload, CanRevoke, CanSeeAgreement bool
	Token                                   tokenForm
	TokenRevoke                             tokenRevokeForm
	Revoke                                  reasonForm
	Now                                     time.Time
}

// RevokeFor returns the token revocation form as typed when it was for
// token id, else an empty one.
func (d approvalData) RevokeFor(id string) tokenRevokeForm {
	if d.TokenRevoke.TID == id {
		return d.TokenRevoke
	}
	return tokenRevokeForm{}
}

// approvalPage renders approval id; d carries the forms as typed.
func (s *Site) approvalPage(w http.ResponseWriter, r *http.Request, status int, d approvalData, msg ...string) error {
	p, id := principal(r), r.PathValue("id")
	a, err := s.cfg.Oversight.Approval(r.Context(), id)
	if err != nil {
		return oversightPageError(err)
	}
	if d.N, err = s.names(r); err != nil {
		return err
	}
	d.A, d.Now = a, s.cfg.Now()
	d.CanDownload = s.cfg.Policy.Allow(p, auth.ManifestDownload)
	d.CanRevoke = s.cfg.Policy.Allow(p, auth.CommissionDecide) && a.Basis != manifest.BasisAgreement && a.State != oversight.ApprovalRevoked
	d.CanSeeAgreement = s.cfg.Policy.Allow(p, auth.AgreementRead)
	if d.CanDownload {
		if d.Tokens, err = s.cfg.Oversight.SensorTokens(r.Context(), p, id); err != nil {
			return oversightPageError(err)
		}
	}
	if done := r.URL.Query().Get("done"); len(msg) == 0 && done != "" {
		switch done {
		case "revoked", "token_revoked":
			msg = []string{s.t(r, "approval.done."+done)}
		}
	}
	return s.render(w, r, status, "approval", "approval.title", d, msg...)
}

func (s *Site) approval(w http.ResponseWriter, r *http.Request) error {
	return s.approvalPage(w, r, http.StatusOK, approvalData{})
}

// approvalManifest downloads the signed manifest: the exact bytes signed
// when the approval was issued.
func (s *Site) approvalManifest(w http.ResponseWriter, r *http.Request) error {
	b, a, err := s.cfg.Oversight.Manifest(r.Context(), r.PathValue("id"))
	if err != nil {
		return oversightPageError(err)
	}
	return writeExact(w, a.ID+".manifest.json", b)
}

// approvalCriteria downloads the approved criteria file: the bytes the
// manifest's criteria_sha256 hashes.
func (s *Site) approvalCriteria(w http.ResponseWriter, r *http.Request) error {
	b, a, err := s.cfg.Oversight.ApprovalCriteria(r.Context(), r.PathValue("id"))
	if err != nil {
		return oversightPageError(err)
	}
	return writeExact(w, fmt.Sprintf("%s-v%d.json", a.CriteriaID, a.CriteriaVersion), b)
}

// sensorTokenIssue issues a token and shows it in this answer, once; it
// is not cached (the router sends no-store) and never shown again.
func (s *Site) sensorTokenIssue(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := tokenForm{Name: r.PostFormValue("name")}
	raw, _, err := s.cfg.Oversight.IssueSensorToken(r.Context(), principal(r), r.PathValue("id"), strings.TrimSpace(f.Name))
	if err != nil {
		fail, ok := s.oversightFailed(r, err, nil)
		if !ok {
			return oversightPageError(err)
		}
		f.Err = fail.field
		return s.approvalPage(w, r, fail.status, approvalData{Token: f}, "", fail.msg)
	}
	return s.approvalPage(w, r, http.StatusCreated, approvalData{Issued: raw}, s.t(r, "approval.token.issued"))
}

func (s *Site) sensorTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	f := tokenRevokeForm{TID: r.PathValue("tid"), Reason: r.PostFormValue("reason")}
	if _, err := s.cfg.Oversight.RevokeSensorToken(r.Context(), principal(r), id, f.TID, strings.TrimSpace(f.Reason)); err != nil {
		fail, ok := s.oversightFailed(r, err, nil)
		if !ok {
			return oversightPageError(err)
		}
		f.Err = fail.field
		return s.approvalPage(w, r, fail.status, approvalData{TokenRevoke: f}, "", fail.msg)
	}
	http.Redirect(w, r, "/approvals/"+id+"?done=token_revoked#tokens", http.StatusSeeOther)
	return nil
}

func (s *Site) approvalRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	f := reasonForm{Reason: r.PostFormValue("reason")}
	if _, err := s.cfg.Oversight.RevokeApproval(r.Context(), principal(r), id, strings.TrimSpace(f.Reason)); err != nil {
		fail, ok := s.oversightFailed(r, err, nil)
		if !ok {
			return oversightPageError(err)
		}
		f.Err = fail.field
		return s.approvalPage(w, r, fail.status, approvalData{Revoke: f}, "", fail.msg)
	}
	http.Redirect(w, r, "/approvals/"+id+"?done=revoked", http.StatusSeeOther)
	return nil
}
