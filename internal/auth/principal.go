package auth

import "context"

// Role is what a user may do in ACD, per DESIGN.md's role list. A user holds
// one or more roles; the public (no login) has none and is represented by a
// nil *Principal.
type Role string

// The roles of DESIGN.md.
const (
	RoleOperator         Role = "operator"          // designated operator (§4, §5)
	RoleMinistry         Role = "ministry"          // sector ministry
	RoleAnalyst          Role = "analyst"           // Cabinet Office / national cyber office
	RoleCommissionChair  Role = "commission_chair"  // §46, §50
	RoleCommissionMember Role = "commission_member" // §46, §50
	RoleOfficer          Role = "officer"           // designated officer (police or SDF)
	RoleCommander        Role = "commander"         // NPA Commissioner General, prefectural chief, Minister of Defense
	RoleCabinet          Role = "cabinet"           // Prime Minister's office
	RoleNPSC             Role = "npsc"              // National Public Safety Commission
	RoleMOFA             Role = "mofa"              // Ministry of Foreign Affairs
	RoleVendor           Role = "vendor"            // supplier (§42)
	RoleCouncil          Role = "council_member"    // council member (ch.9)
	RoleAdmin            Role = "admin"             // system administration only
)

// AllRoles lists every role, in the order of DESIGN.md.
var AllRoles = []Role{
	RoleOperator, RoleMinistry, RoleAnalyst, RoleCommissionChair, RoleCommissionMember,
	RoleOfficer, RoleCommander, RoleCabinet, RoleNPSC, RoleMOFA, RoleVendor, RoleCouncil, RoleAdmin,
}

// Privileged reports whether the role needs a second factor at login and a
// second admin's confirmation to be granted (DESIGN.md, separation of duties).
func (r Role) Privileged() bool {
	switch r {
	case RoleCommissionChair, RoleCommissionMember, RoleOfficer, RoleCommander, RoleAdmin:
		return true
	}
	return false
}

// Valid reports whether r is one of AllRoles.
func (r Role) Valid() bool {
	for _, x := range AllRoles {
		if x == r {
			return true
		}
	}
	return false
}

// Action is one thing a route or page does, such as "account.create". The
// policy maps every action to the roles allowed to do it; an action missing
// from the policy is denied to everyone.
type Action string

// Principal is an authenticated user as the policy sees it. It is built per
// request from a session or an API token and must not be cached across
// requests (a disabled user loses access at once).
type Principal struct {
	UserID   string
	Username string
	OrgID    string
	OrgKind  OrgKind
	// Sectors are the operator's sector (one) or the ministry's sectors.
	Sectors []string
	// Police is "national" or "prefectural" for police organisations.
	Police string
	Roles  []Role
	// MFA is true when this session passed a second factor, or this API
	// token was made from such a session or by the command line
	// (Token.MFABacked). The policy honours privileged roles only with it.
	MFA bool
	// Sensor is the approval id a sensor token is bound to; set only for a
	// selection sensor, which has no user, organisation or roles and may do
	// only the policy's Sensor actions.
	Sensor string
	// Subscriber is the blocklist feed subscriber a feed token belongs to;
	// set only for a subscriber, which has no user, organisation or roles
	// and may do only the policy's Subscriber actions.
	Subscriber string
	// Via is how the principal authenticated: ViaSession, ViaToken or
	// ViaCLI.
	Via string
	// CSRFToken is the session's anti-CSRF token, which every unsafe request
	// authenticated by the session cookie must echo (form field "csrf" or
	// header X-CSRF-Token). Empty for token-authenticated requests.
	CSRFToken string
	// Disabled marks a principal that must be treated as the public. The
	// Service never returns one; it exists so that a principal built by hand
	// (tests, tools) from a disabled account cannot pass the policy.
	Disabled bool
}

// Ways a principal authenticated (Principal.Via).
const (
	ViaSession = "session" // browser session cookie
	ViaToken   = "token"   // API token (Authorization: Bearer)
	ViaCLI     = "cli"     // command-line tool run on the server
)

// CLI returns the principal of a command-line tool run on the server by name
// (e.g. "acd user create"). Its UserID is "cli:"+name, the audit log's actor
// form for such tools. It holds no roles: the policy does not apply to the
// CLI, which is trusted by virtue of running on the server, and the Service
// treats every CLI principal as one party for separation of duties. It
// confirms grants only while fewer than two admins exist
// (Service.ConfirmGrant).
func CLI(name string) *Principal {
	return &Principal{UserID: "cli:" + name, Username: name, Via: ViaCLI}
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal of the request, or nil for the public.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// Has reports whether p holds role r. A nil Principal (the public) holds none.
func (p *Principal) Has(r Role) bool {
	if p == nil {
		return false
	}
	for _, x := range p.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// OrgKind is the kind of an organisation (DESIGN.md role list).
type OrgKind string

// Organisation kinds.
const (
	OrgOperator    OrgKind = "operator"
	OrgMinistry    OrgKind = "ministry"
	OrgCabinetOff  OrgKind = "cabinet_office" // national cyber office (analysts)
	OrgCommission  OrgKind = "commission"
	OrgPolice      OrgKind = "police"
	OrgSDF         OrgKind = "sdf"
	OrgCabinet     OrgKind = "cabinet" // Prime Minister's office
	OrgNPSC        OrgKind = "npsc"
	OrgMOFA        OrgKind = "mofa"
	OrgMOD         OrgKind = "mod" // Ministry of Defense
	OrgVendor      OrgKind = "vendor"
	OrgAgency      OrgKind = "agency" // other government agency (council members)
	OrgSystemAdmin OrgKind = "system"
)

// AllOrgKinds lists every organisation kind.
var AllOrgKinds = []OrgKind{
	OrgOperator, OrgMinistry, OrgCabinetOff, OrgCommission, OrgPolice, OrgSDF,
	OrgCabinet, OrgNPSC, OrgMOFA, OrgMOD, OrgVendor, OrgAgency, OrgSystemAdmin,
}

// Valid reports whether k is one of AllOrgKinds.
func (k OrgKind) Valid() bool {
	for _, x := range AllOrgKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Police levels (Principal.Police, Org.Police).
const (
	PoliceNational    = "national"    // National Police Agency
	PolicePrefectural = "prefectural" // prefectural police
)
