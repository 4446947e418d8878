package demo

import (
	"context"
	"fmt"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/sharing"
	"github.com/acd-platform/acd/internal/tlp"
)

// LoadSharing gives the council something to show, unless advisories
// exist already:
//   - Kanto Electric, Sakura Bank and the demo vendor consent to join
//     the council (§82);
//   - a visible group, the electricity ISAC, of Kanto Electric and METI;
//   - the operator holds clearance "confidential", both analysts "secret";
//   - a TLP:CLEAR advisory, published (so a public alert and the Atom
//     feed have an entry), and a TLP:AMBER one to the electricity ISAC,
//     both written by analyst and published by analyst2;
//   - a TLP:GREEN draft waiting for analyst2's review.
func LoadSharing(ctx context.Context, svc *auth.Service, sh *sharing.Service) error {
	users := map[string]*auth.Principal{}
	for _, name := range []string{"analyst", "analyst2", "operator", "operator-bank", "vendor", "ministry-meti"} {
		p, err := principal(ctx, svc, name)
		if err != nil {
			return err
		}
		users[name] = p
	}
	have, err := sh.Advisories(ctx, users["analyst"], sharing.AdvisoryFilter{Limit: 1})
	if err != nil || len(have) > 0 {
		return err
	}
	terms := sharing.CurrentTerms()
	for _, name := range []string{"operator", "operator-bank", "vendor"} {
		if _, err := sh.Consent(ctx, users[name], sharing.ConsentInput{TermsVersion: terms.Version, TermsSHA256: terms.SHA256, Accept: true}); err != nil {
			return fmt.Errorf("demo consent of %s: %w", name, err)
		}
	}
	nco := users["analyst"]
	g, err := sh.CreateGroup(ctx, nco, sharing.GroupInput{Name: "Electricity ISAC (demo)", Visible: true})
	if err != nil {
		return fmt.Errorf("demo group: %w", err)
	}
	for _, org := range []string{users["operator"].OrgID, users["ministry-meti"].OrgID} {
		if _, err := sh.AddGroupMember(ctx, nco, g.ID, org); err != nil {
			return fmt.Errorf("demo group member: %w", err)
		}
	}
	// Authors and reviewers of confidential advisories hold a clearance
	// too, granted by a colleague: nobody grants their own.
	if _, err := sh.GrantClearance(ctx, users["analyst2"], nco.UserID, "secret", "Cabinet Office analyst (demo)."); err != nil {
		return fmt.Errorf("demo clearance: %w", err)
	}
	if _, err := sh.GrantClearance(ctx, nco, users["analyst2"].UserID, "secret", "Cabinet Office reviewer (demo)."); err != nil {
		return fmt.Errorf("demo clearance: %w", err)
	}
	if _, err := sh.GrantClearance(ctx, nco, users["operator"].UserID, "confidential", "Member of the electricity ISAC's incident desk (demo)."); err != nil {
		return fmt.Errorf("demo clearance: %w", err)
	}
	publish := func(in sharing.AdvisoryInput) error {
		a, err := sh.CreateAdvisory(ctx, nco, in)
		if err == nil {
			_, err = sh.SubmitAdvisory(ctx, nco, a.ID)
		}
		if err == nil {
			_, err = sh.PublishAdvisory(ctx, users["analyst2"], a.ID)
		}
		if err != nil {
			return fmt.Errorf("demo advisory %q: %w", in.Title, err)
		}
		return nil
	}
	if err := publish(vpnAdvisory()); err != nil {
		return err
	}
	amber := gridAdvisory()
	amber.Recipients = sharing.Recipients{Groups: []string{g.ID}}
	if err := publish(amber); err != nil {
		return err
	}
	draft := vpnAdvisory()
	draft.Title = "Password spraying against remote-access portals of operators (demo)"
	draft.TLP = tlp.Green
	a, err := sh.CreateAdvisory(ctx, nco, draft)
	if err == nil {
		_, err = sh.SubmitAdvisory(ctx, nco, a.ID)
	}
	if err != nil {
		return fmt.Errorf("demo draft advisory: %w", err)
	}
	return nil
}

// vpnAdvisory is a public alert on exploited VPN appliances.
func vpnAdvisory() sharing.AdvisoryInput {
	return sharing.AdvisoryInput{
		Title: "Exploitation of internet-facing VPN appliances (demo)",
		TLP:   tlp.Clear,
		Technical: sharing.Technical{
			Summary: "Attackers exploit an authentication bypass in VPN appliances to run commands and plant web shells (demo data).",
			Indicators: []sharing.Indicator{
				{Type: "ipv4", Value: "198.51.100.23", Description: "Scanning and exploitation source (demo)"},
				{Type: "domain", Value: "update-check.attacker.example", Description: "Web shell beacon destination (demo)"},
			},
			Techniques: []sharing.Technique{{ID: "T1190", Name: "Exploit Public-Facing Application"}, {ID: "T1505.003", Name: "Web Shell"}},
			Hunting:    "Look in the appliance's web logs for POST requests to /api/v1/totp/user-backup-code from unknown addresses, and for new files under the web root since 1 November.",
		},
		Executive: sharing.Executive{
			Background: "A flaw in widely used VPN appliances is being exploited in Japan (demo data).",
			Purpose:    "Initial access to internal networks, likely for espionage.",
			Impact:     "An attacker inside the network can reach control systems and customer data.",
			Actions:    "Apply the vendor's fix today; if that is not possible, take the appliance off the internet and check it for web shells.",
		},
	}
}

// gridAdvisory is a confidential advisory for electricity operators.
func gridAdvisory() sharing.AdvisoryInput {
	return sharing.AdvisoryInput{
		Title:     "C2 infrastructure targeting power distribution control systems (demo)",
		TLP:       tlp.Amber,
		Clearance: "confidential",
		Technical: sharing.Technical{
			Summary:    "Malware at three electricity operators beacons to a C2 server every 60 s over TLS (demo data).",
			Indicators: []sharing.Indicator{{Type: "ipv4", Value: "192.0.2.10", Description: "C2 server (demo)"}},
			Techniques: []sharing.Technique{{ID: "T1071.001", Name: "Web Protocols"}},
			Hunting:    "Search proxy and firewall logs for TLS sessions to 192.0.2.10 at 60-second intervals from hosts in the control network.",
		},
		Executive: sharing.Executive{
			Background: "The police took measures against the C2 server; infected hosts remain (demo data).",
			Purpose:    "Sabotage of power distribution.",
			Impact:     "Loss of control of distribution systems; outages.",
			Actions:    "Isolate hosts that contacted the server and report them as incidents (§5).",
		},
	}
}
