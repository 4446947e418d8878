// Package oversightapi serves the oversight capability's JSON API under
// /api/v1: agreements with operators and their consultations (ch.3),
// acquisition requests (ch.4, ch.6), the commission's queue, motions, votes
// and decisions, approvals with their signed manifests and criteria files,
// revocation, sensor tokens, and the public manifest keys and revocation
// list that sensors check before they run. docs/oversight.md has curl
// examples.
package oversightapi

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/manifest"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/svcerr"
)

type handlers struct {
	svc *oversight.Service
}

// Register adds the oversight routes to r.
func Register(r *api.Router, s *oversight.Service) {
	h := &handlers{svc: s}
	const tagAgr, tagAcq, tagComm, tagApv, tagMan = "agreements", "acquisitions", "commission", "approvals", "manifests"
	route := func(rt api.Route, fn api.HandlerFunc) { r.Handle(rt, fn) }
	ok := http.StatusOK
	created := http.StatusCreated

	route(api.Route{Pattern: "POST /api/v1/agreements", Action: auth.AgreementDraft, Tag: tagAgr, Summary: "Draft an agreement with an operator (Cabinet Office); criteria is the criteria file as a string", Request: oversight.AgreementInput{}, Response: oversight.Agreement{}, Status: created}, h.createAgreement)
	route(api.Route{Pattern: "GET /api/v1/agreements", Action: auth.AgreementRead, Tag: tagAgr, Summary: "Agreements visible to the caller (?state=, ?operator=)", Response: AgreementList{}}, h.agreements)
	route(api.Route{Pattern: "GET /api/v1/agreements/{id}", Action: auth.AgreementRead, Tag: tagAgr, Summary: "An agreement with its consultations", Response: oversight.Agreement{}}, h.agreement)
	route(api.Route{Pattern: "PUT /api/v1/agreements/{id}", Action: auth.AgreementWrite, Tag: tagAgr, Summary: "Revise a draft agreement (either side); clears both signatures", Request: oversight.AgreementInput{}, Response: oversight.Agreement{}}, h.updateAgreement)
	route(api.Route{Pattern: "GET /api/v1/agreements/{id}/criteria", Action: auth.AgreementRead, Tag: tagAgr, Summary: "The agreement's criteria file, exact bytes (application/json)", Status: ok}, h.agreementCriteria)
	route(api.Route{Pattern: "POST /api/v1/agreements/{id}/consultations", Action: auth.AgreementWrite, Tag: tagAgr, Summary: "Ask the other side to consult, with a response deadline (due defaults to 14 days)", Request: oversight.ConsultationRequest{}, Response: oversight.Consultation{}, Status: created}, h.consult)
	route(api.Route{Pattern: "POST /api/v1/agreements/{id}/consultations/{cid}/response", Action: auth.AgreementWrite, Tag: tagAgr, Summary: "Answer a consultation (the side asked): accept, or refuse with a reason", Request: oversight.ConsultationResponse{}, Response: oversight.Consultation{}}, h.respond)
	route(api.Route{Pattern: "POST /api/v1/agreements/{id}/sign", Action: auth.AgreementWrite, Tag: tagAgr, Summary: "Sign the current revision for the caller's side; both signatures make it active and issue its approval", Request: SignRequest{}, Response: oversight.Agreement{}}, h.sign)
	route(api.Route{Pattern: "POST /api/v1/agreements/{id}/terminate", Action: auth.AgreementWrite, Tag: tagAgr, Summary: "Terminate an agreement (either side); revokes its approval", Request: ReasonRequest{}, Response: oversight.Agreement{}}, h.terminate)

	route(api.Route{Pattern: "POST /api/v1/acquisitions", Action: auth.AcquisitionFile, Tag: tagAcq, Summary: "File an acquisition request (ch4 or ch6) for the commission's approval; criteria is the criteria file as a string", Request: oversight.AcquisitionInput{}, Response: oversight.Acquisition{}, Status: created}, h.file)
	route(api.Route{Pattern: "GET /api/v1/acquisitions", Action: auth.AcquisitionRead, Tag: tagAcq, Summary: "Acquisition requests (?state=, ?chapter=)", Response: AcquisitionList{}}, h.acquisitions)
	route(api.Route{Pattern: "GET /api/v1/acquisitions/{id}", Action: auth.AcquisitionRead, Tag: tagAcq, Summary: "A request with its motions, votes and decision", Response: oversight.Acquisition{}}, h.acquisition)
	route(api.Route{Pattern: "GET /api/v1/acquisitions/{id}/criteria", Action: auth.AcquisitionRead, Tag: tagAcq, Summary: "The criteria file filed, exact bytes (application/json)", Status: ok}, h.acquisitionCriteria)
	route(api.Route{Pattern: "POST /api/v1/acquisitions/{id}/withdraw", Action: auth.AcquisitionFile, Tag: tagAcq, Summary: "Withdraw a pending request (Cabinet Office); an open motion lapses", Request: ReasonRequest{}, Response: oversight.Acquisition{}}, h.withdraw)

	route(api.Route{Pattern: "GET /api/v1/commission/queue", Action: auth.AcquisitionRead, Tag: tagComm, Summary: "Pending requests, longest waiting first, with the open motion and its votes", Response: Queue{}}, h.queue)
	route(api.Route{Pattern: "POST /api/v1/acquisitions/{id}/motions", Action: auth.CommissionVote, Tag: tagComm, Summary: "Move a motion on a pending request: approve, approve_narrowed (with a narrowing) or refuse (with reasons)", Request: oversight.MotionInput{}, Response: oversight.Motion{}, Status: created}, h.move)
	route(api.Route{Pattern: "GET /api/v1/motions/{id}", Action: auth.AcquisitionRead, Tag: tagComm, Summary: "A motion with its votes and, once closed, its tally", Response: oversight.Motion{}}, h.motion)
	route(api.Route{Pattern: "GET /api/v1/motions/{id}/criteria", Action: auth.AcquisitionRead, Tag: tagComm, Summary: "The narrowed criteria file of a motion to approve narrowed, exact bytes (application/json)", Status: ok}, h.motionCriteria)
	route(api.Route{Pattern: "POST /api/v1/motions/{id}/votes", Action: auth.CommissionVote, Tag: tagComm, Summary: "Vote yes, no or abstain with reasons, once per motion", Request: oversight.VoteInput{}, Response: oversight.Motion{}, Status: created}, h.vote)
	route(api.Route{Pattern: "POST /api/v1/motions/{id}/close", Action: auth.CommissionDecide, Tag: tagComm, Summary: "Close a motion and count the votes (chair); carried decides the request", Response: oversight.Motion{}}, h.close)
	route(api.Route{Pattern: "GET /api/v1/oversight/stats", Action: auth.AcquisitionRead, Tag: tagComm, Summary: "Annual-report figures for requests filed and agreements in [?from, ?to)", Response: oversight.Stats{}}, h.stats)

	route(api.Route{Pattern: "GET /api/v1/approvals", Action: auth.AcquisitionRead, Tag: tagApv, Summary: "Approvals (?state=active|revoked|expired, ?basis=, ?request=, ?agreement=, ?operator=)", Response: ApprovalList{}}, h.approvals)
	route(api.Route{Pattern: "GET /api/v1/approvals/{id}", Action: auth.AcquisitionRead, Tag: tagApv, Summary: "An approval", Response: oversight.Approval{}}, h.approval)
	route(api.Route{Pattern: "GET /api/v1/approvals/{id}/manifest", Action: auth.ManifestDownload, Tag: tagApv, Summary: "The approval's signed manifest, exact bytes", Response: manifest.Manifest{}}, h.manifest)
	route(api.Route{Pattern: "GET /api/v1/approvals/{id}/criteria", Action: auth.ManifestDownload, Tag: tagApv, Summary: "The approved criteria file, exact bytes (application/json)", Status: ok}, h.approvalCriteria)
	route(api.Route{Pattern: "GET /api/v1/approvals/{id}/bundle", Action: auth.ManifestDownload, Tag: tagApv, Summary: "A zip of manifest.json and criteria.json for a sensor", Status: ok}, h.bundle)
	route(api.Route{Pattern: "POST /api/v1/approvals/{id}/revoke", Action: auth.CommissionDecide, Tag: tagApv, Summary: "Revoke an approval of the commission (chair); its sensor tokens go with it", Request: ReasonRequest{}, Response: oversight.Approval{}}, h.revoke)
	route(api.Route{Pattern: "POST /api/v1/approvals/{id}/sensor-tokens", Action: auth.ManifestDownload, Tag: tagApv, Summary: "Issue a sensor token bound to an active approval; the token is shown once", Request: SensorTokenRequest{}, Response: IssuedSensorToken{}, Status: created}, h.issueToken)
	route(api.Route{Pattern: "GET /api/v1/approvals/{id}/sensor-tokens", Action: auth.ManifestDownload, Tag: tagApv, Summary: "The approval's sensor tokens (never their secrets)", Response: SensorTokenList{}}, h.tokens)
	route(api.Route{Pattern: "POST /api/v1/approvals/{id}/sensor-tokens/{tid}/revoke", Action: auth.ManifestDownload, Tag: tagApv, Summary: "Revoke a sensor token", Request: ReasonRequest{}, Response: oversight.SensorToken{}}, h.revokeToken)

	route(api.Route{Pattern: "GET /api/v1/manifest/keys", Action: auth.ManifestKeysRead, Tag: tagMan, Summary: "The approval-manifest public keys, every version (a sensor's trust anchor)", Response: manifest.KeySet{}}, h.keys)
	route(api.Route{Pattern: "GET /api/v1/manifest/revocations", Action: auth.ManifestKeysRead, Tag: tagMan, Summary: "The signed list of revoked approvals, issued now", Response: manifest.Revocations{}}, h.revocations)
}

// Error maps the oversight package's errors to API errors; the server's
// MapError calls it.
func Error(err error) *api.Error { return svcerr.API(err) }

func principal(r *http.Request) *auth.Principal { return auth.FromContext(r.Context()) }

// bodyLimit bounds a body carrying a criteria file: the file escaped as a
// JSON string can be up to twice its size, plus the other fields.
func (h *handlers) bodyLimit() int64 { return 2*int64(h.svc.MaxCriteria()) + 256<<10 }

// writeRaw writes exact bytes as a JSON download.
func writeRaw(w http.ResponseWriter, name string, b []byte) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Header().Set("X-Content-SHA256", sha256Hex(b))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(b)
	return err
}

// zipOf makes a zip archive of the named files, stamped at t.
func zipOf(t time.Time, files ...struct {
	name string
	data []byte
}) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: t})
		if err != nil {
			return nil, err
		}
		if _, err := fw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
