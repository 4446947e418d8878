package auth

import (
	"slices"
	"sort"
)

// Audience says which principals a Rule admits.
type Audience int

const (
	// Nobody is the zero Audience: the action is denied to everyone. It is
	// what an action missing from the policy gets.
	Nobody Audience = iota
	// Public admits everyone, logged in or not.
	Public
	// Authenticated admits any logged-in, enabled user whatever their roles.
	Authenticated
	// Roles admits users holding one of Rule.Roles.
	Roles
	// Sensor admits only a selection sensor authenticated by a sensor token
	// bound to one approval (Principal.Sensor); no user, whatever their
	// roles, is a sensor, and a sensor is nothing else.
	Sensor
	// Subscriber admits only a blocklist feed subscriber authenticated by a
	// feed token (Principal.Subscriber); like a sensor, a subscriber is no
	// user and nothing else.
	Subscriber
)

func (a Audience) String() string {
	switch a {
	case Public:
		return "public"
	case Authenticated:
		return "authenticated"
	case Roles:
		return "roles"
	case Sensor:
		return "sensor"
	case Subscriber:
		return "subscriber"
	}
	return "nobody"
}

// Rule is who may do one action.
type Rule struct {
	Audience Audience
	// Roles lists the roles admitted when Audience is Roles.
	Roles []Role
}

