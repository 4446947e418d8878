package web

import (
	"net/http"
	"strings"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/tlp"
)

// The pages of the council (Act ch.9) and of what is shared in it (§41):
//
//   - /alerts and /alerts/{id}: the public alerts, published TLP:CLEAR
//     advisories, for anyone without logging in, with the Atom feed
//     /alerts.atom (served by the sharing API);
//   - /council: the viewer's organisation's membership, the viewer's
//     clearance and the groups it is in (with their members where the
//     group's list is visible); /council/consent the consent of an
//     operator or vendor to the duty of secrecy (§82), and its
//     withdrawal;
//   - the Cabinet Office's management: /council/members (suspend,
//     reinstate), /council/groups (create, rename, members, whether the
//     members see the list), /council/clearances (grant, revoke) and
//     /council/requests (requests for materials, which the members answer
//     on the same pages);
//   - /advisories: the Cabinet Office analysts' two-part advisories, from
//     draft through review by a second analyst to publication,
//     withdrawal and revision;
//   - /shared: the published items the viewer may read under their TLP
//     and clearance, with their STIX bundle and, for TLP:AMBER, the form
//     that forwards one to another council member.
//
// Every page is a route with its action, so the one policy guards it; the
// sharing service then decides the record (tlp.Scale.Visible on every
// read, audited), and a step it refuses shows as the refusal's message in
// the page's language with its code, which also goes in the X-ACD-Refusal
// header.

// registerSharing adds the sharing pages through page, Register's helper;
// it adds none when the site has no sharing service.
func (s *Site) registerSharing(page func(pattern string, action auth.Action, h api.HandlerFunc)) {
	if s.cfg.Sharing == nil {
		return
	}
	page("GET /alerts", auth.AlertPublic, s.alerts)
	page("GET /alerts/{id}", auth.AlertPublic, s.alert)

	page("GET /council", auth.CouncilRead, s.council)
	page("GET /council/consent", auth.CouncilJoin, s.councilConsentForm)
	page("POST /council/consent", auth.CouncilJoin, s.councilConsent)
	page("POST /council/withdraw", auth.CouncilJoin, s.councilWithdraw)
	page("GET /council/members", auth.CouncilManage, s.councilMembers)
	page("GET /council/members/{org}", auth.CouncilRead, s.councilMember)
	page("POST /council/members/{org}/suspend", auth.CouncilManage, s.councilSuspend)
	page("POST /council/members/{org}/reinstate", auth.CouncilManage, s.councilReinstate)
	page("GET /council/groups", auth.CouncilManage, s.councilGroups)
	page("POST /council/groups", auth.CouncilManage, s.councilGroupCreate)
	page("GET /council/groups/{id}", auth.CouncilRead, s.councilGroup)
	page("POST /council/groups/{id}", auth.CouncilManage, s.councilGroupUpdate)
	page("POST /council/groups/{id}/members", auth.CouncilManage, s.councilGroupAdd)
	page("POST /council/groups/{id}/members/{org}/remove", auth.CouncilManage, s.councilGroupRemove)
	page("GET /council/clearances", auth.CouncilManage, s.councilClearances)
	page("POST /council/clearances", auth.CouncilManage, s.councilClearanceGrant)
	page("POST /council/clearances/{user}/revoke", auth.CouncilManage, s.councilClearanceRevoke)
	page("GET /council/requests", auth.CouncilRead, s.councilRequests)
	page("POST /council/requests", auth.CouncilRequest, s.councilRequestIssue)
	page("GET /council/requests/{id}", auth.CouncilRead, s.councilRequest)
	page("POST /council/requests/{id}/answer", auth.CouncilAnswer, s.councilRequestAnswer)
	page("POST /council/requests/{id}/close", auth.CouncilRequest, s.councilRequestClose)

	page("GET /advisories", auth.AdvisoryRead, s.advisories)
	page("GET /advisories/new", auth.AdvisoryWrite, s.advisoryNew)
	page("POST /advisories", auth.AdvisoryWrite, s.advisoryCreate)
	page("GET /advisories/{id}", auth.AdvisoryRead, s.advisory)
	page("GET /advisories/{id}/edit", auth.AdvisoryWrite, s.advisoryEdit)
	page("POST /advisories/{id}", auth.AdvisoryWrite, s.advisoryUpdate)
	page("POST /advisories/{id}/submit", auth.AdvisoryWrite, s.advisorySubmit)
	page("POST /advisories/{id}/return", auth.AdvisoryReview, s.advisoryReturn)
	page("POST /advisories/{id}/publish", auth.AdvisoryReview, s.advisoryPublish)
	page("POST /advisories/{id}/withdraw", auth.AdvisoryReview, s.advisoryWithdraw)
	page("POST /advisories/{id}/revise", auth.AdvisoryWrite, s.advisoryRevise)

	page("GET /shared", auth.SharedRead, s.sharedItems)
	page("GET /shared/{id}", auth.SharedRead, s.sharedItem)
	page("GET /shared/{id}/stix", auth.SharedRead, s.sharedSTIX)
	page("POST /shared/{id}/forward", auth.SharedForward, s.sharedForward)

	s.links[auth.CouncilRead] = "/council"
	s.links[auth.CouncilJoin] = "/council/consent"
	s.links[auth.CouncilManage] = "/council/members"
	s.links[auth.CouncilRequest] = "/council/requests"
	s.links[auth.CouncilAnswer] = "/council/requests"
	s.links[auth.SharedRead] = "/shared"
	s.links[auth.SharedForward] = "/shared?tlp=amber"
	s.links[auth.AdvisoryRead] = "/advisories"
	s.links[auth.AdvisoryWrite] = "/advisories/new"
	s.links[auth.AdvisoryReview] = "/advisories?state=in_review"
}

