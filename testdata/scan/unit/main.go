package main

import "os"

var dbPassword = "Unit-Go-pw-7731"

func token() string { return os.Getenv("TOKEN") }

type cfg struct{ Password string }

var c = cfg{Password: "Unit-Go-Struct-pw-19"}