// policyTable is ACD's one authorization table: every action and who may do
// it. Keep it in the order of actions.go.
var policyTable = map[Action]Rule{
	PublicView:          {Audience: Public},
	HealthRead:          {Audience: Public},
	OpenAPIRead:         {Audience: Public},
	KeysPublicRead:      {Audience: Public},
	AuditCheckpointRead: {Audience: Public},
	Login:               {Audience: Public},

	HomeView:          {Audience: Authenticated},
	Logout:            {Audience: Authenticated},
	InboxRead:         {Audience: Authenticated},
	PasswordChangeOwn: {Audience: Authenticated},
	TokenCreateOwn:    {Audience: Authenticated},
	TokenListOwn:      {Audience: Authenticated},
	TokenRevokeOwn:    {Audience: Authenticated},

	AccountList:        {Audience: Roles, Roles: []Role{RoleAdmin}},
	AccountView:        {Audience: Roles, Roles: []Role{RoleAdmin}},
	AccountCreate:      {Audience: Roles, Roles: []Role{RoleAdmin}},
	AccountDisable:     {Audience: Roles, Roles: []Role{RoleAdmin}},
	AccountPassword:    {Audience: Roles, Roles: []Role{RoleAdmin}},
	AccountGrant:       {Audience: Roles, Roles: []Role{RoleAdmin}},
	AccountConfirm:     {Audience: Roles, Roles: []Role{RoleAdmin}},
	AccountTOTPReissue: {Audience: Roles, Roles: []Role{RoleAdmin}},
	OrgCreate:          {Audience: Roles, Roles: []Role{RoleAdmin}},
	OrgList:            {Audience: Roles, Roles: []Role{RoleAdmin, RoleAnalyst}},
	TokenAdmin:         {Audience: Roles, Roles: []Role{RoleAdmin}},
	MetricsRead:        {Audience: Roles, Roles: []Role{RoleAdmin}},

	AuditEntriesRead: {Audience: Roles, Roles: []Role{RoleCommissionChair, RoleCommissionMember, RoleAdmin}},
	AuditProofRead:   {Audience: Roles, Roles: []Role{RoleCommissionChair, RoleCommissionMember, RoleAdmin}},

	STIXExtensionRead: {Audience: Public},
	OperatorList:      {Audience: Roles, Roles: []Role{RoleAnalyst, RoleMinistry}},
	OperatorDesignate: {Audience: Roles, Roles: []Role{RoleAnalyst}},
	AssetWrite:        {Audience: Roles, Roles: []Role{RoleOperator}},
	AssetRead:         {Audience: Roles, Roles: []Role{RoleOperator, RoleMinistry, RoleAnalyst}},
	AssetNoticeRead:   {Audience: Roles, Roles: []Role{RoleMinistry, RoleAnalyst}},
	ReportSubmit:      {Audience: Roles, Roles: []Role{RoleOperator}},
	ReportRead:        {Audience: Roles, Roles: []Role{RoleOperator, RoleMinistry, RoleAnalyst}},
	ReportStats:       {Audience: Roles, Roles: []Role{RoleAnalyst, RoleMinistry}},
	ComplianceRead:    {Audience: Roles, Roles: []Role{RoleMinistry, RoleAnalyst}},
	OrderIssue:        {Audience: Roles, Roles: []Role{RoleMinistry}},
	OrderClose:        {Audience: Roles, Roles: []Role{RoleMinistry}},
	OrderAnswer:       {Audience: Roles, Roles: []Role{RoleOperator}},
	OrderRead:         {Audience: Roles, Roles: []Role{RoleOperator, RoleMinistry, RoleAnalyst}},

	AgreementDraft:        {Audience: Roles, Roles: []Role{RoleAnalyst}},
	AgreementWrite:        {Audience: Roles, Roles: []Role{RoleOperator, RoleAnalyst}},
	AgreementRead:         {Audience: Roles, Roles: []Role{RoleOperator, RoleAnalyst, RoleCommissionChair, RoleCommissionMember}},
	AcquisitionFile:       {Audience: Roles, Roles: []Role{RoleAnalyst}},
	AcquisitionRead:       {Audience: Roles, Roles: []Role{RoleAnalyst, RoleCommissionChair, RoleCommissionMember}},
	CommissionVote:        {Audience: Roles, Roles: []Role{RoleCommissionChair, RoleCommissionMember}},
	CommissionDecide:      {Audience: Roles, Roles: []Role{RoleCommissionChair}},
	ManifestDownload:      {Audience: Roles, Roles: []Role{RoleAnalyst}},
	ManifestKeysRead:      {Audience: Public},
	SensorUpload:          {Audience: Sensor},
	RunUpload:             {Audience: Roles, Roles: []Role{RoleAnalyst}},
	RunRead:               {Audience: Roles, Roles: []Role{RoleAnalyst, RoleCommissionChair, RoleCommissionMember}},
	SelectedRead:          {Audience: Roles, Roles: []Role{RoleAnalyst, RoleCommissionChair, RoleCommissionMember}},
	FindingWrite:          {Audience: Roles, Roles: []Role{RoleAnalyst}},
	FindingRead:           {Audience: Roles, Roles: []Role{RoleAnalyst, RoleCommissionChair, RoleCommissionMember}},
	CooperationRequest:    {Audience: Roles, Roles: []Role{RoleAnalyst}},
	CooperationWrite:      {Audience: Roles, Roles: []Role{RoleMinistry, RoleAnalyst, RoleOfficer}},
	CooperationRead:       {Audience: Roles, Roles: []Role{RoleMinistry, RoleAnalyst, RoleCommissionChair, RoleCommissionMember, RoleOfficer}},
	ProvisionCreate:       {Audience: Roles, Roles: []Role{RoleAnalyst}},
	ProvisionRead:         {Audience: Roles, Roles: []Role{RoleOperator, RoleMinistry, RoleAnalyst, RoleCommissionChair, RoleCommissionMember, RoleOfficer}},
	InspectionWrite:       {Audience: Roles, Roles: []Role{RoleCommissionChair, RoleCommissionMember}},
	InspectionRead:        {Audience: Roles, Roles: []Role{RoleCommissionChair, RoleCommissionMember}},
	RecommendationIssue:   {Audience: Roles, Roles: []Role{RoleCommissionChair, RoleCommissionMember}},
	RecommendationAnswer:  {Audience: Roles, Roles: []Role{RoleMinistry, RoleAnalyst, RoleOfficer, RoleCommander}},
	RecommendationRead:    {Audience: Roles, Roles: []Role{RoleMinistry, RoleAnalyst, RoleCommissionChair, RoleCommissionMember, RoleOfficer, RoleCommander}},
	HandlingErrorReport:   {Audience: Roles, Roles: []Role{RoleMinistry, RoleAnalyst, RoleOfficer}},
	HandlingErrorClassify: {Audience: Roles, Roles: []Role{RoleCommissionChair, RoleCommissionMember}},
	HandlingErrorRead:     {Audience: Roles, Roles: []Role{RoleMinistry, RoleAnalyst, RoleCommissionChair, RoleCommissionMember, RoleOfficer}},
	AnnualReportRead:      {Audience: Roles, Roles: []Role{RoleCommissionChair, RoleCommissionMember}},
	AnnualReportPublish:   {Audience: Roles, Roles: []Role{RoleCommissionChair}},
	AnnualReportPublic:    {Audience: Public},
	AuditCosign:           {Audience: Roles, Roles: []Role{RoleCommissionChair, RoleCommissionMember}},

	OfficerDesignate:     {Audience: Roles, Roles: []Role{RoleCommander}},
	OfficerRead:          {Audience: Roles, Roles: []Role{RoleAnalyst, RoleCommissionChair, RoleCommissionMember, RoleOfficer, RoleCommander}},
	MeasureOpen:          {Audience: Roles, Roles: []Role{RoleOfficer}},
	MeasureWrite:         {Audience: Roles, Roles: []Role{RoleOfficer}},
	MeasureRead:          {Audience: Roles, Roles: []Role{RoleAnalyst, RoleCommissionChair, RoleCommissionMember, RoleOfficer, RoleCommander, RoleCabinet, RoleNPSC, RoleMOFA}},
	MeasureCommand:       {Audience: Roles, Roles: []Role{RoleCommander}},
	ConsultationAnswer:   {Audience: Roles, Roles: []Role{RoleMOFA}},
	PostNoticeReview:     {Audience: Roles, Roles: []Role{RoleCommissionChair, RoleCommissionMember}},
	SDFOrderIssue:        {Audience: Roles, Roles: []Role{RoleCabinet}},
	SDFOrderNPSC:         {Audience: Roles, Roles: []Role{RoleNPSC}},
	MeasureOverview:      {Audience: Roles, Roles: []Role{RoleAnalyst, RoleCommissionChair, RoleCommissionMember, RoleCabinet}},
	BlocklistWrite:       {Audience: Roles, Roles: []Role{RoleAnalyst, RoleOfficer}},
	BlocklistRead:        {Audience: Roles, Roles: []Role{RoleAnalyst, RoleOfficer, RoleCommander}},
	BlocklistSubscribers: {Audience: Roles, Roles: []Role{RoleAnalyst}},
	BlocklistFeed:        {Audience: Subscriber},

	CouncilRead:    {Audience: Authenticated},
	CouncilJoin:    {Audience: Roles, Roles: []Role{RoleOperator, RoleVendor}},
	CouncilManage:  {Audience: Roles, Roles: []Role{RoleAnalyst}},
	CouncilRequest: {Audience: Roles, Roles: []Role{RoleAnalyst}},
	CouncilAnswer:  {Audience: Authenticated},
	SharedRead:     {Audience: Authenticated},
	SharedForward:  {Audience: Authenticated},
	AdvisoryWrite:  {Audience: Roles, Roles: []Role{RoleAnalyst}},
	AdvisoryReview: {Audience: Roles, Roles: []Role{RoleAnalyst}},
	AdvisoryRead:   {Audience: Roles, Roles: []Role{RoleAnalyst}},
	AlertPublic:    {Audience: Public},
	TAXIIRead:      {Audience: Public},
	TAXIIWrite:     {Audience: Authenticated},

	VulnImport:         {Audience: Roles, Roles: []Role{RoleAnalyst}},
	VulnRead:           {Audience: Roles, Roles: []Role{RoleOperator, RoleMinistry, RoleAnalyst}},
	VulnExploitedWrite: {Audience: Roles, Roles: []Role{RoleAnalyst}},
	VulnExposure:       {Audience: Roles, Roles: []Role{RoleMinistry, RoleAnalyst}},
	VulnNational:       {Audience: Roles, Roles: []Role{RoleAnalyst}},
	CatalogueRead:      {Audience: Public},
	CatalogueWrite:     {Audience: Roles, Roles: []Role{RoleAnalyst}},

	VendorRead:          {Audience: Roles, Roles: []Role{RoleVendor, RoleAnalyst}},
	VendorProductsWrite: {Audience: Roles, Roles: []Role{RoleVendor}},
	VendorNotify:        {Audience: Roles, Roles: []Role{RoleAnalyst}},
	VendorAnswer:        {Audience: Roles, Roles: []Role{RoleVendor}},
	CSAFRead:            {Audience: Public},
	CSAFGreenRead:       {Audience: Authenticated},
}

