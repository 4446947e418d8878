package vuln_test

import (
	"errors"

	"github.com/acd-platform/acd/internal/vuln"
)

func asField(err error, fe **vuln.FieldError) bool { return errors.As(err, fe) }
