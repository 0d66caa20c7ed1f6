//go:build tools

// Package apiserver pins kube-apiserver for scripts/k8s-tools.sh.
package apiserver

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
