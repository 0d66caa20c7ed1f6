package com.example.shop.auth;

import com.auth0.jwt.algorithms.Algorithm;
import io.jsonwebtoken.security.Keys;

public class TokenService {
    private final Algorithm algorithm = Algorithm.HMAC256("4RCZbGvOuPbNjt5vXKJje35R7VU7shOqORvYVihW");
    private final java.security.Key key = Keys.hmacShaKeyFor("K4dfVMTGNmB4dMHywtlJpfYyS9he4iqOKMrZhF5KBCQ0".getBytes());
    private final Algorithm verifier = Algorithm.HMAC256(System.getenv("JWT_SECRET"));
}
