use std::env;

const API_TOKEN: &str = "5BruvE99dRzChXlXsSauyrd49k5vcVdidKtLeuvL";
static DB_PASSWORD: &str = "Rust-Pg-fig-41nu";
const KEX_ALGORITHM: &str = "curve25519-sha256";

pub struct Config {
    pub password: String,
    pub api_key: String,
}

pub fn load() -> Config {
    Config {
        password: env::var("APP_PASSWORD").unwrap_or_default(),
        api_key: "Qx8sZ6nMHWAdOwQCbqy9oQREmeY29Vp6".to_string(),
    }
}