// Policy is ACD's one authorization policy (DESIGN.md: role × action ×
// resource). It is immutable and safe for concurrent use; build it once with
// NewPolicy and enforce it on every route and page.
type Policy struct {
	rules map[Action]Rule
}

// NewPolicy returns the policy.
func NewPolicy() *Policy {
	rules := make(map[Action]Rule, len(policyTable))
	for a, r := range policyTable {
		rules[a] = Rule{Audience: r.Audience, Roles: slices.Clone(r.Roles)}
	}
	return &Policy{rules: rules}
}

// Allow reports whether p may do a. It denies by default:
//   - an action not in the policy is denied to everyone, admins included;
//   - a nil or disabled principal (the public) gets only Public actions;
//   - a privileged role (Role.Privileged) counts only when the principal
//     has MFA: a session that passed a second factor, or an API token made
//     from such a session or by the command line (see the package comment
//     on tokens). A privileged user without MFA keeps the actions of their
//     other roles and of Authenticated.
func (pol *Policy) Allow(p *Principal, a Action) bool {
	r, ok := pol.rules[a]
	if !ok {
		return false
	}
	switch r.Audience {
	case Public:
		return true
	case Authenticated:
		return active(p)
	case Sensor:
		return p != nil && p.Sensor != "" && p.Subscriber == "" && !p.Disabled
	case Subscriber:
		return p != nil && p.Subscriber != "" && p.Sensor == "" && !p.Disabled
	case Roles:
		if !active(p) {
			return false
		}
		for _, role := range r.Roles {
			if p.Has(role) && (!role.Privileged() || p.MFA) {
				return true
			}
		}
	}
	return false
}

