package stix_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/stix"
)

// A custom object, an SDO of the specification without a struct here and
// an SCO without one keep their JSON byte for byte.
func TestRawObjectsRoundTrip(t *testing.T) {
	objs := []string{
		`{"type":"x-acd-thing","id":"x-acd-thing--5d0092c5-5f74-4287-9642-33f4c354e56d","spec_version":"2.1","created":"2025-05-16T09:00:00.000Z","modified":"2025-05-16T09:00:00.000Z","x_weird":{"deep":[1,2.50,"三"]}}`,
		`{"type":"campaign","spec_version":"2.1","id":"campaign--b549a58c-afd9-4847-85c3-5be13d56d3cc","created":"2014-09-09T19:58:39.609Z","modified":"2014-09-09T19:58:39.609Z","name":"Operation Omega","x_note":"a < b & c"}`,
		`{"type":"mutex","id":"mutex--5d0092c5-5f74-5287-9642-33f4c354e56d","name":"__CLEANSWEEP__"}`,
	}
	in := bundle(objs...)
	b, err := stix.ParseBundle([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range b.Objects {
		r, ok := o.(*stix.Raw)
		if !ok {
			t.Fatalf("objects[%d] is a %T, want *stix.Raw", i, o)
		}
		if string(r.JSON) != objs[i] {
			t.Errorf("objects[%d] JSON = %s, want %s", i, r.JSON, objs[i])
		}
		// An encoder that leaves < and & alone, as json.Marshal does not.
		var ob bytes.Buffer
		e := json.NewEncoder(&ob)
		e.SetEscapeHTML(false)
		if err := e.Encode(o); err != nil {
			t.Fatal(err)
		}
		out := bytes.TrimSpace(ob.Bytes())
		var c bytes.Buffer
		json.Compact(&c, []byte(objs[i]))
		if string(out) != c.String() {
			t.Errorf("Marshal(objects[%d]) = %s, want %s", i, out, c.String())
		}
	}
	if r, ok := b.Objects[0].(*stix.Raw); !ok || r.Type != "x-acd-thing" || r.ID != "x-acd-thing--5d0092c5-5f74-4287-9642-33f4c354e56d" {
		t.Errorf("objects[0] type and id = %v", b.Objects[0])
	}
}

// Structs keep custom properties, and RawObject returns what was parsed.
func TestCustomPropertiesRoundTrip(t *testing.T) {
	ind := with(indicator, map[string]any{"x_acd_score": 7, "x_acd_tags": []string{"vpn"}})
	in := "{\n  \"type\": \"bundle\", \"id\": \"" + bundleID + "\",\n  \"objects\": [ " + ind + " ,\n" + ipv4 + "]}"
	b, err := stix.ParseBundle([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	got, ok := b.Objects[0].(*stix.Indicator)
	if !ok {
		t.Fatalf("objects[0] is a %T, want *stix.Indicator", b.Objects[0])
	}
	wantCustom := map[string]json.RawMessage{"x_acd_score": json.RawMessage(`7`), "x_acd_tags": json.RawMessage(`["vpn"]`)}
	if diff := cmp.Diff(wantCustom, got.Custom); diff != "" {
		t.Errorf("Custom (-want +got):\n%s", diff)
	}
	if got.Pattern != "[ipv4-addr:value = '198.51.100.3']" || got.ValidFrom.String() != "2025-05-16T09:00:00.000Z" {
		t.Errorf("indicator = %+v", got)
	}
	if string(b.RawObject(0)) != ind || string(b.RawObject(1)) != ipv4 {
		t.Errorf("RawObject = %s, %s; want %s, %s", b.RawObject(0), b.RawObject(1), ind, ipv4)
	}
	if b.RawObject(2) != nil || b.RawObject(-1) != nil {
		t.Errorf("RawObject out of range is not nil")
	}
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	again, err := stix.ParseBundle(out)
	if err != nil {
		t.Fatalf("ParseBundle(Marshal): %v\n%s", err, out)
	}
	if diff := cmp.Diff(b.Objects, again.Objects); diff != "" {
		t.Errorf("objects after a round trip (-before +after):\n%s", diff)
	}
	if !strings.Contains(string(out), `"x_acd_score":7,"x_acd_tags":["vpn"]}`) {
		t.Errorf("custom properties not written at the end: %s", out)
	}

	var viaUnmarshal stix.Bundle
	if err := json.Unmarshal([]byte(in), &viaUnmarshal); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	if diff := cmp.Diff(b.Objects, viaUnmarshal.Objects); diff != "" {
		t.Errorf("json.Unmarshal differs from ParseBundle (-want +got):\n%s", diff)
	}
	if err := json.Unmarshal([]byte(bundle(with(ipv4, map[string]any{"value": "x"}))), &viaUnmarshal); err == nil {
		t.Errorf("json.Unmarshal of an invalid bundle succeeded")
	}
}

func TestEmbeddedObservables(t *testing.T) {
	od := `{"type":"observed-data","spec_version":"2.1","id":"observed-data--5d0092c5-5f74-4287-9642-33f4c354e56d","created":"2025-05-16T09:00:00.000Z","modified":"2025-05-16T09:00:00.000Z","first_observed":"2025-05-16T09:00:00Z","last_observed":"2025-05-16T10:00:00Z","number_observed":2,"objects":{"10":{"type":"mutex","name":"m"},"2":{"type":"domain-name","value":"example.com","resolves_to_refs":["0"]},"0":{"type":"ipv4-addr","value":"198.51.100.3"}}}`
	b, err := stix.ParseBundle([]byte(bundle(od)))
	if err != nil {
		t.Fatal(err)
	}
	keys, objs, err := b.Objects[0].(*stix.ObservedData).Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"0", "2", "10"}, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	ip, ok1 := objs[0].(*stix.IPv4Addr)
	dn, ok2 := objs[1].(*stix.DomainName)
	_, ok3 := objs[2].(*stix.Raw)
	if !ok1 || !ok2 || !ok3 || ip.Value != "198.51.100.3" || dn.ResolvesToRefs[0] != "0" {
		t.Errorf("Embedded objects = %#v", objs)
	}
}

func TestParseBundleLimits(t *testing.T) {
	objs := make([]string, stix.MaxObjects+1)
	for i := range objs {
		objs[i] = fmt.Sprintf(`{"type":"mutex","id":"%s","name":"m%d"}`, stix.NewID("mutex"), i)
	}
	if _, err := stix.ParseBundle([]byte(bundle(objs[:stix.MaxObjects]...))); err != nil {
		t.Errorf("%d objects: %v", stix.MaxObjects, err)
	}
	_, err := stix.ParseBundle([]byte(bundle(objs...)))
	if want := "objects: more than 10000 objects"; err == nil || err.Error() != want {
		t.Errorf("%d objects: got %v, want %s", len(objs), err, want)
	}

	long := with(indicator, map[string]any{"description": strings.Repeat("x", stix.MaxStringLen+1)})
	_, err = stix.ParseBundle([]byte(bundle(long)))
	if want := "objects[0]: description: string longer than 1048576 bytes"; err == nil || err.Error() != want {
		t.Errorf("long string: got %v, want %s", err, want)
	}
}
