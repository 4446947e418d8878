package blocklist

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/acd-platform/acd/internal/reporting/stixmap"
	"github.com/acd-platform/acd/internal/stix"
)

// STIX names of the feed.
const (
	// CaseSourceName is the source_name of the external reference from an
	// indicator to the measure case its entry comes from.
	CaseSourceName = "acd-measure-case"
	// EntrySourceName is the source_name of the external reference from
	// an indicator to its blocklist entry.
	EntrySourceName = "acd-blocklist"
)

// namespace is the blocklist's UUIDv5 namespace: an indicator's id is
// UUIDv5 of its entry's id, so it stays the same in every feed.
var namespace = stix.UUID{0x90, 0x98, 0x30, 0x11, 0xeb, 0x94, 0x45, 0xe4, 0x8d, 0x37, 0x26, 0x6e, 0xeb, 0xd6, 0x64, 0x03}

// IndicatorID returns the STIX id of the indicator of entry entryID.
func IndicatorID(entryID string) string { return stix.NewIDv5("indicator", namespace, entryID) }

// renderSTIX writes the blocklist as a STIX 2.1 bundle: ACD's identity,
// the TLP marking, and one indicator per entry with a deterministic id,
// an equality pattern on its address, network or domain, valid from its
// addition until its expiry, and references to its entry and case. The
// bundle's id is UUIDv5 of the indicators' ids and the last change, so
// the same blocklist always gives the same bytes. The bundle is checked
// with stix.ParseBundle before it is returned.
func renderSTIX(snap snapshot, tlp *stix.MarkingDefinition) ([]byte, error) {
	identity := stixmap.Identity()
	objs := []stix.Object{identity, tlp}
	h := sha256.New()
	for _, e := range snap.entries {
		ind := &stix.Indicator{
			Common: stix.Common{
				Type: "indicator", SpecVersion: stix.SpecVersion, ID: IndicatorID(e.ID), CreatedByRef: identity.ID,
				Created: stix.TS(e.AddedAt), Modified: stix.TS(e.AddedAt),
				ExternalReferences: []stix.ExternalReference{{SourceName: EntrySourceName, ExternalID: e.ID}},
				ObjectMarkingRefs:  []string{tlp.ID},
			},
			Name:           e.Value,
			Description:    e.Reason,
			IndicatorTypes: []string{"malicious-activity"},
			Pattern:        stix.EqualityPattern(patternPath(e), e.Value),
			PatternType:    "stix",
			PatternVersion: stix.SpecVersion,
			ValidFrom:      stix.TS(e.AddedAt),
			ValidUntil:     stix.TS(e.ExpiresAt),
		}
		if e.CaseRef != "" {
			ind.ExternalReferences = append(ind.ExternalReferences, stix.ExternalReference{SourceName: CaseSourceName, ExternalID: e.CaseRef})
		}
		objs = append(objs, ind)
		fmt.Fprintf(h, "%s\n", ind.ID)
	}
	fmt.Fprintf(h, "%s\n", stamp(snap.lastModified))
	b := &stix.Bundle{Type: "bundle", ID: stix.NewIDv5("bundle", namespace, hex.EncodeToString(h.Sum(nil))), Objects: objs}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return nil, fmt.Errorf("encode STIX feed: %w", err)
	}
	if _, err := stix.ParseBundle(out.Bytes()); err != nil {
		return nil, fmt.Errorf("STIX feed is not a valid bundle: %w", err)
	}
	return out.Bytes(), nil
}

// patternPath is the object path an entry's pattern compares.
func patternPath(e feedEntry) string {
	switch {
	case e.Kind == KindDomain:
		return "domain-name:value"
	case e.prefix.Addr().Is4():
		return "ipv4-addr:value"
	}
	return "ipv6-addr:value"
}
