//go:build tools

// Package eso pins the External Secrets Operator for scripts/k8s-tools.sh.
package eso

import _ "github.com/external-secrets/external-secrets"
