package check

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/secretctl/secretctl/internal/k8s"
)

// Kube gives the Kubernetes client and the namespace the k8s items look
// in ("" for every namespace).
type Kube struct {
	Client    func() (*k8s.Client, error)
	Namespace string
}

func (k Kube) externalSecrets(ctx context.Context) (*k8s.Client, []k8s.ExternalSecretStatus, *Result) {
	c, err := k.Client()
	if err != nil {
		r := errResult("load the kubeconfig", err, "pass --kubeconfig FILE, or leave the cluster out with --only")
		return nil, nil, &r
	}
	ess, err := c.ExternalSecrets(ctx, k.Namespace)
	if err != nil {
		r := errResult("cannot reach the cluster at "+c.Host, err, "kubectl get externalsecrets -A (to see the error in full)")
		return nil, nil, &r
	}
	if len(ess) == 0 {
		where := "the cluster"
		if k.Namespace != "" {
			where = "namespace " + k.Namespace
		}
		return nil, nil, &Result{Status: Warn, Summary: "no ExternalSecrets in " + where,
			Fix: "secretctl export NAME --format external-secret | kubectl apply -f - (with a SecretStore: --format secret-store)"}
	}
	return c, ess, nil
}

// K8sSecrets is the k8s-secrets item: the Secret each ExternalSecret
// targets exists.
type K8sSecrets struct{ Kube }

// ID returns "k8s-secrets".
func (K8sSecrets) ID() string { return IDK8sSecrets }

// Run looks up each target Secret (its metadata only is reported; the
// data is never read into a result).
func (c K8sSecrets) Run(ctx context.Context) Result {
	cl, ess, early := c.externalSecrets(ctx)
	if early != nil {
		return *early
	}
	r := Result{Status: Pass}
	var missing []string
	for _, es := range ess {
		sec, err := cl.GetSecret(ctx, es.Namespace, es.Target)
		switch {
		case apierrors.IsNotFound(err):
			missing = append(missing, es.Namespace+"/"+es.Target)
			r.Evidence = append(r.Evidence, fmt.Sprintf("Secret %s/%s (ExternalSecret %s): missing", es.Namespace, es.Target, es.Name))
		case err != nil:
			return errResult("get Secret "+es.Namespace+"/"+es.Target, err, "")
		default:
			r.Evidence = append(r.Evidence, fmt.Sprintf("Secret %s/%s (ExternalSecret %s): %d key(s)", es.Namespace, es.Target, es.Name, len(sec.Data)))
		}
	}
	if len(missing) > 0 {
		r.Status = Fail
		r.Summary = fmt.Sprintf("%d of %d target Secret(s) missing: %s", len(missing), len(ess), shortList(missing, 5))
		r.Fix = "check that ESO runs and can read the store: secretctl k8s status; kubectl describe externalsecret -n NAMESPACE NAME"
		return r
	}
	r.Summary = fmt.Sprintf("all %d Secret(s) that ExternalSecrets target exist", len(ess))
	return r
}

// ESOSynced is the eso-synced item: every ExternalSecret's Ready
// condition is True with reason SecretSynced, and the Secret it reports
// synced is there (a condition is only as fresh as ESO's last reconcile: a
// deleted Secret is not synced, whatever the condition still says).
type ESOSynced struct{ Kube }

// ID returns "eso-synced".
func (ESOSynced) ID() string { return IDESOSynced }

// Run reads the ExternalSecrets' status (k8s.Client.ExternalSecrets, which
// `k8s status` prints too).
func (c ESOSynced) Run(ctx context.Context) Result {
	cl, ess, early := c.externalSecrets(ctx)
	if early != nil {
		return *early
	}
	r := Result{Status: Pass}
	var bad []string
	for _, es := range ess {
		line := fmt.Sprintf("ExternalSecret %s/%s: Ready=%s", es.Namespace, es.Name, es.Ready)
		if es.Reason != "" {
			line += " " + es.Reason
		}
		if es.Synced {
			_, err := cl.GetSecret(ctx, es.Namespace, es.Target)
			switch {
			case apierrors.IsNotFound(err):
				es.Synced = false
				line += ", but its Secret " + es.Target + " is missing"
			case err != nil:
				return errResult("get Secret "+es.Namespace+"/"+es.Target, err, "")
			}
		}
		if !es.Synced {
			bad = append(bad, es.Namespace+"/"+es.Name)
			if es.Message != "" {
				line += ": " + strings.Join(strings.Fields(es.Message), " ")
			}
		}
		r.Evidence = append(r.Evidence, line)
	}
	if len(bad) > 0 {
		r.Status = Fail
		r.Summary = fmt.Sprintf("%d of %d ExternalSecret(s) not synced: %s", len(bad), len(ess), shortList(bad, 5))
		r.Fix = "kubectl describe externalsecret -n NAMESPACE NAME (the SecretStore's credentials, the secret's name and keys)"
		return r
	}
	r.Summary = fmt.Sprintf("all %d ExternalSecret(s) are Ready (SecretSynced)", len(ess))
	return r
}
