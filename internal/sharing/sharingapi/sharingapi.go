// Package sharingapi serves the sharing capability's JSON API: the council
// (/api/v1/council/…: membership, consent and withdrawal, suspension,
// groups, clearances, requests for materials), advisories for Cabinet
// Office analysts (/api/v1/advisories/…), items shared with the caller
// under TLP 2.0 (/api/v1/shared/…), and the public alerts (/api/v1/alerts
// and the Atom feed /alerts.atom). docs/sharing.md has curl examples.
//
// The router checks each route's action with the one policy; the service
// decides the record. A refusal answers its status (403 or 409) with a
// stable code and the message in English and Japanese ([Error]).
package sharingapi

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/svcerr"
)

// maxAdvisoryBody bounds an advisory's body.
const maxAdvisoryBody = 4 << 20

// MediaTypeSTIX is the media type of a shared item's STIX bundle.
const MediaTypeSTIX = "application/stix+json;version=2.1"

type handlers struct {
	svc *sharing.Service
}

// Register adds the sharing routes to r.
func Register(r *api.Router, svc *sharing.Service) {
	h := &handlers{svc: svc}
	const tagCouncil, tagAdv, tagShared, tagAlerts = "council", "advisories", "shared", "alerts"
	route := func(rt api.Route, fn api.HandlerFunc) { r.Handle(rt, fn) }

	route(api.Route{Pattern: "GET /api/v1/council/terms", Action: auth.CouncilRead, Tag: tagCouncil, Summary: "The terms an operator or vendor accepts to join: the duty of secrecy (§82)", Response: sharing.Terms{}}, h.terms)
	route(api.Route{Pattern: "GET /api/v1/council/membership", Action: auth.CouncilRead, Tag: tagCouncil, Summary: "The caller's organisation's membership, the caller's clearance and the groups it is in", Response: MyCouncil{}}, h.myCouncil)
	route(api.Route{Pattern: "POST /api/v1/council/consent", Action: auth.CouncilJoin, Tag: tagCouncil, Summary: "Join the council: record the organisation's consent and acceptance of the duty of secrecy (operators, vendors)", Request: sharing.ConsentInput{}, Response: sharing.Membership{}}, h.consent)
	route(api.Route{Pattern: "POST /api/v1/council/withdraw", Action: auth.CouncilJoin, Tag: tagCouncil, Summary: "Withdraw the organisation's consent: membership ends at once", Request: ReasonRequest{}, Response: sharing.Membership{}}, h.withdraw)
	route(api.Route{Pattern: "GET /api/v1/council/members", Action: auth.CouncilManage, Tag: tagCouncil, Summary: "Every organisation with its membership (Cabinet Office)", Response: MemberList{}}, h.members)
	route(api.Route{Pattern: "GET /api/v1/council/members/{org}", Action: auth.CouncilRead, Tag: tagCouncil, Summary: "One organisation's membership with its history (its own, or any for the Cabinet Office)", Response: sharing.Membership{}}, h.member)
	route(api.Route{Pattern: "POST /api/v1/council/members/{org}/suspend", Action: auth.CouncilManage, Tag: tagCouncil, Summary: "Suspend a member, with a reason (Cabinet Office)", Request: ReasonRequest{}, Response: sharing.Membership{}}, h.suspend)
	route(api.Route{Pattern: "POST /api/v1/council/members/{org}/reinstate", Action: auth.CouncilManage, Tag: tagCouncil, Summary: "Reinstate a suspended member, with a reason (Cabinet Office)", Request: ReasonRequest{}, Response: sharing.Membership{}}, h.reinstate)

	route(api.Route{Pattern: "GET /api/v1/council/groups", Action: auth.CouncilRead, Tag: tagCouncil, Summary: "Groups: all for the Cabinet Office, the caller's own otherwise (members only of visible groups)", Response: GroupList{}}, h.groups)
	route(api.Route{Pattern: "POST /api/v1/council/groups", Action: auth.CouncilManage, Tag: tagCouncil, Summary: "Create a group (Cabinet Office)", Request: sharing.GroupInput{}, Response: sharing.Group{}, Status: http.StatusCreated}, h.createGroup)
	route(api.Route{Pattern: "GET /api/v1/council/groups/{id}", Action: auth.CouncilRead, Tag: tagCouncil, Summary: "One group, as the caller may see it", Response: sharing.Group{}}, h.group)
	route(api.Route{Pattern: "PUT /api/v1/council/groups/{id}", Action: auth.CouncilManage, Tag: tagCouncil, Summary: "Rename a group or change whether its members see its member list (Cabinet Office)", Request: sharing.GroupInput{}, Response: sharing.Group{}}, h.updateGroup)
	route(api.Route{Pattern: "POST /api/v1/council/groups/{id}/members", Action: auth.CouncilManage, Tag: tagCouncil, Summary: "Add a council member to a group (Cabinet Office)", Request: OrgRequest{}, Response: sharing.Group{}}, h.addGroupMember)
	route(api.Route{Pattern: "DELETE /api/v1/council/groups/{id}/members/{org}", Action: auth.CouncilManage, Tag: tagCouncil, Summary: "Remove an organisation from a group (Cabinet Office)", Response: sharing.Group{}}, h.removeGroupMember)

	route(api.Route{Pattern: "GET /api/v1/council/clearances", Action: auth.CouncilManage, Tag: tagCouncil, Summary: "The clearance scale and the clearances granted (Cabinet Office)", Response: ClearanceList{}}, h.clearances)
	route(api.Route{Pattern: "PUT /api/v1/council/clearances/{user}", Action: auth.CouncilManage, Tag: tagCouncil, Summary: "Grant a user a clearance, with a reason (Cabinet Office; never oneself)", Request: ClearanceRequest{}, Response: sharing.Clearance{}}, h.grant)
	route(api.Route{Pattern: "POST /api/v1/council/clearances/{user}/revoke", Action: auth.CouncilManage, Tag: tagCouncil, Summary: "Return a user to the lowest clearance, with a reason (Cabinet Office; never oneself)", Request: ReasonRequest{}}, h.revoke)

	route(api.Route{Pattern: "POST /api/v1/council/requests", Action: auth.CouncilRequest, Tag: tagCouncil, Summary: "Request materials from a council member (ch.9), with a due time", Request: reporting.NewCouncilRequest{}, Response: reporting.Order{}, Status: http.StatusCreated}, h.request)
	route(api.Route{Pattern: "GET /api/v1/council/requests", Action: auth.CouncilRead, Tag: tagCouncil, Summary: "Council requests for materials: all for the Cabinet Office, the caller's organisation's otherwise (?state=)", Response: RequestList{}}, h.requests)
	route(api.Route{Pattern: "GET /api/v1/council/requests/{id}", Action: auth.CouncilRead, Tag: tagCouncil, Summary: "One council request with its history", Response: reporting.Order{}}, h.requestOne)
	route(api.Route{Pattern: "POST /api/v1/council/requests/{id}/answer", Action: auth.CouncilAnswer, Tag: tagCouncil, Summary: "Answer a council request addressed to the caller's organisation", Request: TextRequest{}, Response: reporting.Order{}}, h.answer)
	route(api.Route{Pattern: "POST /api/v1/council/requests/{id}/close", Action: auth.CouncilRequest, Tag: tagCouncil, Summary: "Close a council request with a note (Cabinet Office)", Request: TextRequest{}, Response: reporting.Order{}}, h.closeRequest)

	route(api.Route{Pattern: "POST /api/v1/advisories", Action: auth.AdvisoryWrite, Tag: tagAdv, Summary: "Draft an advisory (§41): technical and executive parts, TLP, clearance, recipients", Request: sharing.AdvisoryInput{}, Response: sharing.Advisory{}, Status: http.StatusCreated}, h.createAdvisory)
	route(api.Route{Pattern: "GET /api/v1/advisories", Action: auth.AdvisoryRead, Tag: tagAdv, Summary: "Advisories in every state, latest revisions (?state=, ?limit=)", Response: SummaryList{}}, h.advisories)
	route(api.Route{Pattern: "GET /api/v1/advisories/{id}", Action: auth.AdvisoryRead, Tag: tagAdv, Summary: "One advisory revision (?revision=, default the latest)", Response: sharing.Advisory{}}, h.advisory)
	route(api.Route{Pattern: "PUT /api/v1/advisories/{id}", Action: auth.AdvisoryWrite, Tag: tagAdv, Summary: "Edit the caller's draft", Request: sharing.AdvisoryInput{}, Response: sharing.Advisory{}}, h.updateAdvisory)
	route(api.Route{Pattern: "POST /api/v1/advisories/{id}/submit", Action: auth.AdvisoryWrite, Tag: tagAdv, Summary: "Submit the caller's draft for review", Response: sharing.Advisory{}}, h.submit)
	route(api.Route{Pattern: "POST /api/v1/advisories/{id}/return", Action: auth.AdvisoryReview, Tag: tagAdv, Summary: "Return an advisory in review to its author with a comment (a second analyst)", Request: CommentRequest{}, Response: sharing.Advisory{}}, h.returnAdvisory)
	route(api.Route{Pattern: "POST /api/v1/advisories/{id}/publish", Action: auth.AdvisoryReview, Tag: tagAdv, Summary: "Publish an advisory in review: notices, STIX objects (a second analyst)", Response: sharing.Advisory{}}, h.publish)
	route(api.Route{Pattern: "POST /api/v1/advisories/{id}/withdraw", Action: auth.AdvisoryReview, Tag: tagAdv, Summary: "Withdraw a published advisory with a reason", Request: ReasonRequest{}, Response: sharing.Advisory{}}, h.withdrawAdvisory)
	route(api.Route{Pattern: "POST /api/v1/advisories/{id}/revise", Action: auth.AdvisoryWrite, Tag: tagAdv, Summary: "Start the next revision of a published advisory as a draft", Response: sharing.Advisory{}, Status: http.StatusCreated}, h.revise)

	route(api.Route{Pattern: "GET /api/v1/shared", Action: auth.SharedRead, Tag: tagShared, Summary: "Published items the caller may read under their TLP and clearance (?tlp=, ?withdrawn=true, ?limit=); audited", Response: SummaryList{}}, h.sharedList)
	route(api.Route{Pattern: "GET /api/v1/shared/{id}", Action: auth.SharedRead, Tag: tagShared, Summary: "One published item; audited unless TLP:CLEAR", Response: sharing.Advisory{}}, h.shared)
	route(api.Route{Pattern: "GET /api/v1/shared/{id}/stix", Action: auth.SharedRead, Tag: tagShared, Summary: "One published item as a STIX 2.1 bundle (TLP 2.0 markings); audited unless TLP:CLEAR"}, h.sharedSTIX)
	route(api.Route{Pattern: "POST /api/v1/shared/{id}/forward", Action: auth.SharedForward, Tag: tagShared, Summary: "Forward a TLP:AMBER item the caller's organisation received to another council member", Request: sharing.ForwardInput{}, Response: sharing.Forward{}, Status: http.StatusCreated}, h.forward)

	route(api.Route{Pattern: "GET /api/v1/alerts", Action: auth.AlertPublic, Tag: tagAlerts, Summary: "Public alerts: published TLP:CLEAR advisories (?limit=)", Response: AlertList{}}, h.alerts)
	route(api.Route{Pattern: "GET /api/v1/alerts/{id}", Action: auth.AlertPublic, Tag: tagAlerts, Summary: "One public alert", Response: sharing.Alert{}}, h.alert)
	route(api.Route{Pattern: "GET /alerts.atom", Action: auth.AlertPublic, Tag: tagAlerts, Summary: "Public alerts as an Atom 1.0 feed (application/atom+xml)"}, h.atom)
}

// Error maps the sharing package's errors to API errors; the server's
// MapError calls it. A Refusal keeps its status and code and carries its
// message in English and Japanese; the rest go through svcerr.API, which
// maps both.
func Error(err error) *api.Error { return svcerr.API(err) }

func principal(r *http.Request) *auth.Principal { return auth.FromContext(r.Context()) }

// queryInt parses a non-negative integer query parameter; "" is 0.
func queryInt(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, api.BadRequest(name, fmt.Sprintf("%q: want a non-negative integer", v))
	}
	return n, nil
}

// queryBool parses a boolean query parameter; "" is false.
func queryBool(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, api.BadRequest(name, fmt.Sprintf("%q: want true or false", v))
	}
	return b, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
