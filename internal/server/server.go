// Package server assembles ACD's server from its capability packages: it
// builds each service explicitly, registers every route and page on one
// api.Router (so each passes the one authorization policy), and lists the
// background jobs `acd serve` runs beside the HTTP server.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/acd-platform/acd/internal/annualreport"
	"github.com/acd-platform/acd/internal/annualreport/annualreportapi"
	"github.com/acd-platform/acd/internal/api"
	"github.com/acd-platform/acd/internal/auditlog"
	"github.com/acd-platform/acd/internal/auditlog/logapi"
	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/auth/authapi"
	"github.com/acd-platform/acd/internal/blocklist"
	"github.com/acd-platform/acd/internal/blocklist/blocklistapi"
	"github.com/acd-platform/acd/internal/commsinfo"
	"github.com/acd-platform/acd/internal/commsinfo/commsinfoapi"
	"github.com/acd-platform/acd/internal/csaf"
	"github.com/acd-platform/acd/internal/csaf/csafapi"
	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/idempotency"
	"github.com/acd-platform/acd/internal/inspection"
	"github.com/acd-platform/acd/internal/inspection/inspectionapi"
	"github.com/acd-platform/acd/internal/keys"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/measures/measuresapi"
	"github.com/acd-platform/acd/internal/oversight"
	"github.com/acd-platform/acd/internal/oversight/oversightapi"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/reporting/reportapi"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/sharing/sharingapi"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/svcerr"
	"github.com/acd-platform/acd/internal/taxii"
	"github.com/acd-platform/acd/internal/taxii/taxiiapi"
	"github.com/acd-platform/acd/internal/vuln"
	"github.com/acd-platform/acd/internal/vuln/vendors"
	"github.com/acd-platform/acd/internal/vuln/vendors/vendorsapi"
	"github.com/acd-platform/acd/internal/vuln/vulnapi"
	"github.com/acd-platform/acd/internal/web"
)

// Config is what New needs. DB and Keys are required; the zero value of
// every other field works.
type Config struct {
	DB   *store.DB
	Keys *keys.Ring
	// Logger; nil discards.
	Logger *slog.Logger
	// TLS says the server is reached over HTTPS: cookies are Secure and
	// HSTS is sent.
	TLS bool
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Argon2 parameters for new password hashes; zero takes auth's defaults.
	Argon2 auth.Argon2Params
	// CheckpointInterval is how often the audit log is checkpointed when
	// there were appends; default 2s.
	CheckpointInterval time.Duration
	// DeadlineInterval is how often deadlines are checked; default 30s.
	DeadlineInterval time.Duration
	// SMTP enables e-mail notices; nil means in-app inbox only.
	SMTP *deadline.SMTPConfig
	// BaseURL is the server's external URL, for links in e-mails and
	// feeds.
	BaseURL string
	// Clearances is the council's clearance scale, lowest first; nil is
	// none < confidential < secret.
	Clearances []string
	// Version is reported in the OpenAPI document.
	Version string
	// ReportPolicy sets incident-report deadlines; zero means
	// reporting.DefaultPolicy.
	ReportPolicy reporting.Policy
	// WitnessKeys are the verifier keys of the commission's log witness
	// (witness.NewVerifier): the log accepts cosignatures by these keys
	// only. None: every cosignature is refused.
	WitnessKeys []string
	// BlocklistAllowDocumentation lets the blocklist take addresses and
	// domains reserved for documentation (the demo's targets); never in
	// production.
	BlocklistAllowDocumentation bool
}

