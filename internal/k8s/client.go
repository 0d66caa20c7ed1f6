package k8s

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// ConfigOptions select a cluster the way kubectl does.
type ConfigOptions struct {
	Kubeconfig    string // --kubeconfig; wins over KUBECONFIG
	KubeconfigEnv string // the value of KUBECONFIG (a path list)
	Home          string // for ~/.kube/config when neither is set
	Context       string // --context
	Namespace     string // --namespace; default the context's, else "default"
	// Warnings receives the API server's warnings (none are shown without it).
	Warnings io.Writer
}

// Client talks to one cluster.
type Client struct {
	Kube      kubernetes.Interface
	Dynamic   dynamic.Interface
	Namespace string // the namespace commands use unless told otherwise
	Host      string
}

// NewClient loads the kubeconfig and builds the clients.
func NewClient(o ConfigOptions) (*Client, error) {
	rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: o.Kubeconfig}
	if o.KubeconfigEnv != "" {
		rules.Precedence = filepath.SplitList(o.KubeconfigEnv)
	} else if o.Home != "" {
		rules.Precedence = []string{filepath.Join(o.Home, ".kube", "config")}
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: o.Context}
	if o.Namespace != "" {
		overrides.Context.Namespace = o.Namespace
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	rc, err := cc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig: %s", oneLine(err.Error()))
	}
	rc.WarningHandler = rest.NoWarnings{}
	if o.Warnings != nil {
		rc.WarningHandler = rest.NewWarningWriter(o.Warnings, rest.WarningWriterOptions{Deduplicate: true})
	}
	ns, _, err := cc.Namespace()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig: %s", oneLine(err.Error()))
	}
	kube, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	return &Client{Kube: kube, Dynamic: dyn, Namespace: ns, Host: rc.Host}, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
