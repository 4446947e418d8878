package auth

// The foundation's actions. Each names one thing a route or page does; the
// Policy (policy.go) says who may do it. Later capabilities add their own
// actions here and a row in policyTable; an action without a row is denied to
// everyone.
const (
	// PublicView shows public pages: the start page, static assets, the
	// language switch (and, later, public alerts, §41). Public.
	PublicView Action = "public.view"
	// HealthRead reads the liveness/readiness endpoints. Public.
	HealthRead Action = "health.read"
	// OpenAPIRead reads the API description. Public.
	OpenAPIRead Action = "openapi.read"
	// KeysPublicRead reads the public halves of ACD's keys (to verify
	// checkpoints, manifests, signatures). Public.
	KeysPublicRead Action = "keys.public.read"
	// AuditCheckpointRead reads the latest signed audit-log checkpoint, so
	// anyone can hold ACD to its log. Public.
	AuditCheckpointRead Action = "audit.checkpoint.read"
	// Login submits a username and password, or a TOTP code for a login
	// challenge. Public (there is no principal yet).
	Login Action = "session.login"

	// HomeView shows the signed-in home page. Any authenticated user.
	HomeView Action = "home.view"
	// Logout ends the caller's own session. Any authenticated user.
	Logout Action = "session.logout"
	// InboxRead reads the caller's own inbox (notifications addressed to the
	// user or the user's organisation). Any authenticated user.
	InboxRead Action = "inbox.read"
	// PasswordChangeOwn changes the caller's own password. Any authenticated
	// user.
	PasswordChangeOwn Action = "account.password.own"
	// TokenCreateOwn creates an API token for the caller's own account. Any
	// authenticated user; the Service refuses it for a privileged account
	// unless the caller passed a second factor (see the package comment).
	TokenCreateOwn Action = "token.create.own"
	// TokenListOwn lists the caller's own API tokens (never their secrets).
	// Any authenticated user.
	TokenListOwn Action = "token.list.own"
	// TokenRevokeOwn revokes one of the caller's own API tokens. Any
	// authenticated user; the handler checks the token is the caller's.
	TokenRevokeOwn Action = "token.revoke.own"

	// AccountList lists user accounts. Admin.
	AccountList Action = "account.list"
	// AccountView shows one user account with its grants and tokens (never
	// secrets). Admin.
	AccountView Action = "account.view"
	// AccountCreate creates a user account; privileged roles become pending
	// grants. Admin.
	AccountCreate Action = "account.create"
	// AccountDisable disables an account, revoking its sessions and tokens.
	// Admin (not their own).
	AccountDisable Action = "account.disable"
	// AccountPassword sets another user's password. Admin.
	AccountPassword Action = "account.password"
	// AccountGrant requests roles for an existing account; privileged roles
	// become pending grants. Admin.
	AccountGrant Action = "account.grant"
	// AccountConfirm confirms a pending grant of a privileged role; the
	// Service refuses the admin who requested it. Admin.
	AccountConfirm Action = "account.confirm"
	// AccountTOTPReissue issues a new TOTP secret to a user who lost their
	// authenticator, shown once to the acting admin; the Service refuses the
	// user themself and the admin who set the user's password. Admin.
	AccountTOTPReissue Action = "account.totp_reissue"
	// OrgCreate creates an organisation. Admin.
	OrgCreate Action = "org.create"
	// OrgList lists organisations. Admin, analyst.
	OrgList Action = "org.list"
	// TokenAdmin lists, creates and revokes API tokens of other users. Admin.
	TokenAdmin Action = "token.admin"
	// MetricsRead reads the Prometheus metrics. Admin (metrics reveal
	// activity levels, e.g. how many reports a sector files).
	MetricsRead Action = "metrics.read"

	// AuditEntriesRead reads audit-log entries (actor, action, resource,
	// digest). The commission, which inspects all handling (§61), and
	// admins.
	AuditEntriesRead Action = "audit.entries.read"
	// AuditProofRead reads inclusion and consistency proofs of the audit log.
	// The commission and admins.
	AuditProofRead Action = "audit.proof.read"

	// STIXExtensionRead reads ACD's STIX extension-definition and its JSON
	// schema, so that operators' tools can build report bundles. Public.
	STIXExtensionRead Action = "stix.extension.read"

	// OperatorList lists operator organisations with their designation
	// state. Analysts (all) and ministries (their sectors; the handler
	// scopes).
	OperatorList Action = "operator.list"
	// OperatorDesignate designates or undesignates an operator organisation,
	// keeping the history. The Cabinet Office (analyst).
	OperatorDesignate Action = "operator.designate"
	// AssetWrite registers, updates and retires the caller's own specified
	// critical computers (§4), one by one or by bulk import. Operators; the
	// service requires a designated operator.
	AssetWrite Action = "asset.write"
	// AssetRead reads specified critical computers and their versions.
	// Operators (their own), ministries (their sectors), analysts (all);
	// the service scopes by organisation.
	AssetRead Action = "asset.read"
	// AssetNoticeRead reads the §4 notices received: ministries their
	// sectors', analysts the Cabinet Office's forwarded copies.
	AssetNoticeRead Action = "asset_notice.read"
	// ReportSubmit files a new incident or precursor report, or the next
	// version of one, and attaches evidence (§5). Operators; the service
	// requires a designated operator and the report to be its own.
	ReportSubmit Action = "report.submit"
	// ReportRead reads reports, their versions, STIX exports and evidence.
	// Operators (their own), ministries (their sectors), analysts (all);
	// reads by others than the submitting operator are audited.
	ReportRead Action = "report.read"
	// ReportStats reads report counts over time by sector (the Cabinet
	// Office's chart). Analysts; ministries (their sectors).
	ReportStats Action = "report.stats"
	// ComplianceRead reads the compliance table (on time / late / missing)
	// of operators. Ministries (their sectors) and analysts.
	ComplianceRead Action = "compliance.read"
	// OrderIssue issues a correction order or a request for materials to an
	// operator of the ministry's sectors (§83, §84). Ministries.
	OrderIssue Action = "order.issue"
	// OrderClose closes an order the caller's ministry issued. Ministries.
	OrderClose Action = "order.close"
	// OrderAnswer answers an order addressed to the caller's operator.
	// Operators.
	OrderAnswer Action = "order.answer"
	// OrderRead reads orders and the referral candidates. Operators (their
	// own), ministries (their sectors), analysts (all).
	OrderRead Action = "order.read"

	// Oversight and communications information (Act ch.3–7, ch.10). The
	// services scope each record further (an operator sees its own
	// agreements, an agency the provisions and recommendations addressed to
	// it).

	// AgreementDraft drafts a new agreement with an operator (ch.3). The
	// Cabinet Office (analyst).
	AgreementDraft Action = "agreement.draft"
	// AgreementWrite revises, consults on, signs and terminates agreements
	// (ch.3): the Cabinet Office (analyst) and the operator party, each on
	// its own side.
	AgreementWrite Action = "agreement.write"
	// AgreementRead reads agreements. Analysts, operators (their own) and the
	// commission.
	AgreementRead Action = "agreement.read"
	// AcquisitionFile files and withdraws acquisition requests (ch.4, ch.6).
	// The Cabinet Office (analyst).
	AcquisitionFile Action = "acquisition.file"
	// AcquisitionRead reads acquisition requests, their votes and
	// decisions. Analysts and the commission.
	AcquisitionRead Action = "acquisition.read"
	// CommissionVote moves a decision on a request and votes on it, with
	// reasons. Commission chair and members.
	CommissionVote Action = "commission.vote"
	// CommissionDecide closes a vote and records the decision; revokes an
	// approval. The commission chair.
	CommissionDecide Action = "commission.decide"
	// ManifestDownload downloads an approval's signed manifest and criteria
	// file, and issues sensor tokens bound to it. Analysts.
	ManifestDownload Action = "manifest.download"
	// ManifestKeysRead reads the manifest public keys and the signed
	// revocation list, which sensors check before running. Public.
	ManifestKeysRead Action = "manifest.keys.read"
	// SensorUpload uploads a selection run (records and summary) with a
	// sensor token bound to one approval. Sensor tokens only.
	SensorUpload Action = "sensor.upload"
	// RunUpload uploads a run file from an offline sensor. Analysts.
	RunUpload Action = "run.upload"
	// RunRead reads selection runs, totals per approval and anomalies.
	// Analysts and the commission.
	RunRead Action = "run.read"
	// SelectedRead searches selected records. Analysts and the commission.
	SelectedRead Action = "selected.read"
	// FindingWrite records findings from selected records and reports.
	// Analysts.
	FindingWrite Action = "finding.write"
	// FindingRead reads findings. Analysts and the commission.
	FindingRead Action = "finding.read"
	// CooperationRequest asks an agency to help analyse (§27). Analysts.
	CooperationRequest Action = "cooperation.request"
	// CooperationWrite accepts, declines (the agency asked) or ends (either
	// side) a §27 analysis-cooperation request.
	CooperationWrite Action = "cooperation.write"
	// CooperationRead reads cooperation requests. Analysts, the agencies
	// asked, and the commission.
	CooperationRead Action = "cooperation.read"
	// ProvisionCreate provides selected records or findings to a recipient
	// with a legal basis (§23, §27, §28, §39). Analysts.
	ProvisionCreate Action = "provision.create"
	// ProvisionRead reads provisions: analysts and the commission all,
	// recipients their own.
	ProvisionRead Action = "provision.read"
	// InspectionWrite opens, records and closes inspections. The commission.
	InspectionWrite Action = "inspection.write"
	// InspectionRead reads inspections. The commission.
	InspectionRead Action = "inspection.read"
	// RecommendationIssue issues a recommendation to an agency and rates how
	// far it was implemented. The commission.
	RecommendationIssue Action = "recommendation.issue"
	// RecommendationAnswer answers a recommendation addressed to the
	// caller's agency. Analysts, ministries, officers, commanders.
	RecommendationAnswer Action = "recommendation.answer"
	// RecommendationRead reads recommendations: the commission all, agencies
	// those addressed to them.
	RecommendationRead Action = "recommendation.read"
	// HandlingErrorReport reports an error in handling communications
	// information. Analysts, ministries, officers.
	HandlingErrorReport Action = "handling_error.report"
	// HandlingErrorClassify classifies a reported error (serious or not,
	// whether affected persons were told). The commission.
	HandlingErrorClassify Action = "handling_error.classify"
	// HandlingErrorRead reads handling errors: the commission all, reporters
	// their agency's.
	HandlingErrorRead Action = "handling_error.read"
	// AnnualReportRead reads and exports the full annual report (§61). The
	// commission.
	AnnualReportRead Action = "annual_report.read"
	// AnnualReportPublish publishes a year's public summary. The commission
	// chair.
	AnnualReportPublish Action = "annual_report.publish"
	// AnnualReportPublic reads published public summaries. Public.
	AnnualReportPublic Action = "annual_report.public"
	// AuditCosign posts the commission witness's cosignature of a
	// checkpoint; the log checks it against the witness keys it trusts. The
	// commission.
	AuditCosign Action = "audit.cosign"

	// Access and neutralisation measures (Police Duties Execution Act §6-2;
	// SDF Act §81-3, §91-3, §95-4). The measures service scopes each case
	// further: an officer sees the cases of their agency, a commander those
	// of the chain they command, MOFA those it is consulted on, the cabinet
	// and the NPSC the SDF cases.

	// OfficerDesignate designates and revokes designated officers: the NPA
	// Commissioner General (police officers) and the Minister of Defense
	// (SDF officers), both commanders; the service checks which.
	OfficerDesignate Action = "officer.designate"
	// OfficerRead reads designations. Officers, commanders, analysts and
	// the commission.
	OfficerRead Action = "officer.read"
	// MeasureOpen opens a measure case. Designated officers; the service
	// checks the designation.
	MeasureOpen Action = "measure.open"
	// MeasureWrite edits the caller's case and records its steps: the
	// location, the checklist, the request for approval, the emergency
	// declaration and post-notification, orders to administrators, the
	// officer's record of execution and the outcome. Officers.
	MeasureWrite Action = "measure.write"
	// MeasureRead reads measure cases. Officers, commanders, analysts, the
	// commission, the cabinet, the NPSC and MOFA, each scoped by the
	// service.
	MeasureRead Action = "measure.read"
	// MeasureCommand commands a measure, and consults MOFA or asks the
	// commission for approval on the chain's behalf. Commanders (NPA
	// Commissioner General, prefectural police chief, Minister of
	// Defense); the service checks the chain.
	MeasureCommand Action = "measure.command"
	// ConsultationAnswer answers a consultation on a measure against a
	// target not believed to be in Japan. MOFA.
	ConsultationAnswer Action = "consultation.answer"
	// PostNoticeReview reviews an emergency measure's post-notification,
	// acknowledging it or answering with a recommendation. The commission.
	PostNoticeReview Action = "post_notice.review"
	// SDFOrderIssue issues the Prime Minister's order of communication
	// protection measures (SDF Act §81-3). The cabinet.
	SDFOrderIssue Action = "sdf_order.issue"
	// SDFOrderNPSC records the National Public Safety Commission's request
	// for or consent to SDF action. The NPSC.
	SDFOrderNPSC Action = "sdf_order.npsc"
	// MeasureOverview reads the command-tower view: every open case with
	// its gates, police and SDF. The Cabinet Office (analyst), the cabinet
	// and the commission.
	MeasureOverview Action = "measure.overview"
	// BlocklistWrite adds entries to and removes them from the defensive
	// blocklist. Analysts and officers.
	BlocklistWrite Action = "blocklist.write"
	// BlocklistRead reads the blocklist's entries and previews its feeds.
	// Analysts, officers and commanders.
	BlocklistRead Action = "blocklist.read"
	// BlocklistSubscribers registers the ISPs and operators that pull the
	// feeds, issues and revokes their feed tokens. Analysts.
	BlocklistSubscribers Action = "blocklist.subscribers"
	// BlocklistFeed pulls a blocklist feed (RPZ, IP/CIDR list, STIX
	// bundle). Feed subscribers only, by their feed token.
	BlocklistFeed Action = "blocklist.feed"

	// CouncilRead reads the caller's organisation's council membership, the
	// groups whose membership the Cabinet Office made visible, and the
	// consent page (§82). Any authenticated user.
	CouncilRead Action = "council.read"
	// CouncilJoin records the consent of the caller's organisation (an
	// operator or a vendor) to join the council and its acceptance of the
	// duty of secrecy, or withdraws it. Operators and vendors.
	CouncilJoin Action = "council.join"
	// CouncilManage admits agencies, removes members, keeps groups and
	// their visibility, and grants and revokes clearances. The Cabinet
	// Office (analysts).
	CouncilManage Action = "council.manage"
	// CouncilRequest asks council members for materials (ch.9). The
	// Cabinet Office (analysts).
	CouncilRequest Action = "council.request"
	// CouncilAnswer answers a request for materials addressed to the
	// caller's organisation. Any authenticated user; the service checks
	// the organisation.
	CouncilAnswer Action = "council.answer"
	// SharedRead lists and reads items shared with the caller, each under
	// its TLP and clearance (the service decides per item and logs every
	// read of a non-CLEAR one). Any authenticated user.
	SharedRead Action = "shared.read"
	// SharedForward forwards a TLP:AMBER item the caller's organisation
	// received to another council member organisation. Any authenticated
	// user; the service checks the recipient and the level.
	SharedForward Action = "shared.forward"
	// AdvisoryWrite drafts and edits advisories (§41) and submits them for
	// review. The Cabinet Office (analysts).
	AdvisoryWrite Action = "advisory.write"
	// AdvisoryReview reviews another analyst's advisory draft and publishes
	// or returns it. The Cabinet Office (analysts); never the author.
	AdvisoryReview Action = "advisory.review"
	// AdvisoryRead reads advisories in every state, drafts included. The
	// Cabinet Office (analysts).
	AdvisoryRead Action = "advisory.read"
	// AlertPublic reads the published TLP:CLEAR alerts and their Atom feed.
	// Public.
	AlertPublic Action = "alert.public"
	// TAXIIRead reads the TAXII 2.1 server: discovery, API root,
	// collections, objects, manifests, status. Public (the public
	// collection); the server decides per collection and per object.
	TAXIIRead Action = "taxii.read"
	// TAXIIWrite adds objects to a TAXII collection. Any authenticated
	// user; the server decides per collection.
	TAXIIWrite Action = "taxii.write"

	// VulnImport imports vulnerability records (CVE JSON 5, NVD items) for
	// matching against specified critical computers (§42). The Cabinet
	// Office (analysts).
	VulnImport Action = "vuln.import"
	// VulnRead reads vulnerabilities and their matches: operators the
	// matches of their own assets, ministries their sectors' exposure, the
	// Cabinet Office the national view (the service scopes each).
	VulnRead Action = "vuln.read"
	// VulnExploitedWrite marks a vulnerability exploited in Japan, with its
	// evidence, or clears the mark. The Cabinet Office (analysts).
	VulnExploitedWrite Action = "vuln.exploited_write"
	// VulnExposure reads a sector's exposure: per vulnerability, the
	// assets and operators affected. Ministries (their sectors) and the
	// Cabinet Office.
	VulnExposure Action = "vuln.exposure"
	// VulnNational reads the national view: vulnerability × sector
	// counts. The Cabinet Office (analysts).
	VulnNational Action = "vuln.national"
	// CatalogueRead reads the catalogue of vulnerabilities exploited in
	// Japan (KEV-compatible JSON and CSV) and its Atom feed of additions.
	// Public.
	CatalogueRead Action = "vuln.catalogue_read"
	// CatalogueWrite imports CISA's KEV catalogue as candidates for the
	// catalogue of vulnerabilities exploited in Japan and lists the
	// candidates. The Cabinet Office (analysts).
	CatalogueWrite Action = "vuln.catalogue_write"

	// VendorRead reads vendor organisations' products, the vulnerability
	// notices and requests to act sent to vendors (§42), and their answers:
	// a vendor its own, the Cabinet Office all (the service scopes each).
	VendorRead Action = "vendor.read"
	// VendorProductsWrite registers and edits a vendor's products. The
	// vendor's own staff.
	VendorProductsWrite Action = "vendor.products_write"
	// VendorNotify sends a vendor a vulnerability notice or a request to act
	// (§42(2)), and closes it. The Cabinet Office (analysts).
	VendorNotify Action = "vendor.notify"
	// VendorAnswer answers a notice or a request to act: fixed version,
	// mitigation, investigation method, support end date. The addressed
	// vendor's staff.
	VendorAnswer Action = "vendor.answer"

	// CSAFRead reads the CSAF 2.0 provider: its metadata, the public
	// key, and the TLP:WHITE documents, feed and hashes. Public.
	CSAFRead Action = "csaf.read"
	// CSAFGreenRead reads the TLP:GREEN CSAF documents and feed. Any
	// authenticated user; the provider serves them to council members
	// only.
	CSAFGreenRead Action = "csaf.green_read"
)