// Server is an assembled ACD server.
type Server struct {
	cfg       Config
	Log       *auditlog.Log
	Auth      *auth.Service
	Policy    *auth.Policy
	Notifier  *deadline.Notifier
	Deadlines *deadline.Service
	Idem      *idempotency.Keys
	Reporting *reporting.Service
	// Oversight keeps agreements, acquisition requests, the commission's
	// decisions and approvals; Commsinfo the runs, selected records,
	// findings and provisions; Inspection the commission's inspections,
	// recommendations and handling errors.
	Oversight  *oversight.Service
	Commsinfo  *commsinfo.Service
	Inspection *inspection.Service
	// Measures keeps designations, measure cases with their gates, orders
	// and officers' records; Blocklist the defensive blocklist and its
	// feeds.
	Measures  *measures.Service
	Blocklist *blocklist.Service
	// Sharing keeps the council, clearances, advisories and public
	// alerts.
	Sharing *sharing.Service
	// TAXII serves STIX 2.1 collections per audience (TAXII 2.1).
	TAXII *taxii.Service
	// Vuln keeps vulnerabilities and their matches against the
	// registered specified critical computers.
	Vuln *vuln.Service
	// Vendors keeps §42: vendors' products, notices and requests to act,
	// answers and the publication of mitigations.
	Vendors *vendors.Service
	// CSAF serves the public and TLP:GREEN advisories as a CSAF 2.0
	// provider.
	CSAF *csaf.Provider
	// Annual is the commission's §61 annual report.
	Annual  *annualreport.Service
	Router  *api.Router
	handler http.Handler
	logger  *slog.Logger
}

