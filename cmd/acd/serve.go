package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	oklogrun "github.com/oklog/run"

	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/demo"
	"github.com/acd-platform/acd/internal/reporting"
	"github.com/acd-platform/acd/internal/server"
	"github.com/acd-platform/acd/internal/witness"
)

func runServe(ctx context.Context, e *env) error {
	fs := newFlagSet(e, "serve", `acd serve [flags]

Runs the ACD server: the JSON API, the web UI and the background jobs (audit
checkpoints, deadlines, e-mail). By default it keeps its data in embedded
SQLite at ./acd-data/acd.db and listens on 127.0.0.1:8080.`)
	var st storage
	st.register(fs, e)
	listen := fs.String("listen", envOr(e, "ACD_LISTEN", "127.0.0.1:8080"), "address to listen on (env ACD_LISTEN)")
	certFile := fs.String("tls-cert", "", "TLS certificate file (PEM); with --tls-key serves HTTPS, Secure cookies and HSTS")
	keyFile := fs.String("tls-key", "", "TLS private key file (PEM)")
	loadDemo := fs.Bool("demo", false, "load demonstration organisations and one user per role, and print how to log in")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	baseURL := fs.String("base-url", "", "external URL of this server, for links in e-mails (default from --listen)")
	smtpAddr := fs.String("smtp", e.getenv("ACD_SMTP"), "SMTP submission server host:port for e-mail notices (env ACD_SMTP); empty: in-app inbox only")
	smtpFrom := fs.String("smtp-from", "ACD <noreply@localhost>", "sender of e-mail notices")
	smtpStartTLS := fs.Bool("smtp-starttls", false, "require STARTTLS to the SMTP server")
	checkpointEvery := fs.Duration("checkpoint-interval", 2*time.Second, "how often to sign an audit-log checkpoint when there were appends")
	reportPolicy := fs.String("report-policy", "", "JSON file setting incident-report deadlines (default: quick 24h, full 72h, final 30d; see docs/reporting.md)")
	witnessKeys := strings.Fields(e.getenv("ACD_WITNESS_KEYS"))
	fs.Func("witness-key", "verifier key of the commission's log witness whose cosignatures the log accepts; repeatable (env ACD_WITNESS_KEYS, space-separated; see docs/witness.md)", func(k string) error {
		witnessKeys = append(witnessKeys, k)
		return nil
	})
	if err := parse(fs, e.args, st.check); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if _, err := witness.NewVerifiers(witnessKeys...); err != nil {
		return usagef("--witness-key: %v", err)
	}
	if (*certFile == "") != (*keyFile == "") {
		return usagef("--tls-cert and --tls-key go together")
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return usagef("--log-level: %v", err)
	}
	logger := slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	useTLS := *certFile != ""
	scheme := "http"
	if useTLS {
		scheme = "https"
	}

	db, err := st.openDB(ctx, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	ring, err := st.keysFor(ctx, db)
	if err != nil {
		return &exitError{exitUsage, err}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	base := *baseURL
	if base == "" {
		base = scheme + "://" + ln.Addr().String()
	}
	var smtp *deadline.SMTPConfig
	if *smtpAddr != "" {
		smtp = &deadline.SMTPConfig{Addr: *smtpAddr, From: *smtpFrom, StartTLS: *smtpStartTLS}
	}
	policy := reporting.DefaultPolicy()
	if *reportPolicy != "" {
		if policy, err = reporting.LoadPolicy(*reportPolicy); err != nil {
			return &exitError{exitUsage, err}
		}
	}
	srv, err := server.New(ctx, server.Config{
		DB: db, Keys: ring, Logger: logger, TLS: useTLS, SMTP: smtp, BaseURL: base,
		CheckpointInterval: *checkpointEvery, Version: version, ReportPolicy: policy, WitnessKeys: witnessKeys,
		// The demo's measure cases target documentation addresses.
		BlocklistAllowDocumentation: *loadDemo,
	})
	if err != nil {
		return err
	}
	if *loadDemo {
		res, err := demo.Load(ctx, srv.Auth, st.dataDir)
		if errors.Is(err, demo.ErrNotDemo) {
			return refused(err)
		}
		if err != nil {
			return fmt.Errorf("load demo data: %w", err)
		}
		if err := demo.LoadReporting(ctx, srv.Auth, srv.Reporting, time.Now()); err != nil {
			return fmt.Errorf("load demo reports: %w", err)
		}
		if err := demo.LoadOversight(ctx, srv.Auth, srv.Oversight, srv.Inspection, time.Now()); err != nil {
			return fmt.Errorf("load demo oversight data: %w", err)
		}
		if err := demo.LoadMeasures(ctx, srv.Auth, srv.Measures, srv.Blocklist, time.Now()); err != nil {
			return fmt.Errorf("load demo measures: %w", err)
		}
		if err := demo.LoadSharing(ctx, srv.Auth, srv.Sharing); err != nil {
			return fmt.Errorf("load demo council: %w", err)
		}
		if err := demo.LoadVulns(ctx, srv.Auth, srv.Vuln, time.Now()); err != nil {
			return fmt.Errorf("load demo vulnerabilities: %w", err)
		}
		if err := demo.LoadVendors(ctx, srv.Auth, srv.Vendors); err != nil {
			return fmt.Errorf("load demo vendors: %w", err)
		}
		res.Print(e.stdout, base)
	}

	hs := &http.Server{
		Handler: srv.Handler(),
		// Slow clients must not hold connections open forever; bodies are
		// small (API bodies are limited to a few MiB), so these are generous.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if useTLS {
		hs.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}

	var g oklogrun.Group
	g.Add(oklogrun.ContextHandler(ctx)) // returns when ctx (SIGINT/SIGTERM) ends
	g.Add(func() error {
		logger.Info("listening", "addr", ln.Addr().String(), "tls", useTLS, "db", db.String())
		fmt.Fprintf(e.stdout, "ACD listening on %s://%s (database %s)\n", scheme, ln.Addr(), db.String())
		var err error
		if useTLS {
			err = hs.ServeTLS(ln, *certFile, *keyFile)
		} else {
			err = hs.Serve(ln)
		}
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}, func(error) {
		c, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		hs.Shutdown(c)
	})
	for name, job := range srv.Jobs() {
		jctx, cancel := context.WithCancel(context.Background())
		g.Add(func() error {
			if err := job(jctx); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			return nil
		}, func(error) { cancel() })
	}
	err = g.Run()
	var se oklogrun.SignalError
	if errors.As(err, &se) || errors.Is(err, context.Canceled) {
		logger.Info("shut down")
		return nil
	}
	return err
}

func envOr(e *env, name, def string) string {
	if v := strings.TrimSpace(e.getenv(name)); v != "" {
		return v
	}
	return def
}
