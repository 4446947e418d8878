package stixmap_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acd-platform/acd/internal/reporting/stixmap"
	"github.com/acd-platform/acd/internal/stix"
)

// FuzzImport checks that Import never panics, that its errors are
// *stix.Error, and that a report it reads survives Export and Import
// again unchanged (but for a title Export had to make up). Seeds are in
// testdata/fuzz/FuzzImport, each with a comment saying what it covers.
func FuzzImport(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		sub, err := stixmap.Import(data)
		if err != nil {
			var se *stix.Error
			if !errors.As(err, &se) {
				t.Fatalf("error is a %T, want *stix.Error: %v", err, err)
			}
			return
		}
		id := sub.ReportID
		if id == "" {
			id = "rpt-fuzz"
		}
		out, err := stixmap.Export(stixmap.ExportInput{
			ReportID: id, OrgName: "Fuzz Operator", Stage: sub.Stage, Version: 1,
			Created: at("2025-05-16T09:45:00Z"), Content: sub.Content,
		})
		if err != nil {
			t.Fatalf("Export(Import(data)): %v", err)
		}
		again, err := stixmap.Import(out)
		if err != nil {
			t.Fatalf("Import(Export(Import(data))): %v\n%s", err, out)
		}
		want := sub.Content
		if want.Title == "" {
			want.Title = again.Content.Title
		}
		if diff := cmp.Diff(want, again.Content); diff != "" {
			t.Fatalf("content changed on Export and Import (-first +second):\n%s", diff)
		}
		if again.Stage != sub.Stage || again.ReportID != id {
			t.Fatalf("stage and report id = %q, %q; want %q, %q", again.Stage, again.ReportID, sub.Stage, id)
		}
	})
}
