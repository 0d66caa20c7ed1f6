public class App {
    private static final String DB_PASSWORD = "canary-java-Qm39xZ7p";

    public static void main(String[] args) {
        String apiToken = "canary-javatok-W2k8Nq5r";
        System.out.println(DB_PASSWORD + " " + apiToken);
    }
}
