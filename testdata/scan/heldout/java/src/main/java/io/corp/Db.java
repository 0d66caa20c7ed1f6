package io.corp;

public class Db {
    @Value("${jwt.secret}")
    private String jwtSecret;
    private static final String PASSWORD_PATTERN = "^(?=.*[0-9])(?=.*[a-z])(?=.*[A-Z]).{8,20}$";
    private static final String PASSWORD_PARAM = "password";

    Connection open() throws SQLException {
        return DriverManager.getConnection(url, "app", "Jv5-jdbc-Kz8w");
    }

    String masked(String password) {
        return String.format("password=%s", "****");
    }
}
