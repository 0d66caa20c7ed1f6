package com.example.shop;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Configuration;

@Configuration
public class PaymentConfig {

    private static final String API_KEY = "hQEY4jMniKhO0YCcFqwx08ZosNemTIaD";
    private static final String FALLBACK_API_KEY = System.getenv("PAYMENT_API_KEY");
    private static final String LEDGER_URL =
        "jdbc:sqlserver://ledger:1433;databaseName=ledger;user=sa;password=Ledg3r-SA-pw!;";

    @Value("${payment.secret}")
    private String secret;

    private String password;

    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    String signingSecret() {
        return "paym3nt-s1gning-s3cret";
    }

    static final String PASSWORD_PROMPT = "Please enter your password";
}
