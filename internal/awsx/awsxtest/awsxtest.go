// Package awsxtest starts AWS test peers: kumo in-process (StartKumo) and a
// replay server for recorded AWS JSON 1.1 responses (NewReplay).
package awsxtest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/sivchari/kumo"

	"github.com/secretctl/secretctl/internal/awsx"
)

// Region is the region Config uses; kumo builds its ARNs with us-east-1.
const Region = "us-east-1"

// StartKumo starts the kumo AWS emulator in-process on a loopback port and
// returns its URL; it is closed when the test ends. kumo's state is
// process-global (every server shares it), so tests must use unique names.
func StartKumo(t testing.TB) (endpoint string) {
	t.Helper()
	srv := kumo.NewServer()
	t.Cleanup(srv.Close)
	return srv.URL
}

// Config returns an aws.Config for endpoint with dummy static credentials,
// region us-east-1 and awsx.NewRetryer's standard retryer. It reads no environment
// or shared config file. Use it with awsx.NewClients(cfg, endpoint), or pass
// it to NewFromConfig with BaseEndpoint set to endpoint.
func Config(t testing.TB, endpoint string) aws.Config {
	t.Helper()
	return aws.Config{
		Region:       Region,
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("AKIDSECRETCTLTEST", "secretctl-test-secret", "")),
		BaseEndpoint: aws.String(endpoint),
		Retryer:      func() aws.Retryer { return awsx.NewRetryer(aws.RetryModeStandard, 0) },
	}
}
