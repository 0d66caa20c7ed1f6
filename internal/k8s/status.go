package k8s

import (
	"context"
	"fmt"
	"sort"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ExternalSecretGVR is ESO's ExternalSecret resource.
var ExternalSecretGVR = schema.GroupVersionResource{Group: "external-secrets.io", Version: "v1", Resource: "externalsecrets"}

// ExternalSecretStatus is an ExternalSecret's Ready condition.
type ExternalSecretStatus struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Target    string `json:"target"`
	Ready     string `json:"ready"`  // True, False or Unknown
	Reason    string `json:"reason"` // SecretSynced when synced
	Message   string `json:"message,omitempty"`
	Synced    bool   `json:"synced"`
}

// ExternalSecrets lists the ExternalSecrets in namespace ("" for all) with
// their Ready condition. A cluster without ESO's CRDs has none.
func (c *Client) ExternalSecrets(ctx context.Context, namespace string) ([]ExternalSecretStatus, error) {
	l, err := c.Dynamic.Resource(ExternalSecretGVR).Namespace(namespace).List(ctx, metav1.ListOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list externalsecrets: %w", err)
	}
	var out []ExternalSecretStatus
	for _, item := range l.Items {
		st := ExternalSecretStatus{Namespace: item.GetNamespace(), Name: item.GetName(), Ready: "Unknown"}
		st.Target, _, _ = unstructured.NestedString(item.Object, "spec", "target", "name")
		if st.Target == "" {
			st.Target = st.Name
		}
		conds, _, _ := unstructured.NestedSlice(item.Object, "status", "conditions")
		for _, ci := range conds {
			m, ok := ci.(map[string]any)
			if !ok || m["type"] != "Ready" {
				continue
			}
			st.Ready, _ = m["status"].(string)
			st.Reason, _ = m["reason"].(string)
			st.Message, _ = m["message"].(string)
		}
		st.Synced = st.Ready == "True" && st.Reason == "SecretSynced"
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}
