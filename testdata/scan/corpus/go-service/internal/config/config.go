// Package config loads the orders service configuration.
package config

import (
	"flag"
	"os"
)

const defaultDSN = "postgres://orders:0rders-Svc-pw@localhost:5432/orders?sslmode=disable"

var githubToken = "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"

// Config holds the service settings.
type Config struct {
	DSN          string `yaml:"dsn"`
	Password     string `yaml:"password"`
	APIKey       string `yaml:"api_key" json:"apiKey"`
	SlackWebhook string `yaml:"slack_webhook"`
	MongoURI     string
}

// Defaults returns the built-in configuration.
func Defaults() Config {
	return Config{
		DSN:          defaultDSN,
		Password:     os.Getenv("DB_PASSWORD"),
		APIKey:       "867070c8f2652d46be2b207a0b3e4dce5d935a58",
		SlackWebhook: "https://hooks.slack.com/services/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",
		MongoURI:     "mongodb+srv://reporting:Atlas-R3porting-77@cluster0.ab1cd.mongodb.net/orders?retryWrites=true",
	}
}

// Flags registers command-line overrides.
func Flags(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.Password, "db-password", "", "database password (prefer DB_PASSWORD)")
	fs.StringVar(&c.APIKey, "api-key", os.Getenv("ORDERS_API_KEY"), "API key for the pricing service")
}

// Token returns the GitHub token used to open release PRs.
func Token() string { return githubToken }

// PasswordFile is where Docker secrets mount the database password.
const PasswordFile = "/run/secrets/db_password"
