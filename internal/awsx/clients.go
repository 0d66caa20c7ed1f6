package awsx

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Clients holds the AWS SDK clients built from one aws.Config. Building a
// client does no I/O; the caller that owns them (the commands' Factory)
// builds them only when a command needs AWS. Each consumer takes the narrow
// interface it defines (awssm.API, rotate.AWSAPI, audit.CloudTrailAPI).
type Clients struct {
	Config         aws.Config
	SecretsManager *secretsmanager.Client
	CloudTrail     *cloudtrail.Client
}

// NewClients returns the clients for cfg. A non-empty endpointURL is set as
// each client's BaseEndpoint, which beats AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE>; when empty, those keep working through cfg.
func NewClients(cfg aws.Config, endpointURL string) *Clients {
	return &Clients{
		Config: cfg,
		SecretsManager: secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
			if endpointURL != "" {
				o.BaseEndpoint = aws.String(endpointURL)
			}
		}),
		CloudTrail: cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) {
			if endpointURL != "" {
				o.BaseEndpoint = aws.String(endpointURL)
			}
		}),
	}
}
