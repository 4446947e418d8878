package capgen

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// delegatedRows are the records of WriteDelegated's file, in the RIR
// statistics exchange format (registry|cc|type|start|value|date|status|
// opaque-id). The JP rows cover the generator's domestic pool; the others
// are other economies' blocks, an asn row and an unallocated block.
var delegatedRows = [...]string{
	"apnic|JP|asn|2497|1|19970619|allocated|A91A560A",
	"apnic|AU|ipv4|1.0.0.0|256|20110811|assigned|A91872ED",
	"apnic|CN|ipv4|1.0.1.0|256|20110414|allocated|A92E1062",
	"apnic||ipv4|1.0.2.0|512||available|",
	"apnic|JP|ipv4|133.0.0.0|1048576|19970101|allocated|A91A560A",
	"apnic|JP|ipv4|133.16.0.0|196608|19970101|allocated|A91A560B",
	"apnic|KR|ipv4|175.192.0.0|1048576|20090701|allocated|A91C9B9A",
	"apnic|IN|ipv4|49.32.0.0|65536|20100924|allocated|A91F0D1E",
	"apnic|JP|ipv6|2001:2f8::|32|20021008|allocated|A91A560A",
	"apnic|CN|ipv6|2001:250::|32|20000426|allocated|A92E1062",
	"apnic|AU|ipv6|2001:4400::|32|20030415|allocated|A91872ED",
}

// WriteDelegated writes a delegated-apnic-extended style file that lists
// the generator's domestic pool (133.0.0.0/12, 2001:2f8::/32) as JP, so the
// selection engine classifies the generated flows' directions; the foreign
// pool (8.0.0.0/12, 2a00::/24) is not listed, as an APNIC file would not.
func WriteDelegated(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "# Synthetic delegated-apnic-extended file for the ACD selection benchmark:")
	fmt.Fprintln(bw, "# the JP rows cover the traffic generator's domestic address pool.")
	fmt.Fprintf(bw, "2.3|apnic|20261031|%d|19830613|20261030|+1000\n", len(delegatedRows))
	var n [3]int
	for _, r := range delegatedRows {
		switch {
		case strings.Contains(r, "|asn|"):
			n[0]++
		case strings.Contains(r, "|ipv4|"):
			n[1]++
		default:
			n[2]++
		}
	}
	fmt.Fprintf(bw, "apnic|*|asn|*|%d|summary\n", n[0])
	fmt.Fprintf(bw, "apnic|*|ipv4|*|%d|summary\n", n[1])
	fmt.Fprintf(bw, "apnic|*|ipv6|*|%d|summary\n", n[2])
	for _, r := range delegatedRows {
		fmt.Fprintln(bw, r)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write delegated: %w", err)
	}
	return nil
}
