package reporting_test

import (
	"encoding/json"
	"testing"

	"github.com/acd-platform/acd/internal/reporting"
)

func decodeReceipt(t *testing.T, body []byte) reporting.Receipt {
	t.Helper()
	var rc reporting.Receipt
	if err := json.Unmarshal(body, &rc); err != nil {
		t.Fatalf("decode receipt %s: %v", body, err)
	}
	return rc
}
