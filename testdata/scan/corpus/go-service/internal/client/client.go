package client

import (
	"context"
	"net/http"
)

// Client calls the pricing API.
type Client struct {
	base     string
	user     string
	password string
	token    string
	hc       *http.Client
}

const pricingAPIKey = "prc_live_IKkVqjNjZh4nzjoYbmSkkwMZ5dRgLCmM"

// New returns a client for base.
func New(base, user, password, token string) *Client {
	return &Client{base: base, user: user, password: password, token: token, hc: http.DefaultClient}
}

func (c *Client) get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(c.user, c.password)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("X-Api-Key", pricingAPIKey)
	return c.hc.Do(req)
}

func (c *Client) legacy(ctx context.Context) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://legacy-pricing.example.com/v1/rates", nil)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth("pricing", "Legacy-Pr1cing-pw")
	return c.hc.Do(req)
}
