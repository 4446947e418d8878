package stix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// IPv4Addr is an ipv4-addr SCO (§6.8): an address or a CIDR prefix.
type IPv4Addr struct {
	ObservableCommon
	Value          string   `json:"value"`
	ResolvesToRefs []string `json:"resolves_to_refs,omitempty"` // mac-addr
	BelongsToRefs  []string `json:"belongs_to_refs,omitempty"`  // autonomous-system
}

// IPv6Addr is an ipv6-addr SCO (§6.9): an address or a CIDR prefix.
type IPv6Addr struct {
	ObservableCommon
	Value          string   `json:"value"`
	ResolvesToRefs []string `json:"resolves_to_refs,omitempty"`
	BelongsToRefs  []string `json:"belongs_to_refs,omitempty"`
}

// DomainName is a domain-name SCO (§6.3).
type DomainName struct {
	ObservableCommon
	Value          string   `json:"value"`
	ResolvesToRefs []string `json:"resolves_to_refs,omitempty"` // ipv4-addr, ipv6-addr, domain-name
}

// URL is a url SCO (§6.16).
type URL struct {
	ObservableCommon
	Value string `json:"value"`
}

// EmailAddr is an email-addr SCO (§6.4): one address without display name.
type EmailAddr struct {
	ObservableCommon
	Value        string `json:"value"`
	DisplayName  string `json:"display_name,omitempty"`
	BelongsToRef string `json:"belongs_to_ref,omitempty"` // user-account
}

// File is a file SCO (§6.7). It has Hashes or Name or both. Hash names
// come from hash-algorithm-ov: "MD5", "SHA-1", "SHA-256", "SHA-512",
// "SHA3-256", "SHA3-512", "SSDEEP", "TLSH".
type File struct {
	ObservableCommon
	Hashes             map[string]string `json:"hashes,omitempty"`
	Size               *int64            `json:"size,omitempty"`
	Name               string            `json:"name,omitempty"`
	NameEnc            string            `json:"name_enc,omitempty"`
	MagicNumberHex     string            `json:"magic_number_hex,omitempty"`
	MimeType           string            `json:"mime_type,omitempty"`
	Ctime              Timestamp         `json:"ctime,omitzero"`
	Mtime              Timestamp         `json:"mtime,omitzero"`
	Atime              Timestamp         `json:"atime,omitzero"`
	ParentDirectoryRef string            `json:"parent_directory_ref,omitempty"`
	ContainsRefs       []string          `json:"contains_refs,omitempty"`
	ContentRef         string            `json:"content_ref,omitempty"`
}

// observable returns the common part of an SCO whose only id-contributing
// property is value, with its deterministic id (see [SCOID]).
func observable(typ, value string) ObservableCommon {
	var b bytes.Buffer
	b.WriteString(`{"value":`)
	jcsString(&b, value)
	b.WriteByte('}')
	return ObservableCommon{Type: typ, SpecVersion: SpecVersion, ID: typ + "--" + uuidV5(scoNamespace, b.Bytes()).String()}
}

// NewIPv4Addr returns an ipv4-addr with its deterministic id.
func NewIPv4Addr(value string) *IPv4Addr {
	return &IPv4Addr{ObservableCommon: observable("ipv4-addr", value), Value: value}
}

// NewIPv6Addr returns an ipv6-addr with its deterministic id.
func NewIPv6Addr(value string) *IPv6Addr {
	return &IPv6Addr{ObservableCommon: observable("ipv6-addr", value), Value: value}
}

// NewDomainName returns a domain-name with its deterministic id.
func NewDomainName(value string) *DomainName {
	return &DomainName{ObservableCommon: observable("domain-name", value), Value: value}
}

// NewURL returns a url with its deterministic id.
func NewURL(value string) *URL {
	return &URL{ObservableCommon: observable("url", value), Value: value}
}

// NewEmailAddr returns an email-addr with its deterministic id.
func NewEmailAddr(value string) *EmailAddr {
	return &EmailAddr{ObservableCommon: observable("email-addr", value), Value: value}
}