// active reports whether p is a logged-in user; a sensor or a feed
// subscriber is not one.
func active(p *Principal) bool {
	return p != nil && !p.Disabled && p.UserID != "" && p.Sensor == "" && p.Subscriber == ""
}

// Actions returns every action in the policy, sorted.
func (pol *Policy) Actions() []Action {
	out := make([]Action, 0, len(pol.rules))
	for a := range pol.rules {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Rule returns the rule for a, and whether the policy has one.
func (pol *Policy) Rule(a Action) (Rule, bool) {
	r, ok := pol.rules[a]
	if !ok {
		return Rule{}, false
	}
	return Rule{Audience: r.Audience, Roles: slices.Clone(r.Roles)}, true
}

// CanSeeSector reports whether p may see records scoped to sector (reports,
// asset notifications, orders of that sector's operators):
//   - analysts see every sector;
//   - ministry users see the sectors of their ministry (Principal.Sectors);
//   - operators see their own sector's shared information only through
//     organisation scoping (CanSeeOrg), so CanSeeSector is false for them;
//   - everyone else, admins included, sees no sector.
func (pol *Policy) CanSeeSector(p *Principal, sector string) bool {
	if !active(p) || sector == "" {
		return false
	}
	if p.Has(RoleAnalyst) {
		return true
	}
	return p.Has(RoleMinistry) && p.OrgKind == OrgMinistry && slices.Contains(p.Sectors, sector)
}

// CanSeeOrg reports whether p may see records that belong to the
// organisation orgID whose sector is orgSector ("" for organisations outside
// the sectors): a member of the organisation itself, an analyst (any
// organisation), or a ministry user whose ministry supervises orgSector.
// Admins see no organisation's records but their own (they manage accounts,
// not reports).
func (pol *Policy) CanSeeOrg(p *Principal, orgID, orgSector string) bool {
	if !active(p) || orgID == "" {
		return false
	}
	if p.OrgID == orgID || p.Has(RoleAnalyst) {
		return true
	}
	return pol.CanSeeSector(p, orgSector)
}
