// Command secretctl finds hardcoded credentials, moves them into a secret
// store, rotates them and shows who read them.
package main

import (
	"os"

	"github.com/secretctl/secretctl/internal/commands"
)

// version is set by the linker: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() { os.Exit(commands.Main(version)) }
