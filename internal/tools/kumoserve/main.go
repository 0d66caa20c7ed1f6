// Command kumoserve runs the kumo AWS emulator (as a library, in this
// process) on a loopback port for benchmarks, printing its URL on the first
// line of stdout and serving until stdin closes or it is killed.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/sivchari/kumo"
)

func main() {
	srv := kumo.NewServer()
	defer srv.Close()
	fmt.Println(srv.URL)
	_, _ = io.Copy(io.Discard, os.Stdin)
}
