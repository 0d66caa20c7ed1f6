class Mail {
    void init(Properties props) {
        props.put("mail.smtp.auth", "true");
        props.put("mail.smtp.password", "Fm2-smtp-Rx8w");
        System.setProperty("javax.net.ssl.keyStorePassword", "Fx3-keystore-Wm6q");
        Authentication a = new UsernamePasswordAuthenticationToken("admin", "Fs4-spring-Tz6q");
    }
}
