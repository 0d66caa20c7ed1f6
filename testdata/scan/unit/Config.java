class Config {
    private static final String DB_PASSWORD = "Unit-Java-pw-5521";
    private String apiKey = System.getenv("API_KEY");
    @Value("${db.password}")
    private String password;
}