// shPageError is svcPageError with the sharing pages' messages.
func (s *Site) shPageError(w http.ResponseWriter, r *http.Request, err error) error {
	return s.svcPageError(w, r, sharingMessages, err)
}

// sharingMessages are the sharing pages' messages of a service's errors.
var sharingMessages = pageMessages{refused: "sharing.refused", forbidden: "sharing.forbidden"}

// shFailed is svcFailed with the sharing pages' messages.
func (s *Site) shFailed(w http.ResponseWriter, r *http.Request, err error, fields func(string) (string, string)) (formFailure, bool) {
	return s.svcFailed(w, r, sharingMessages, err, fields)
}

// tlpBadge is a TLP level as the pages show it: the TLP 2.0 label in the
// colour TLP 2.0 gives it, on black.
type tlpBadge struct{ Level tlp.Level }

// Label is the level as TLP 2.0 writes it ("TLP:AMBER+STRICT").
func (b tlpBadge) Label() string { return b.Level.Label() }

// Slug is the level for ids and classes: "amber-strict".
func (b tlpBadge) Slug() string { return strings.ReplaceAll(string(b.Level), "+", "-") }

// Class is the badge's CSS class: "tlp tlp-amber-strict"; an unknown
// level gets the plain badge.
func (b tlpBadge) Class() string {
	if b.Level.Rank() < 0 {
		return "tlp"
	}
	return "tlp tlp-" + b.Slug()
}

// Key is the catalogue key of the level's meaning.
func (b tlpBadge) Key() string {
	if b.Level.Rank() < 0 {
		return "tlp.unknown"
	}
	return "tlp.means." + strings.ReplaceAll(string(b.Level), "+", "_")
}

// tlpLevels are the TLP levels the forms and filters offer, from the
// least to the most restricted.
var tlpLevels = func() []tlpBadge {
	out := make([]tlpBadge, len(tlp.Levels))
	for i, l := range tlp.Levels {
		out[i] = tlpBadge{l}
	}
	return out
}()

// advisoryStates are the states the list of advisories filters on, in
// the order of an advisory's life.
var advisoryStates = []sharing.State{sharing.StateDraft, sharing.StateInReview, sharing.StatePublished,
	sharing.StateWithdrawn, sharing.StateSuperseded}

// isManager reports whether p is a Cabinet Office analyst, who manages
// the council and writes and reviews advisories. The service decides;
// this only chooses what a page offers.
func isManager(p *auth.Principal) bool {
	return p != nil && p.Has(auth.RoleAnalyst) && p.OrgKind == auth.OrgCabinetOff
}

// notCabinetOffice is the service's refusal of a step the Cabinet Office
// alone takes, for a page that offers only such steps.
func notCabinetOffice() error {
	return sharing.Refuse(sharing.CodeNotCabinetOffice, "")
}

// doneMessage returns the flash message of the page's ?done= when it is
// one of keys (catalogue keys prefix+key), for a page with no message of
// its own.
func (s *Site) doneMessage(r *http.Request, prefix string, msg []string, keys ...string) []string {
	done := r.URL.Query().Get("done")
	if len(msg) > 0 || done == "" {
		return msg
	}
	for _, k := range keys {
		if k == done {
			return []string{s.t(r, prefix+k)}
		}
	}
	return msg
}
