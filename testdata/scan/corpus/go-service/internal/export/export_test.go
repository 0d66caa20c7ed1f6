package export

import "testing"

func TestJSON(t *testing.T) {
	c := canaryValue(t)
	if got := render(c); got != `{"API_KEY":"k-`+c+`","DB_PASSWORD":"`+c+`"}` {
		t.Fatalf("render: %s", got)
	}
}
