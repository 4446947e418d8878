//go:build !unix

package match_test

import "time"

// cpuTime is not measured here; the cpu-s figures read 0.
func cpuTime() time.Duration { return 0 }
