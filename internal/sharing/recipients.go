package sharing

import (
	"context"
	"fmt"
	"slices"

	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
	"github.com/acd-platform/acd/internal/tlp"
)

// resolveMarking turns an item's level, clearance and recipients into its
// marking: groups expanded to their organisations that are council
// members now, and, for TLP:AMBER and TLP:AMBER+STRICT, the author's
// organisation added (the source keeps what it shares). Recipients named
// one by one must be council members now (organisations, and the
// organisations of individuals), and individuals must hold the clearance
// the item requires; otherwise a *Refusal names the first at fault. The
// marking is checked with the scale.
func (s *Service) resolveMarking(ctx context.Context, q store.Querier, level tlp.Level, clearance string, r Recipients, authorOrg string) (tlp.Marking, error) {
	if err := s.scale.Check(clearance); err != nil {
		return tlp.Marking{}, fieldErrorf("clearance", "%v", err)
	}
	if level == tlp.Clear && s.scale.Rank(clearance) > 0 {
		return tlp.Marking{}, fieldErrorf("clearance", "%q: a TLP:CLEAR item is public and requires no clearance", clearance)
	}
	m := tlp.Marking{Level: level, Clearance: clearance}
	amber := level == tlp.Amber || level == tlp.AmberStrict
	if (len(r.Orgs) > 0 || len(r.Groups) > 0) && !amber {
		return tlp.Marking{}, fieldErrorf("recipients", "only TLP:AMBER and TLP:AMBER+STRICT items name recipient organisations or groups, not %s", level.Label())
	}
	if len(r.Users) > 0 && level != tlp.Red {
		return tlp.Marking{}, fieldErrorf("recipients.users", "only TLP:RED items name individual recipients, not %s", level.Label())
	}
	for i, id := range r.Orgs {
		o, err := s.dir.Org(ctx, id)
		if err != nil {
			return tlp.Marking{}, fieldErrorf(fmt.Sprintf("recipients.orgs[%d]", i), "no organisation %q", id)
		}
		member, err := isMember(ctx, q, o.ID, o.Kind)
		if err != nil {
			return tlp.Marking{}, err
		}
		if !member {
			return tlp.Marking{}, refuse(CodeOrgNotMember, fmt.Sprintf("recipients.orgs[%d]: %s", i, o.Name))
		}
		m.RecipientOrgs = append(m.RecipientOrgs, o.ID)
	}
	for i, id := range r.Groups {
		if _, err := loadGroup(ctx, q, id); err != nil {
			return tlp.Marking{}, fieldErrorf(fmt.Sprintf("recipients.groups[%d]", i), "no group %q", id)
		}
		members, err := groupMembers(ctx, q, id)
		if err != nil {
			return tlp.Marking{}, err
		}
		for _, orgID := range members {
			o, err := s.dir.Org(ctx, orgID)
			if err != nil {
				continue
			}
			if member, err := isMember(ctx, q, o.ID, o.Kind); err != nil {
				return tlp.Marking{}, err
			} else if member && !slices.Contains(m.RecipientOrgs, o.ID) {
				m.RecipientOrgs = append(m.RecipientOrgs, o.ID)
			}
		}
	}
	if amber && len(m.RecipientOrgs) == 0 {
		if len(r.Groups) > 0 {
			return tlp.Marking{}, fieldErrorf("recipients.groups", "%s needs a recipient organisation, and the groups named have no council member", level.Label())
		}
		return tlp.Marking{}, fieldErrorf("recipients.orgs", "%s needs at least one recipient organisation or group", level.Label())
	}
	if amber && authorOrg != "" && !slices.Contains(m.RecipientOrgs, authorOrg) {
		m.RecipientOrgs = append(m.RecipientOrgs, authorOrg)
	}
	for i, id := range r.Users {
		field := fmt.Sprintf("recipients.users[%d]", i)
		u, err := s.dir.User(ctx, id)
		if err != nil || u.Disabled {
			return tlp.Marking{}, fieldErrorf(field, "no enabled user %q", id)
		}
		o, err := s.dir.Org(ctx, u.OrgID)
		if err != nil {
			return tlp.Marking{}, fieldErrorf(field, "user %q has no organisation", id)
		}
		member, err := isMember(ctx, q, o.ID, o.Kind)
		if err != nil {
			return tlp.Marking{}, err
		}
		if !member {
			return tlp.Marking{}, refuse(CodeOrgNotMember, fmt.Sprintf("%s: %s's organisation %s", field, u.Username, o.Name))
		}
		have, err := s.clearanceOf(ctx, q, u.ID)
		if err != nil {
			return tlp.Marking{}, err
		}
		if s.scale.Rank(have) < s.scale.Rank(clearance) {
			return tlp.Marking{}, refuse(CodeRecipientClearance, fmt.Sprintf("%s: %s holds %q, the item requires %q", field, u.Username, s.levelName(have), clearance))
		}
		m.RecipientUsers = append(m.RecipientUsers, u.ID)
	}
	if err := s.scale.Validate(m); err != nil {
		return tlp.Marking{}, fieldErrorf("recipients", "%s", textfield.Cut(err.Error(), 300))
	}
	return m, nil
}

// levelName names a clearance level, "" as the scale's lowest.
func (s *Service) levelName(level string) string {
	if level == "" {
		return s.scale.Lowest()
	}
	return level
}
