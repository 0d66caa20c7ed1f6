package serve_test

import (
	"crypto/sha256"
	"encoding/hex"
	"sync/atomic"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

type v4SignerOptions = v4.SignerOptions

func newSigner() *v4.Signer { return v4.NewSigner() }

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// countingReader is an endless body that counts what was read from it.
type countingReader struct{ n atomic.Int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	r.n.Add(int64(len(p)))
	return len(p), nil
}