// NewFile returns a file with its deterministic id. At least one of name
// and hashes must be given.
func NewFile(name string, hashes map[string]string) (*File, error) {
	props := map[string]any{}
	if name != "" {
		props["name"] = name
	}
	if len(hashes) > 0 {
		props["hashes"] = hashes
	}
	id, err := SCOID("file", props)
	if err != nil {
		return nil, fmt.Errorf("new file: %w", err)
	}
	return &File{
		ObservableCommon: ObservableCommon{Type: "file", SpecVersion: SpecVersion, ID: id},
		Name:             name,
		Hashes:           hashes,
	}, nil
}

// Embedded decodes the deprecated Objects of o, in the order of their keys
// (numerically when the keys are numbers, as they usually are: "0", "1",
// …). Types this package has no struct for come back as *Raw.
func (o *ObservedData) Embedded() (keys []string, objs []Object, err error) {
	keys = make([]string, 0, len(o.Objects))
	for k := range o.Objects {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		na, ea := strconv.ParseUint(a, 10, 64)
		nb, eb := strconv.ParseUint(b, 10, 64)
		switch {
		case ea == nil && eb == nil && na != nb:
			if na < nb {
				return -1
			}
			return 1
		case ea == nil && eb != nil:
			return -1
		case ea != nil && eb == nil:
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, k := range keys {
		raw := o.Objects[k]
		var head struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return nil, nil, fmt.Errorf("objects.%s: %w", k, err)
		}
		obj := newObject(head.Type)
		if err := json.Unmarshal(raw, obj); err != nil {
			return nil, nil, fmt.Errorf("objects.%s: %w", k, err)
		}
		objs = append(objs, obj)
	}
	return keys, objs, nil
}

// MarshalJSON encodes o with its custom properties.
func (o IPv4Addr) MarshalJSON() ([]byte, error) {
	type plain IPv4Addr
	p := plain(o)
	return marshalObject(&p, o.Custom)
}

// UnmarshalJSON decodes o, keeping unknown properties in Custom.
func (o *IPv4Addr) UnmarshalJSON(b []byte) error {
	type plain IPv4Addr
	return unmarshalObject(b, (*plain)(o), &o.Custom)
}

// MarshalJSON encodes o with its custom properties.
func (o IPv6Addr) MarshalJSON() ([]byte, error) {
	type plain IPv6Addr
	p := plain(o)
	return marshalObject(&p, o.Custom)
}

// UnmarshalJSON decodes o, keeping unknown properties in Custom.
func (o *IPv6Addr) UnmarshalJSON(b []byte) error {
	type plain IPv6Addr
	return unmarshalObject(b, (*plain)(o), &o.Custom)
}

// MarshalJSON encodes o with its custom properties.
func (o DomainName) MarshalJSON() ([]byte, error) {
	type plain DomainName
	p := plain(o)
	return marshalObject(&p, o.Custom)
}

// UnmarshalJSON decodes o, keeping unknown properties in Custom.
func (o *DomainName) UnmarshalJSON(b []byte) error {
	type plain DomainName
	return unmarshalObject(b, (*plain)(o), &o.Custom)
}

// MarshalJSON encodes o with its custom properties.
func (o URL) MarshalJSON() ([]byte, error) {
	type plain URL
	p := plain(o)
	return marshalObject(&p, o.Custom)
}

// UnmarshalJSON decodes o, keeping unknown properties in Custom.
func (o *URL) UnmarshalJSON(b []byte) error {
	type plain URL
	return unmarshalObject(b, (*plain)(o), &o.Custom)
}

// MarshalJSON encodes o with its custom properties.
func (o EmailAddr) MarshalJSON() ([]byte, error) {
	type plain EmailAddr
	p := plain(o)
	return marshalObject(&p, o.Custom)
}

// UnmarshalJSON decodes o, keeping unknown properties in Custom.
func (o *EmailAddr) UnmarshalJSON(b []byte) error {
	type plain EmailAddr
	return unmarshalObject(b, (*plain)(o), &o.Custom)
}

// MarshalJSON encodes o with its custom properties.
func (o File) MarshalJSON() ([]byte, error) {
	type plain File
	p := plain(o)
	return marshalObject(&p, o.Custom)
}

// UnmarshalJSON decodes o, keeping unknown properties in Custom.
func (o *File) UnmarshalJSON(b []byte) error {
	type plain File
	return unmarshalObject(b, (*plain)(o), &o.Custom)
}
