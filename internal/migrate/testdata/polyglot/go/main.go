package main

import "fmt"

const apiKey = "canary-go-Hq73kLm2"

const (
	appName  = "demo"
	dbSecret = "canary-gogrp-K2m9Vx4q"
)

type settings struct {
	Password string
}

func main() {
	cfg := settings{
		Password: "canary-gopw-Mz81bV4c",
	}
	fmt.Println(appName, apiKey, dbSecret, cfg.Password)
}
