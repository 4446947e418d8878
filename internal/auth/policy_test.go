package auth_test

import (
	"slices"
	"testing"

	"github.com/acd-platform/acd/internal/auth"
)

func TestPolicyAllow(t *testing.T) {
	pol := auth.NewPolicy()
	session := func(mfa bool, roles ...auth.Role) *auth.Principal {
		return &auth.Principal{UserID: "usr_1", OrgID: "org_1", Roles: roles, Via: auth.ViaSession, MFA: mfa}
	}
	token := &auth.Principal{UserID: "usr_1", Roles: []auth.Role{auth.RoleAdmin}, Via: auth.ViaToken}
	mfaToken := &auth.Principal{UserID: "usr_1", Roles: []auth.Role{auth.RoleAdmin}, Via: auth.ViaToken, MFA: true}
	disabled := session(true, auth.RoleAdmin)
	disabled.Disabled = true
	tests := []struct {
		name   string
		p      *auth.Principal
		action auth.Action
		want   bool
	}{
		{"public reads health", nil, auth.HealthRead, true},
		{"public reads the checkpoint", nil, auth.AuditCheckpointRead, true},
		{"public may not see home", nil, auth.HomeView, false},
		{"public may not list accounts", nil, auth.AccountList, false},
		{"operator sees home", session(false, auth.RoleOperator), auth.HomeView, true},
		{"operator may not list accounts", session(false, auth.RoleOperator), auth.AccountList, false},
		{"operator makes own token", session(false, auth.RoleOperator), auth.TokenCreateOwn, true},
		{"admin with MFA lists accounts", session(true, auth.RoleAdmin), auth.AccountList, true},
		{"admin without MFA may not list accounts", session(false, auth.RoleAdmin), auth.AccountList, false},
		{"admin without MFA still sees home", session(false, auth.RoleAdmin), auth.HomeView, true},
		{"admin token not MFA-backed may not list accounts", token, auth.AccountList, false},
		{"MFA-backed admin token lists accounts", mfaToken, auth.AccountList, true},
		{"analyst lists orgs", session(false, auth.RoleAnalyst), auth.OrgList, true},
		{"analyst may not create accounts", session(false, auth.RoleAnalyst), auth.AccountCreate, false},
		{"commission chair with MFA reads entries", session(true, auth.RoleCommissionChair), auth.AuditEntriesRead, true},
		{"commission member without MFA may not", session(false, auth.RoleCommissionMember), auth.AuditProofRead, false},
		{"non-privileged role counts without MFA", session(false, auth.RoleAnalyst, auth.RoleAdmin), auth.OrgList, true},
		{"disabled admin is the public", disabled, auth.AccountList, false},
		{"disabled admin reads public things", disabled, auth.HealthRead, true},
		{"principal without user id is the public", &auth.Principal{Roles: []auth.Role{auth.RoleAdmin}, MFA: true}, auth.HomeView, false},
		{"unknown action denied to admin", session(true, auth.RoleAdmin), "report.delete_everything", false},
		{"unknown action denied to the public", nil, "report.delete_everything", false},
		{"empty action denied", session(true, auth.RoleAdmin), "", false},
		{"sensor uploads", &auth.Principal{Sensor: "apv_1", Via: auth.ViaToken}, auth.SensorUpload, true},
		{"sensor is not authenticated as a user", &auth.Principal{Sensor: "apv_1", UserID: "sensor", Via: auth.ViaToken}, auth.HomeView, false},
		{"sensor holding a role gets nothing of it", &auth.Principal{Sensor: "apv_1", UserID: "sensor", Roles: []auth.Role{auth.RoleAnalyst}, Via: auth.ViaToken}, auth.RunRead, false},
		{"analyst is no sensor", session(false, auth.RoleAnalyst), auth.SensorUpload, false},
		{"public is no sensor", nil, auth.SensorUpload, false},
		{"subscriber pulls a feed", &auth.Principal{Subscriber: "sub_1", Via: auth.ViaToken}, auth.BlocklistFeed, true},
		{"subscriber is not authenticated as a user", &auth.Principal{Subscriber: "sub_1", UserID: "feed", Via: auth.ViaToken}, auth.HomeView, false},
		{"subscriber holding a role gets nothing of it", &auth.Principal{Subscriber: "sub_1", UserID: "feed", Roles: []auth.Role{auth.RoleAnalyst}, Via: auth.ViaToken}, auth.BlocklistRead, false},
		{"subscriber is no sensor", &auth.Principal{Subscriber: "sub_1", Via: auth.ViaToken}, auth.SensorUpload, false},
		{"sensor is no subscriber", &auth.Principal{Sensor: "apv_1", Via: auth.ViaToken}, auth.BlocklistFeed, false},
		{"a principal claiming both is neither", &auth.Principal{Sensor: "apv_1", Subscriber: "sub_1", Via: auth.ViaToken}, auth.BlocklistFeed, false},
		{"analyst is no subscriber", session(false, auth.RoleAnalyst), auth.BlocklistFeed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pol.Allow(tt.p, tt.action); got != tt.want {
				t.Errorf("Allow(%s) = %v, want %v", tt.action, got, tt.want)
			}
		})
	}
}

