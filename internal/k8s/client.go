package k8s

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
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

// Client talks to one cluster, through client-go's dynamic client only:
// Secrets are read and written as unstructured objects and converted to
// corev1.Secret. The typed clientset would link every API group of
// Kubernetes into the binary (its scheme registers them all at start-up),
// which every command, not only the Kubernetes ones, would pay for in
// start-up time and memory.
type Client struct {
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
	dyn, err := dynamic.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	return &Client{Dynamic: dyn, Namespace: ns, Host: rc.Host}, nil
}

// secretsGVR is the core Secret resource.
var secretsGVR = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}

func (c *Client) secrets(namespace string) dynamic.ResourceInterface {
	return c.Dynamic.Resource(secretsGVR).Namespace(namespace)
}

// GetSecret reads one Secret. A missing one gives an error for which
// apierrors.IsNotFound is true.
func (c *Client) GetSecret(ctx context.Context, namespace, name string) (*corev1.Secret, error) {
	u, err := c.secrets(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	return toSecret(u)
}

// ListSecrets lists the Secrets in namespace ("" for all) that match the
// label selector.
func (c *Client) ListSecrets(ctx context.Context, namespace, selector string) ([]corev1.Secret, error) {
	l, err := c.secrets(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	out := make([]corev1.Secret, 0, len(l.Items))
	for i := range l.Items {
		s, err := toSecret(&l.Items[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *s)
	}
	return out, nil
}

func toSecret(u *unstructured.Unstructured) (*corev1.Secret, error) {
	var s corev1.Secret
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &s); err != nil {
		return nil, fmt.Errorf("read secret %s/%s: %w", u.GetNamespace(), u.GetName(), err)
	}
	return &s, nil
}

// applySecret sends the labels, annotations, type and data of s with
// server-side apply: the fields the manager owns, nothing else.
func (c *Client) applySecret(ctx context.Context, s *corev1.Secret, opts metav1.ApplyOptions) error {
	labels, annotations, data := map[string]any{}, map[string]any{}, map[string]any{}
	for k, v := range s.Labels {
		labels[k] = v
	}
	for k, v := range s.Annotations {
		annotations[k] = v
	}
	for k, v := range s.Data {
		data[k] = base64.StdEncoding.EncodeToString(v)
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "Secret",
		"metadata":   map[string]any{"name": s.Name, "namespace": s.Namespace, "labels": labels, "annotations": annotations},
		"type":       string(s.Type),
		"data":       data,
	}}
	_, err := c.secrets(s.Namespace).Apply(ctx, s.Name, u, opts)
	return err
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