// New builds every service (running their migrations) and registers routes.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.DB == nil || cfg.Keys == nil {
		return nil, errors.New("server: DB and Keys are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, logger: cfg.Logger}
	var err error
	s.Log, err = auditlog.New(ctx, cfg.DB, cfg.Keys, auditlog.Options{Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	s.Auth, err = auth.New(ctx, cfg.DB, s.Log, auth.Config{Keys: cfg.Keys, Now: cfg.Now, Argon2: cfg.Argon2, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	s.Policy = auth.NewPolicy()
	clock := clockFunc(cfg.Now)
	s.Notifier, err = deadline.NewNotifier(ctx, cfg.DB, s.Log, clock, cfg.Logger, deadline.NotifierConfig{
		SMTP: cfg.SMTP, BaseURL: cfg.BaseURL, UserEmail: s.userEmail, OrgEmails: s.orgEmails, Actor: actorOf,
	})
	if err != nil {
		return nil, err
	}
	s.Deadlines, err = deadline.New(ctx, cfg.DB, s.Log, s.Notifier, clock, cfg.Logger, deadline.Config{Interval: cfg.DeadlineInterval, Actor: actorOf})
	if err != nil {
		return nil, err
	}
	s.Idem, err = idempotency.New(ctx, cfg.DB, cfg.Now)
	if err != nil {
		return nil, err
	}
	s.Reporting, err = reporting.New(ctx, reporting.Deps{DB: cfg.DB, Log: s.Log, Auth: s.Auth, Policy: s.Policy,
		Deadlines: s.Deadlines, Notifier: s.Notifier, Keys: s.Idem}, reporting.Config{Policy: cfg.ReportPolicy, Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	// The vulnerability index follows the registered computers: reporting
	// tells it of every change, and it loads those that predate it.
	s.Vuln, err = vuln.New(ctx, vuln.Deps{DB: cfg.DB, Log: s.Log, Notifier: s.Notifier}, vuln.Config{BaseURL: cfg.BaseURL, Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	s.Reporting.SetAssetObserver(s.Vuln)
	sync := auth.CLI("vuln-sync")
	sync.Roles = []auth.Role{auth.RoleAnalyst}
	assets, err := s.Reporting.Assets(ctx, sync, reporting.AssetFilter{IncludeRetired: true})
	if err != nil {
		return nil, err
	}
	if err := s.Vuln.SyncAssets(ctx, assets); err != nil {
		return nil, err
	}
	s.Oversight, err = oversight.New(ctx, oversight.Deps{DB: cfg.DB, Log: s.Log, Auth: s.Auth, Deadlines: s.Deadlines,
		Notifier: s.Notifier, Keys: cfg.Keys}, oversight.Config{Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	s.Inspection, err = inspection.New(ctx, inspection.Deps{DB: cfg.DB, Log: s.Log, Auth: s.Auth, Policy: s.Policy,
		Deadlines: s.Deadlines, Notifier: s.Notifier}, inspection.Config{Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	s.Measures, err = measures.New(ctx, measures.Deps{DB: cfg.DB, Log: s.Log, Orgs: s.Auth, Users: s.Auth, Deadlines: s.Deadlines,
		Notifier: s.Notifier, Recommender: recommender{s.Inspection}}, measures.Config{Quorum: s.Oversight.Quorum(), Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	s.Blocklist, err = blocklist.New(ctx, blocklist.Deps{DB: cfg.DB, Log: s.Log, Auth: s.Auth, Policy: s.Policy, Cases: caseTargets{s.Measures}},
		blocklist.Config{AllowDocumentation: cfg.BlocklistAllowDocumentation, Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	s.Commsinfo, err = commsinfo.New(ctx, commsinfo.Deps{DB: cfg.DB, Log: s.Log, Orgs: s.Auth,
		Approvals: approvals{s.Oversight}, MeasureCases: s.Measures, Reports: s.Reporting}, commsinfo.Config{Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	s.Sharing, err = sharing.New(ctx, sharing.Deps{DB: cfg.DB, Log: s.Log, Directory: s.Auth, Notifier: s.Notifier, Orders: s.Reporting},
		sharing.Config{Clearances: cfg.Clearances, BaseURL: cfg.BaseURL, Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	// TAXII reads the council's readers from sharing, and sharing
	// publishes advisories into TAXII's collections.
	s.TAXII, err = taxii.New(ctx, taxii.Deps{DB: cfg.DB, Log: s.Log, Keys: cfg.Keys, Readers: s.Sharing, Orgs: s.Auth},
		taxii.Config{Scale: s.Sharing.Scale(), Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	s.Sharing.SetPublisher(s.TAXII)
	s.Vendors, err = vendors.New(ctx, vendors.Deps{DB: cfg.DB, Log: s.Log, Auth: s.Auth, Notifier: s.Notifier, Deadlines: s.Deadlines,
		Vuln: s.Vuln, Sharing: s.Sharing}, vendors.Config{Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	s.CSAF, err = csaf.New(csaf.Deps{Sharing: s.Sharing, Ring: cfg.Keys}, csaf.Config{BaseURL: cfg.BaseURL, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	if err := sharing.RegisterBases(s.Commsinfo); err != nil {
		return nil, err
	}
	src, err := annualreport.Collect(annualreport.CollectDeps{Oversight: s.Oversight, CommsInfo: s.Commsinfo,
		Inspection: s.Inspection, Measures: measureFigures{s.Measures}, Orgs: s.Auth, Now: cfg.Now})
	if err != nil {
		return nil, err
	}
	s.Annual, err = annualreport.New(ctx, annualreport.Deps{DB: cfg.DB, Log: s.Log, Source: src}, annualreport.Config{Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	site, err := web.New(web.Config{Auth: s.Auth, Policy: s.Policy, Log: s.Log, Notifier: s.Notifier, Reporting: s.Reporting,
		Oversight: s.Oversight, Commsinfo: s.Commsinfo, Inspection: s.Inspection, Measures: s.Measures, Blocklist: s.Blocklist,
		Sharing: s.Sharing, Vuln: s.Vuln, Vendors: s.Vendors, TLS: cfg.TLS, Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := api.NewMetrics(reg)
	s.Router = api.NewRouter(api.RouterConfig{
		Authenticator: api.AuthenticatorFunc(s.authenticate),
		Authorizer:    s.Policy,
		Logger:        cfg.Logger,
		PageError:     site.PageError,
		SessionCookie: auth.SessionCookie,
		MapError:      mapError,
		Metrics:       metrics,
	})
	s.routes(metrics)
	site.Register(s.Router)
	s.handler = api.Chain(s.Router,
		api.AssignRequestID,
		api.AccessLog(cfg.Logger),
		api.Recover(cfg.Logger),
		api.SecurityHeaders(api.HeadersConfig{TLS: cfg.TLS}),
	)
	return s, nil
}

// Handler is the whole HTTP handler: middleware and router.
func (s *Server) Handler() http.Handler { return s.handler }

// Jobs are the background loops `acd serve` runs until its context ends:
// the audit checkpointer, the deadline scheduler, the sweep of lapsed §42
// requests to act, the mail sender and the purges. Each
// returns nil when ctx ends.
func (s *Server) Jobs() map[string]func(ctx context.Context) error {
	return map[string]func(ctx context.Context) error{
		"checkpointer": func(ctx context.Context) error { return s.Log.Run(ctx, s.cfg.CheckpointInterval) },
		"deadlines":    s.Deadlines.Run,
		"vendors":      s.Vendors.Run,
		"mail":         s.Notifier.Run,
		"idempotency":  s.purgeKeys,
		"retention":    func(ctx context.Context) error { return s.Commsinfo.RunRetention(ctx, time.Hour) },
	}
}

// routes registers the API routes of the foundation.
func (s *Server) routes(metrics *api.Metrics) {
	r := s.Router
	r.Handle(api.Route{Pattern: "GET /healthz", Action: auth.HealthRead, Summary: "Liveness", Tag: "ops", Response: api.Health{}}, api.Healthz())
	r.Handle(api.Route{Pattern: "GET /readyz", Action: auth.HealthRead, Summary: "Readiness (database reachable)", Tag: "ops", Response: api.Health{}}, api.Readyz(s.cfg.DB.Ping))
	r.Handle(api.Route{Pattern: "GET /metrics", Action: auth.MetricsRead, Summary: "Prometheus metrics", Tag: "ops"}, metrics.Handler())
	r.Handle(api.Route{Pattern: "GET /api/openapi.json", Action: auth.OpenAPIRead, Summary: "This document", Tag: "ops"}, s.openAPI)

	r.Handle(api.Route{Pattern: "GET " + logapi.PathCheckpoint, Action: auth.AuditCheckpointRead, Summary: "Latest signed audit-log checkpoint (C2SP checkpoint note, text/plain)", Tag: "audit log"}, logapi.CheckpointHandler(s.Log))
	r.Handle(api.Route{Pattern: "GET " + logapi.PathPublicKey, Action: auth.KeysPublicRead, Summary: "Checkpoint verifier keys, one per line, current last (text/plain)", Tag: "audit log"}, logapi.PublicKeyHandler(s.Log))
	r.Handle(api.Route{Pattern: "GET " + logapi.PathEntries, Action: auth.AuditEntriesRead, Summary: "Audit-log entries from ?from= (up to ?limit=, max 10000)", Tag: "audit log", Response: logapi.EntriesPage{}}, logapi.EntriesHandler(s.Log))
	r.Handle(api.Route{Pattern: "GET " + logapi.PathInclusion, Action: auth.AuditProofRead, Summary: "Inclusion proof of ?index= in the tree of ?size=", Tag: "audit log", Response: logapi.Proof{}}, logapi.InclusionHandler(s.Log))
	r.Handle(api.Route{Pattern: "GET " + logapi.PathConsistency, Action: auth.AuditProofRead, Summary: "Consistency proof from ?old= to ?size=", Tag: "audit log", Response: logapi.Proof{}}, logapi.ConsistencyHandler(s.Log))
	logapi.RegisterWitness(r, s.Log, s.cfg.WitnessKeys)

	authapi.Register(r, s.Auth, s.Notifier)
	reportapi.Register(r, s.Reporting)
	oversightapi.Register(r, s.Oversight)
	commsinfoapi.Register(r, s.Commsinfo)
	inspectionapi.Register(r, s.Inspection)
	annualreportapi.Register(r, s.Annual)
	measuresapi.Register(r, s.Measures)
	blocklistapi.Register(r, s.Blocklist)
	sharingapi.Register(r, s.Sharing)
	vulnapi.Register(r, s.Vuln)
	vendorsapi.Register(r, s.Vendors)
	csafapi.Register(r, s.CSAF)
	taxiiapi.Register(r, s.TAXII, taxiiapi.Config{BaseURL: s.cfg.BaseURL, Logger: s.logger})
}

// authenticate resolves a sensor token (prefix oversight.SensorTokenPrefix)
// through the oversight service, which binds it to one approval, a feed
// token (blocklist.FeedTokenPrefix) through the blocklist, and every other
// credential through auth.
func (s *Server) authenticate(r *http.Request) (*auth.Principal, error) {
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		tok = strings.TrimSpace(tok)
		switch {
		case strings.HasPrefix(tok, oversight.SensorTokenPrefix):
			return s.Oversight.ResolveSensorToken(r.Context(), tok)
		case strings.HasPrefix(tok, blocklist.FeedTokenPrefix):
			return s.Blocklist.ResolveFeedToken(r.Context(), tok)
		}
	}
	return s.Auth.Authenticate(r)
}

// keyRetention is how long idempotency keys are kept: a client retrying
// later than that is making a new request.
const keyRetention = 7 * 24 * time.Hour

// purgeKeys deletes old idempotency keys hourly until ctx ends.
func (s *Server) purgeKeys(ctx context.Context) error {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := s.Idem.Purge(ctx, s.cfg.Now().Add(-keyRetention)); err != nil {
			s.logger.Warn("purge idempotency keys", "err", err)
		} else if n > 0 {
			s.logger.Info("purged idempotency keys", "count", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	doc, err := s.Router.OpenAPI(api.Info{Title: "ACD", Version: s.cfg.Version,
		Description: "API of ACD, the platform of Japan's Active Cyber Defense system."})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(doc)
	return err
}

func (s *Server) userEmail(ctx context.Context, userID string) (string, error) {
	u, err := s.Auth.User(ctx, userID)
	if err != nil {
		return "", err
	}
	if u.Disabled {
		return "", nil
	}
	return u.Email, nil
}

func (s *Server) orgEmails(ctx context.Context, orgID string) ([]string, error) {
	us, err := s.Auth.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range us {
		if u.OrgID == orgID && !u.Disabled && u.Email != "" {
			out = append(out, u.Email)
		}
	}
	return out, nil
}

// mapError turns the services' sentinel errors into client errors.
func mapError(err error) *api.Error {
	// A refusal with a reason code of its own (any service's) also wraps
	// the shared sentinels, which the other mappers would map without its
	// code.
	if e := svcerr.RefusalAPI(err); e != nil {
		return e
	}
	for _, m := range []func(error) *api.Error{measuresapi.Error, sharingapi.Error, reportapi.Error, oversightapi.Error, commsinfoapi.Error, inspectionapi.Error, annualreportapi.Error, blocklistapi.Error, vulnapi.Error, vendorsapi.Error} {
		if e := m(err); e != nil {
			return e
		}
	}
	switch {
	case errors.Is(err, auth.ErrNotFound):
		return api.NotFound(err.Error())
	case errors.Is(err, auth.ErrExists):
		return api.Conflict(err.Error())
	case errors.Is(err, auth.ErrInvalid):
		return api.BadRequest("", err.Error())
	case errors.Is(err, auth.ErrForbidden), errors.Is(err, auth.ErrSameAdmin), errors.Is(err, auth.ErrDisableSelf):
		return api.Forbidden(err.Error())
	}
	return nil
}

// actorOf names the request's principal for audit entries of deadlines and
// notices; background jobs have none and are recorded as "system".
func actorOf(ctx context.Context) (actor, org string) {
	if p := auth.FromContext(ctx); p != nil {
		return p.UserID, p.OrgID
	}
	return "", ""
}

type clockFunc func() time.Time

func (c clockFunc) Now() time.Time { return c() }
