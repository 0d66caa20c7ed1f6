package serve

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Credentials are the one access key the server accepts.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
}

// MaxSkew is how far a request's X-Amz-Date may be from the server's
// clock, as on AWS.
const MaxSkew = 5 * time.Minute

const (
	sigAlgorithm = "AWS4-HMAC-SHA256"
	amzDate      = "20060102T150405Z"
	serviceName  = "secretsmanager"
)

// sigHeader is a parsed SigV4 Authorization header.
type sigHeader struct {
	keyID, date, region, service string
	signedHeaders                []string
	signature                    string
}

func parseAuthorization(h string) (sigHeader, *apiError) {
	var a sigHeader
	rest, ok := strings.CutPrefix(h, sigAlgorithm+" ")
	if !ok {
		return a, errIncompleteSignature("Authorization header requires the " + sigAlgorithm + " algorithm.")
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return a, errIncompleteSignature("Authorization header requires a Credential of the form KEY/DATE/REGION/SERVICE/aws4_request.")
			}
			a.keyID, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	switch {
	case a.keyID == "":
		return a, errIncompleteSignature("Authorization header requires 'Credential' parameter.")
	case len(a.signedHeaders) == 0:
		return a, errIncompleteSignature("Authorization header requires 'SignedHeaders' parameter.")
	case a.signature == "":
		return a, errIncompleteSignature("Authorization header requires 'Signature' parameter.")
	}
	return a, nil
}

// verify checks r's SigV4 signature over body against creds and returns
// the access key id it was signed with. The signature is recomputed with
// the SDK's own signer over a copy of the request that holds only the
// headers the client signed, then compared in constant time.
func verify(ctx context.Context, r *http.Request, body []byte, creds Credentials, now time.Time) (string, *apiError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", errMissingAuth
	}
	a, aerr := parseAuthorization(h)
	if aerr != nil {
		return "", aerr
	}
	if a.keyID != creds.AccessKeyID {
		return "", errUnknownKey
	}
	if a.service != serviceName {
		return "", errIncompleteSignature(fmt.Sprintf("Credential should be scoped to correct service: '%s'.", serviceName))
	}
	stamp := r.Header.Get("X-Amz-Date")
	t, err := time.Parse(amzDate, stamp)
	if err != nil {
		return "", errIncompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if !strings.HasPrefix(stamp, a.date) {
		return "", errBadSig
	}
	if d := now.Sub(t); d > MaxSkew {
		return "", &apiError{http.StatusBadRequest, "InvalidSignatureException", fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 5 min.)",
			stamp, now.Add(-MaxSkew).UTC().Format(amzDate), now.UTC().Format(amzDate))}
	} else if d < -MaxSkew {
		return "", &apiError{http.StatusBadRequest, "InvalidSignatureException", fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 5 min.)",
			stamp, now.Add(MaxSkew).UTC().Format(amzDate), now.UTC().Format(amzDate))}
	}
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	if c := r.Header.Get("X-Amz-Content-Sha256"); c != "" && c != payload {
		return "", errBadSig
	}

	u := &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	if u.Path == "" {
		u.Path = "/"
	}
	c, err := http.NewRequestWithContext(ctx, r.Method, u.String(), nil)
	if err != nil {
		return "", errBadSig
	}
	c.Host = r.Host
	for _, name := range a.signedHeaders {
		switch name {
		case "host":
		case "content-length":
			c.ContentLength = int64(len(body))
		default:
			if vs, ok := r.Header[http.CanonicalHeaderKey(name)]; ok {
				c.Header[http.CanonicalHeaderKey(name)] = vs
			} else {
				return "", errBadSig // a signed header that is not there
			}
		}
	}
	signer := v4.NewSigner()
	if err := signer.SignHTTP(ctx, aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey},
		c, payload, a.service, a.region, t); err != nil {
		return "", errBadSig
	}
	want, aerr := parseAuthorization(c.Header.Get("Authorization"))
	if aerr != nil || !hmac.Equal([]byte(want.signature), []byte(a.signature)) ||
		strings.Join(want.signedHeaders, ";") != strings.Join(a.signedHeaders, ";") {
		return "", errBadSig
	}
	return a.keyID, nil
}
