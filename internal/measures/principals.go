package measures

import (
	"context"
	"fmt"
	"strings"

	"github.com/acd-platform/acd/internal/auth"
)

// Who is who, as DESIGN.md and the law name them. The principal's roles
// say what a user is; the organisation (kind and police level) says
// whose. The policy (auth.Policy) has already checked the action; these
// checks decide the chain and the record.

// human reports whether p is a user (not the public, a sensor or a feed
// subscriber).
func human(p *auth.Principal) bool {
	return p != nil && !p.Disabled && p.Sensor == "" && p.Subscriber == "" && p.UserID != ""
}

func isOfficer(p *auth.Principal) bool {
	return human(p) && p.Has(auth.RoleOfficer) && (p.OrgKind == auth.OrgPolice || p.OrgKind == auth.OrgSDF)
}

func isCommander(p *auth.Principal) bool { return human(p) && p.Has(auth.RoleCommander) }

// isMinisterOfDefense: a commander in an organisation of kind mod.
func isMinisterOfDefense(p *auth.Principal) bool { return isCommander(p) && p.OrgKind == auth.OrgMOD }

func isCommission(p *auth.Principal) bool {
	return human(p) && (p.Has(auth.RoleCommissionChair) || p.Has(auth.RoleCommissionMember))
}

func isChair(p *auth.Principal) bool { return human(p) && p.Has(auth.RoleCommissionChair) }

func isAnalyst(p *auth.Principal) bool { return human(p) && p.Has(auth.RoleAnalyst) }

func isCabinet(p *auth.Principal) bool { return human(p) && p.Has(auth.RoleCabinet) }

func isNPSC(p *auth.Principal) bool { return human(p) && p.Has(auth.RoleNPSC) }

func isMOFA(p *auth.Principal) bool {
	return human(p) && p.Has(auth.RoleMOFA) && p.OrgKind == auth.OrgMOFA
}

// police returns the police level of p's organisation ("national",
// "prefectural"), or "" when p is not in a police organisation. The
// principal carries it; when it does not (a principal built by a tool),
// the organisation says.
func (s *Service) police(ctx context.Context, p *auth.Principal) (string, error) {
	if p.OrgKind != auth.OrgPolice {
		return "", nil
	}
	if p.Police != "" {
		return p.Police, nil
	}
	o, err := s.orgs.Org(ctx, p.OrgID)
	if err != nil {
		return "", fmt.Errorf("look up organisation %s: %w", p.OrgID, err)
	}
	return o.Police, nil
}

// isCommissionerGeneral reports whether p is the NPA Commissioner
// General: a commander in the national police organisation.
func (s *Service) isCommissionerGeneral(ctx context.Context, p *auth.Principal) (bool, error) {
	if !isCommander(p) || p.OrgKind != auth.OrgPolice {
		return false, nil
	}
	lvl, err := s.police(ctx, p)
	return lvl == auth.PoliceNational, err
}

// commissionActor checks that p may take part in the commission's
// decisions: the chair or a member, holding no analyst, officer or
// commander role (separation of duties).
func commissionActor(p *auth.Principal) error {
	if !isCommission(p) {
		return fmt.Errorf("only the commission's chair and members decide on measures: %w", ErrForbidden)
	}
	for _, r := range []auth.Role{auth.RoleAnalyst, auth.RoleOfficer, auth.RoleCommander} {
		if p.Has(r) {
			return refuse(CodeCommissionSeparation, fmt.Sprintf("account %s also holds the %s role", p.UserID, r))
		}
	}
	return nil
}

// scope returns the SQL condition on msr_cases selecting the cases p may
// see, with its arguments:
//
//   - analysts and the commission: all;
//   - officers: their organisation's, and the SDF protection cases their
//     organisation acts in jointly;
//   - commanders: their organisation's; the Minister of Defense all SDF
//     cases;
//   - the cabinet and the NPSC: the SDF protection cases;
//   - MOFA: the cases it was consulted on.
//
// Nobody else sees any.
func scope(p *auth.Principal) (string, []any) {
	if !human(p) {
		return "1 = 0", nil
	}
	if isAnalyst(p) || isCommission(p) {
		return "1 = 1", nil
	}
	var conds []string
	var args []any
	if isOfficer(p) {
		conds = append(conds, "officer_org = ? OR (path = 'sdf_protection' AND joint_org = ?)")
		args = append(args, p.OrgID, p.OrgID)
	}
	if isCommander(p) {
		conds = append(conds, "officer_org = ?")
		args = append(args, p.OrgID)
		if isMinisterOfDefense(p) {
			conds = append(conds, "path IN ('sdf_protection', 'sdf_guard')")
		}
	}
	if isCabinet(p) || isNPSC(p) {
		conds = append(conds, "path = 'sdf_protection'")
	}
	if isMOFA(p) {
		conds = append(conds, `mofa_orgs LIKE ? ESCAPE '\'`)
		args = append(args, "%|"+likeEscape(p.OrgID)+"|%")
	}
	if len(conds) == 0 {
		return "1 = 0", nil
	}
	return "((" + strings.Join(conds, ") OR (") + "))", args
}

// likeEscape escapes LIKE's wildcards and its escape character.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
