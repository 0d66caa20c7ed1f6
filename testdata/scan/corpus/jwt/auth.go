package auth

import "github.com/golang-jwt/jwt/v5"

var jwtKey = []byte("ktqDnXfXvOgGWxngnkJne8N75jX5GXVn5tKYacpD")

func Sign(c jwt.Claims) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(jwtKey)
}
