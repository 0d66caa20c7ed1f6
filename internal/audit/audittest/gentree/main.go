// Command gentree writes a synthetic CloudTrail log tree for benchmarks of
// `secretctl audit --from-logs` (see bench/audit.sh).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/secretctl/secretctl/internal/audit/audittest"
)

func main() {
	dir := flag.String("dir", "", "output directory (required)")
	fixtures := flag.String("fixtures", "testdata/audit", "directory of the 0*.json fixture records")
	files := flag.Int("files", 500, "number of log files")
	perFile := flag.Int("per-file", 2000, "records per file")
	flag.Parse()
	if *dir == "" || *perFile < 2 {
		fmt.Fprintln(os.Stderr, "usage: gentree -dir DIR [-files N] [-per-file N] [-fixtures DIR]")
		os.Exit(2)
	}
	st, err := audittest.GenerateTree(*dir, *fixtures, *files, *perFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gentree:", err)
		os.Exit(1)
	}
	fmt.Printf("files=%d records=%d secretsmanager_events=%d duplicates=%d denied=%d bytes=%d\n",
		st.Files, st.Records, st.SMEvents, st.Duplicates, st.Denied, st.Bytes)
}