// TestPolicyTable pins the table: who may do each action.
func TestPolicyTable(t *testing.T) {
	pol := auth.NewPolicy()
	commission := []auth.Role{auth.RoleCommissionChair, auth.RoleCommissionMember, auth.RoleAdmin}
	reporters := []auth.Role{auth.RoleOperator, auth.RoleMinistry, auth.RoleAnalyst}
	want := map[auth.Action]auth.Rule{
		auth.PublicView:          {Audience: auth.Public},
		auth.HealthRead:          {Audience: auth.Public},
		auth.OpenAPIRead:         {Audience: auth.Public},
		auth.KeysPublicRead:      {Audience: auth.Public},
		auth.AuditCheckpointRead: {Audience: auth.Public},
		auth.Login:               {Audience: auth.Public},
		auth.HomeView:            {Audience: auth.Authenticated},
		auth.Logout:              {Audience: auth.Authenticated},
		auth.InboxRead:           {Audience: auth.Authenticated},
		auth.PasswordChangeOwn:   {Audience: auth.Authenticated},
		auth.TokenCreateOwn:      {Audience: auth.Authenticated},
		auth.TokenListOwn:        {Audience: auth.Authenticated},
		auth.TokenRevokeOwn:      {Audience: auth.Authenticated},
		auth.AccountList:         {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAdmin}},
		auth.AccountView:         {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAdmin}},
		auth.AccountCreate:       {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAdmin}},
		auth.AccountDisable:      {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAdmin}},
		auth.AccountPassword:     {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAdmin}},
		auth.AccountGrant:        {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAdmin}},
		auth.AccountConfirm:      {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAdmin}},
		auth.AccountTOTPReissue:  {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAdmin}},
		auth.OrgCreate:           {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAdmin}},
		auth.OrgList:             {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAdmin, auth.RoleAnalyst}},
		auth.TokenAdmin:          {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAdmin}},
		auth.MetricsRead:         {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAdmin}},
		auth.AuditEntriesRead:    {Audience: auth.Roles, Roles: commission},
		auth.AuditProofRead:      {Audience: auth.Roles, Roles: commission},

		auth.STIXExtensionRead: {Audience: auth.Public},
		auth.OperatorList:      {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst, auth.RoleMinistry}},
		auth.OperatorDesignate: {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.AssetWrite:        {Audience: auth.Roles, Roles: []auth.Role{auth.RoleOperator}},
		auth.AssetRead:         {Audience: auth.Roles, Roles: reporters},
		auth.AssetNoticeRead:   {Audience: auth.Roles, Roles: []auth.Role{auth.RoleMinistry, auth.RoleAnalyst}},
		auth.ReportSubmit:      {Audience: auth.Roles, Roles: []auth.Role{auth.RoleOperator}},
		auth.ReportRead:        {Audience: auth.Roles, Roles: reporters},
		auth.ReportStats:       {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst, auth.RoleMinistry}},
		auth.ComplianceRead:    {Audience: auth.Roles, Roles: []auth.Role{auth.RoleMinistry, auth.RoleAnalyst}},
		auth.OrderIssue:        {Audience: auth.Roles, Roles: []auth.Role{auth.RoleMinistry}},
		auth.OrderClose:        {Audience: auth.Roles, Roles: []auth.Role{auth.RoleMinistry}},
		auth.OrderAnswer:       {Audience: auth.Roles, Roles: []auth.Role{auth.RoleOperator}},
		auth.OrderRead:         {Audience: auth.Roles, Roles: reporters},

		auth.AgreementDraft:        {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.AgreementWrite:        {Audience: auth.Roles, Roles: []auth.Role{auth.RoleOperator, auth.RoleAnalyst}},
		auth.AgreementRead:         {Audience: auth.Roles, Roles: []auth.Role{auth.RoleOperator, auth.RoleAnalyst, auth.RoleCommissionChair, auth.RoleCommissionMember}},
		auth.AcquisitionFile:       {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.AcquisitionRead:       {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst, auth.RoleCommissionChair, auth.RoleCommissionMember}},
		auth.CommissionVote:        {Audience: auth.Roles, Roles: []auth.Role{auth.RoleCommissionChair, auth.RoleCommissionMember}},
		auth.CommissionDecide:      {Audience: auth.Roles, Roles: []auth.Role{auth.RoleCommissionChair}},
		auth.ManifestDownload:      {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.ManifestKeysRead:      {Audience: auth.Public},
		auth.SensorUpload:          {Audience: auth.Sensor},
		auth.RunUpload:             {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.RunRead:               {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst, auth.RoleCommissionChair, auth.RoleCommissionMember}},
		auth.SelectedRead:          {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst, auth.RoleCommissionChair, auth.RoleCommissionMember}},
		auth.FindingWrite:          {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.FindingRead:           {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst, auth.RoleCommissionChair, auth.RoleCommissionMember}},
		auth.CooperationRequest:    {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.CooperationWrite:      {Audience: auth.Roles, Roles: []auth.Role{auth.RoleMinistry, auth.RoleAnalyst, auth.RoleOfficer}},
		auth.CooperationRead:       {Audience: auth.Roles, Roles: []auth.Role{auth.RoleMinistry, auth.RoleAnalyst, auth.RoleCommissionChair, auth.RoleCommissionMember, auth.RoleOfficer}},
		auth.ProvisionCreate:       {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.ProvisionRead:         {Audience: auth.Roles, Roles: []auth.Role{auth.RoleOperator, auth.RoleMinistry, auth.RoleAnalyst, auth.RoleCommissionChair, auth.RoleCommissionMember, auth.RoleOfficer}},
		auth.InspectionWrite:       {Audience: auth.Roles, Roles: []auth.Role{auth.RoleCommissionChair, auth.RoleCommissionMember}},
		auth.InspectionRead:        {Audience: auth.Roles, Roles: []auth.Role{auth.RoleCommissionChair, auth.RoleCommissionMember}},
		auth.RecommendationIssue:   {Audience: auth.Roles, Roles: []auth.Role{auth.RoleCommissionChair, auth.RoleCommissionMember}},
		auth.RecommendationAnswer:  {Audience: auth.Roles, Roles: []auth.Role{auth.RoleMinistry, auth.RoleAnalyst, auth.RoleOfficer, auth.RoleCommander}},
		auth.RecommendationRead:    {Audience: auth.Roles, Roles: []auth.Role{auth.RoleMinistry, auth.RoleAnalyst, auth.RoleCommissionChair, auth.RoleCommissionMember, auth.RoleOfficer, auth.RoleCommander}},
		auth.HandlingErrorReport:   {Audience: auth.Roles, Roles: []auth.Role{auth.RoleMinistry, auth.RoleAnalyst, auth.RoleOfficer}},
		auth.HandlingErrorClassify: {Audience: auth.Roles, Roles: []auth.Role{auth.RoleCommissionChair, auth.RoleCommissionMember}},
		auth.HandlingErrorRead:     {Audience: auth.Roles, Roles: []auth.Role{auth.RoleMinistry, auth.RoleAnalyst, auth.RoleCommissionChair, auth.RoleCommissionMember, auth.RoleOfficer}},
		auth.AnnualReportRead:      {Audience: auth.Roles, Roles: []auth.Role{auth.RoleCommissionChair, auth.RoleCommissionMember}},
		auth.AnnualReportPublish:   {Audience: auth.Roles, Roles: []auth.Role{auth.RoleCommissionChair}},
		auth.AnnualReportPublic:    {Audience: auth.Public},
		auth.AuditCosign:           {Audience: auth.Roles, Roles: []auth.Role{auth.RoleCommissionChair, auth.RoleCommissionMember}},

		auth.OfficerDesignate:     {Audience: auth.Roles, Roles: []auth.Role{auth.RoleCommander}},
		auth.OfficerRead:          {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst, auth.RoleCommissionChair, auth.RoleCommissionMember, auth.RoleOfficer, auth.RoleCommander}},
		auth.MeasureOpen:          {Audience: auth.Roles, Roles: []auth.Role{auth.RoleOfficer}},
		auth.MeasureWrite:         {Audience: auth.Roles, Roles: []auth.Role{auth.RoleOfficer}},
		auth.MeasureRead:          {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst, auth.RoleCommissionChair, auth.RoleCommissionMember, auth.RoleOfficer, auth.RoleCommander, auth.RoleCabinet, auth.RoleNPSC, auth.RoleMOFA}},
		auth.MeasureCommand:       {Audience: auth.Roles, Roles: []auth.Role{auth.RoleCommander}},
		auth.ConsultationAnswer:   {Audience: auth.Roles, Roles: []auth.Role{auth.RoleMOFA}},
		auth.PostNoticeReview:     {Audience: auth.Roles, Roles: []auth.Role{auth.RoleCommissionChair, auth.RoleCommissionMember}},
		auth.SDFOrderIssue:        {Audience: auth.Roles, Roles: []auth.Role{auth.RoleCabinet}},
		auth.SDFOrderNPSC:         {Audience: auth.Roles, Roles: []auth.Role{auth.RoleNPSC}},
		auth.MeasureOverview:      {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst, auth.RoleCommissionChair, auth.RoleCommissionMember, auth.RoleCabinet}},
		auth.BlocklistWrite:       {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst, auth.RoleOfficer}},
		auth.BlocklistRead:        {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst, auth.RoleOfficer, auth.RoleCommander}},
		auth.BlocklistSubscribers: {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.BlocklistFeed:        {Audience: auth.Subscriber},

		auth.CouncilRead:    {Audience: auth.Authenticated},
		auth.CouncilJoin:    {Audience: auth.Roles, Roles: []auth.Role{auth.RoleOperator, auth.RoleVendor}},
		auth.CouncilManage:  {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.CouncilRequest: {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.CouncilAnswer:  {Audience: auth.Authenticated},
		auth.SharedRead:     {Audience: auth.Authenticated},
		auth.SharedForward:  {Audience: auth.Authenticated},
		auth.AdvisoryWrite:  {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.AdvisoryReview: {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.AdvisoryRead:   {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.AlertPublic:    {Audience: auth.Public},
		auth.TAXIIRead:      {Audience: auth.Public},
		auth.TAXIIWrite:     {Audience: auth.Authenticated},

		auth.VulnImport:          {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.VulnRead:            {Audience: auth.Roles, Roles: reporters},
		auth.VulnExploitedWrite:  {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.VulnExposure:        {Audience: auth.Roles, Roles: []auth.Role{auth.RoleMinistry, auth.RoleAnalyst}},
		auth.VulnNational:        {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.CatalogueRead:       {Audience: auth.Public},
		auth.CatalogueWrite:      {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.VendorRead:          {Audience: auth.Roles, Roles: []auth.Role{auth.RoleVendor, auth.RoleAnalyst}},
		auth.VendorProductsWrite: {Audience: auth.Roles, Roles: []auth.Role{auth.RoleVendor}},
		auth.VendorNotify:        {Audience: auth.Roles, Roles: []auth.Role{auth.RoleAnalyst}},
		auth.VendorAnswer:        {Audience: auth.Roles, Roles: []auth.Role{auth.RoleVendor}},
		auth.CSAFRead:            {Audience: auth.Public},
		auth.CSAFGreenRead:       {Audience: auth.Authenticated},
	}
	actions := pol.Actions()
	if !slices.IsSorted(actions) {
		t.Errorf("Actions() not sorted: %v", actions)
	}
	if len(actions) != len(want) {
		t.Errorf("policy has %d actions, this test knows %d: add the new ones here", len(actions), len(want))
	}
	for _, a := range actions {
		got, ok := pol.Rule(a)
		if !ok {
			t.Errorf("Rule(%s) missing for a listed action", a)
			continue
		}
		w, known := want[a]
		if !known {
			t.Errorf("action %s (%v) is not pinned by this test", a, got.Audience)
			continue
		}
		if got.Audience != w.Audience || !slices.Equal(got.Roles, w.Roles) {
			t.Errorf("Rule(%s) = %v %v, want %v %v", a, got.Audience, got.Roles, w.Audience, w.Roles)
		}
	}
	if _, ok := pol.Rule("no.such"); ok {
		t.Error(`Rule("no.such") found`)
	}
	// Rule returns a copy: changing it does not change the policy.
	r, _ := pol.Rule(auth.AccountList)
	r.Roles[0] = auth.RoleOperator
	if pol.Allow(&auth.Principal{UserID: "u", Roles: []auth.Role{auth.RoleOperator}}, auth.AccountList) {
		t.Error("mutating a Rule changed the policy")
	}
}

// TestPolicyMatrix checks every action against a principal holding each
// single role: admins get no action outside accounts, keys, metrics and the
// audit log; privileged roles need MFA.
func TestPolicyMatrix(t *testing.T) {
	pol := auth.NewPolicy()
	for _, a := range pol.Actions() {
		rule, _ := pol.Rule(a)
		for _, role := range auth.AllRoles {
			for _, mfa := range []bool{false, true} {
				p := &auth.Principal{UserID: "usr_1", Roles: []auth.Role{role}, Via: auth.ViaSession, MFA: mfa}
				want := rule.Audience == auth.Public || rule.Audience == auth.Authenticated ||
					(slices.Contains(rule.Roles, role) && (mfa || !role.Privileged()))
				if got := pol.Allow(p, a); got != want {
					t.Errorf("Allow(%s, mfa=%v, %s) = %v, want %v", role, mfa, a, got, want)
				}
			}
		}
	}
}

func TestCanSeeOrg(t *testing.T) {
	pol := auth.NewPolicy()
	operator := &auth.Principal{UserID: "u1", OrgID: "org_kanto", OrgKind: auth.OrgOperator, Sectors: []string{"electricity"}, Roles: []auth.Role{auth.RoleOperator}}
	meti := &auth.Principal{UserID: "u2", OrgID: "org_meti", OrgKind: auth.OrgMinistry, Sectors: []string{"electricity", "gas", "oil", "credit_cards"}, Roles: []auth.Role{auth.RoleMinistry}}
	analyst := &auth.Principal{UserID: "u3", OrgID: "org_nco", OrgKind: auth.OrgCabinetOff, Roles: []auth.Role{auth.RoleAnalyst}}
	admin := &auth.Principal{UserID: "u4", OrgID: "org_sys", OrgKind: auth.OrgSystemAdmin, Roles: []auth.Role{auth.RoleAdmin}, MFA: true}
	tests := []struct {
		name           string
		p              *auth.Principal
		org, orgSector string
		want           bool
	}{
		{"operator, own org", operator, "org_kanto", "electricity", true},
		{"operator, other operator of the same sector", operator, "org_chubu", "electricity", false},
		{"ministry, operator in its sector", meti, "org_kanto", "electricity", true},
		{"ministry, operator in another ministry's sector", meti, "org_jr", "railways", false},
		{"ministry, org outside the sectors", meti, "org_vendor", "", false},
		{"analyst, any operator", analyst, "org_jr", "railways", true},
		{"analyst, org outside the sectors", analyst, "org_vendor", "", true},
		{"admin, an operator", admin, "org_kanto", "electricity", false},
		{"admin, own org", admin, "org_sys", "", true},
		{"public", nil, "org_kanto", "electricity", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pol.CanSeeOrg(tt.p, tt.org, tt.orgSector); got != tt.want {
				t.Errorf("CanSeeOrg = %v, want %v", got, tt.want)
			}
		})
	}
	if !pol.CanSeeSector(meti, "gas") || pol.CanSeeSector(meti, "finance") || pol.CanSeeSector(operator, "electricity") {
		t.Error("CanSeeSector: want METI to see gas but not finance, and operators no sector")
	}
}
