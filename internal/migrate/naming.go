package migrate

import (
	"strings"

	"github.com/secretctl/secretctl/internal/environ"
)

// EnvName turns a key path into the environment variable the code will
// read, with the mapping exec and export use (internal/environ):
// database.password → DATABASE_PASSWORD, api.secretKey → API_SECRET_KEY,
// spring.datasource.password → SPRING_DATASOURCE_PASSWORD. A leaf that is
// already an environment variable name (DB_PASSWORD, POSTGRES_PASSWORD) is
// used as it is, without its parents.
func EnvName(path []string) string {
	if len(path) == 0 {
		return "SECRET"
	}
	if leaf := path[len(path)-1]; environ.Canonical(leaf) {
		return leaf
	}
	var segs []string
	for _, p := range path {
		segs = append(segs, strings.Split(p, ".")...)
	}
	name, err := environ.FromPath(segs...)
	if err != nil {
		return "SECRET"
	}
	return name
}

// tfVarName is the Terraform variable for an env name: DB_PASSWORD →
// db_password (read from TF_VAR_db_password).
func tfVarName(env string) string { return strings.ToLower(env) }
