package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/blocklist"
	"github.com/acd-platform/acd/internal/measures"
)

// LoadMeasures gives the demo's officers, commanders and the commission
// measure cases at every stage, unless the database has cases already:
//   - the designations of the NPA, Tokyo MPD and SDF officers;
//   - a police case on a C2 server in Japan taken on the emergency path:
//     post-notified, commanded, an order issued to the administrator, the
//     officer's measure recorded, and its targets on the blocklist, which
//     a demo ISP subscribes to;
//   - a police case on a server abroad waiting for MOFA's answer;
//   - a Tokyo MPD case waiting for the commission's approval;
//   - an SDF communication protection case with the NPSC's consent,
//     waiting for the Prime Minister's order.
//
// The targets are in the ranges and domains reserved for documentation,
// which the demo's blocklist accepts. Like Load, it is idempotent.
func LoadMeasures(ctx context.Context, svc *auth.Service, ms *measures.Service, bl *blocklist.Service, now time.Time) error {
	as := func(username string) (*auth.Principal, error) { return principal(ctx, svc, username) }
	users := map[string]*auth.Principal{}
	for _, name := range []string{"analyst", "officer-npa", "officer-pref", "officer-sdf", "commander-npa", "commander-mod", "npsc"} {
		p, err := as(name)
		if err != nil {
			return err
		}
		users[name] = p
	}
	have, err := ms.Cases(ctx, users["analyst"], measures.CaseFilter{})
	if err != nil || len(have) > 0 {
		return err
	}
	for _, d := range []struct{ by, officer, scope string }{
		{"commander-npa", "officer-npa", "Cyber harm-prevention measures, nationwide (demo)"},
		{"commander-npa", "officer-pref", "Cyber harm-prevention measures, Tokyo (demo)"},
		{"commander-mod", "officer-sdf", "Communication protection and guard duty (demo)"},
	} {
		if _, err := ms.Designate(ctx, users[d.by], measures.DesignationInput{UserID: users[d.officer].UserID, Scope: d.scope}); err != nil {
			return fmt.Errorf("demo designation of %s: %w", d.officer, err)
		}
	}
	checklist := measures.Checklist{
		OnlyMeans:        measures.Condition{Met: true, Text: "The hosting provider did not act on two abuse reports; no other means stops the attack in time."},
		LeastIntrusive:   measures.Condition{Met: true, Text: "Only the attack program's configuration is changed; no data on the server is read or deleted."},
		ThirdPartyEffect: "The server hosts no other customer's services (checked with the provider's records).",
	}
	police := func(title, address, domain, country string) measures.CaseInput {
		return measures.CaseInput{Path: measures.PathPolice, Title: title,
			Targets:         []measures.Target{{Address: address, Domain: domain, HostingProvider: "Example Hosting (demo)", AbuseContact: "abuse@hosting.example", Country: country}},
			ObservedTraffic: "Beaconing every 60 s over TLS from infected hosts at three electricity operators to this server (demo data).",
			Harm:            "The server commands malware able to stop power distribution control systems: serious harm to life and property.",
			Urgency:         "The malware received a wiper module in the last hour; the next command can destroy the control systems.",
			Proposed:        []measures.MeasureKind{measures.KindOrderAdmin, measures.KindChangeSetting}, Checklist: checklist}
	}

	// 1. The emergency case, carried through to a measure.
	npa := users["officer-npa"]
	c, err := ms.OpenCase(ctx, npa, police("C2 server commanding malware at electricity operators (demo)", "192.0.2.10", "c2.attacker.example", "JP"))
	if err != nil {
		return fmt.Errorf("demo case: %w", err)
	}
	steps := []func() error{
		func() error {
			_, err := ms.RecordLocation(ctx, npa, c.ID, measures.LocationInput{InJapan: true,
				Evidence: measures.LocationEvidence{Geolocation: "Address registered to a Tokyo data centre (demo)", HostingCountry: "JP"}})
			return err
		},
		func() error {
			_, err := ms.DeclareEmergency(ctx, npa, c.ID, "The wiper module was delivered an hour ago; waiting for the commission's meeting would let it run.")
			return err
		},
		func() error {
			_, err := ms.FilePostNotice(ctx, npa, c.ID, measures.PostNoticeInput{
				WhatWasDone: "Ordered the administrator to stop the server and changed the C2 program's setting so it no longer accepts bots.",
				WhyNoTime:   "The wiper module had been delivered; the commission could not meet before the next command."})
			return err
		},
		func() error {
			_, err := ms.Command(ctx, users["commander-npa"], c.ID, measures.CommandInput{
				Scope: []measures.MeasureKind{measures.KindOrderAdmin, measures.KindChangeSetting}, Instructions: "Order the administrator first; change the setting only if the order is not obeyed within the hour.",
				ValidUntil: now.Add(72 * time.Hour)})
			return err
		},
		func() error {
			_, err := ms.IssueOrder(ctx, npa, c.ID, measures.OrderInput{Addressee: "Example Hosting K.K., server administration (demo)",
				Contact: "noc@hosting.example", HostingProvider: "Example Hosting (demo)", TargetIndexes: []int{0},
				RequiredMeasures: "Stop the server at 192.0.2.10 and keep its disk for the police.", Due: now.Add(2 * time.Hour)})
			return err
		},
		func() error {
			t := time.Now().UTC().Truncate(time.Second)
			_, err := ms.RecordExecution(ctx, npa, c.ID, measures.ExecutionInput{Kind: measures.KindChangeSetting, StartedAt: t, EndedAt: t,
				Steps: []measures.Step{
					{Kind: measures.StepAccess, At: t, Description: "Logged in to the C2 panel with the credentials found in the malware's configuration (demo)."},
					{Kind: measures.StepConfirmPrograms, At: t, Description: "Confirmed the panel commands the malware seen at the operators."},
					{Kind: measures.StepNeutralise, At: t, Description: "Set the panel to refuse new bot connections."}},
				Result:   measures.ResultSucceeded,
				Evidence: []measures.Evidence{{Name: "panel-screenshots.zip (demo)", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("demo case %s, step %d: %w", c.ID, i+1, err)
		}
	}
	analyst := users["analyst"]
	if _, err := bl.AddCase(ctx, analyst, c.ID, "C2 server of malware attacking electricity operators (demo)", time.Time{}); err != nil {
		return fmt.Errorf("demo blocklist: %w", err)
	}
	if _, _, err := bl.CreateSubscriber(ctx, analyst, blocklist.SubscriberInput{Name: "Example ISP resolver team (demo)", Contact: "dns-ops@isp.example"}); err != nil {
		return fmt.Errorf("demo subscriber: %w", err)
	}

	// 2. A target abroad: the consultation of MOFA waits for its answer.
	f, err := ms.OpenCase(ctx, npa, police("Phishing kit server abroad targeting bank customers (demo)", "198.51.100.77", "login-sakura-bank.example", ""))
	if err != nil {
		return fmt.Errorf("demo foreign case: %w", err)
	}
	if _, err := ms.RecordLocation(ctx, npa, f.ID, measures.LocationInput{InJapan: false,
		Evidence: measures.LocationEvidence{Geolocation: "Address announced from a foreign network (demo)", HostingCountry: "outside Japan (registry record)"}}); err != nil {
		return fmt.Errorf("demo foreign location: %w", err)
	}
	if _, err := ms.RequestConsultation(ctx, users["commander-npa"], f.ID, "The server is abroad; the measure would change a setting of the phishing kit only."); err != nil {
		return fmt.Errorf("demo consultation: %w", err)
	}

	// 3. A prefectural case in the commission's queue.
	pref := users["officer-pref"]
	q, err := ms.OpenCase(ctx, pref, police("Botnet loader on a compromised Tokyo web server (demo)", "203.0.113.50", "", "JP"))
	if err != nil {
		return fmt.Errorf("demo queued case: %w", err)
	}
	if _, err := ms.RecordLocation(ctx, pref, q.ID, measures.LocationInput{InJapan: true,
		Evidence: measures.LocationEvidence{HostingCountry: "JP", Other: "The administrator is a Tokyo company (demo)"}}); err != nil {
		return fmt.Errorf("demo queued location: %w", err)
	}
	if _, err := ms.RequestApproval(ctx, pref, q.ID, "The loader spreads a botnet to routers; the administrator cannot be reached."); err != nil {
		return fmt.Errorf("demo approval request: %w", err)
	}

	// 4. SDF communication protection: the NPSC consented; the Prime
	// Minister's order is next.
	sdf := users["officer-sdf"]
	in := police("State-sponsored intrusion set attacking government networks (demo)", "198.51.100.200", "relay.intrusion-set.example", "")
	in.Path, in.JointPoliceOrgID = measures.PathSDFProtection, npa.OrgID
	in.Checklist.InternationalNecessity = measures.Condition{Met: true, Text: "Only way to protect government networks against grave and imminent peril; no serious impairment of the other state's essential interests."}
	s, err := ms.OpenCase(ctx, sdf, in)
	if err != nil {
		return fmt.Errorf("demo SDF case: %w", err)
	}
	if _, err := ms.RecordNPSC(ctx, users["npsc"], s.ID, measures.NPSCInput{Kind: measures.NPSCConsent, Text: "The NPSC consents to SDF action jointly with the NPA (demo)."}); err != nil {
		return fmt.Errorf("demo NPSC consent: %w", err)
	}
	return nil
}
