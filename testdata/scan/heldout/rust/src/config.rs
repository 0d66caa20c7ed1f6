use serde::Deserialize;

const API_KEY: &str = "a8f5f167f44f4964e6c998dee827110c";
static DB_PASSWORD: &str = "Rs7-pg-Tq2wLm";

#[derive(Deserialize)]
pub struct Settings {
    #[serde(rename = "client_secret")]
    pub client_secret: String,
    #[arg(long, env = "API_TOKEN")]
    pub api_token: String,
}

impl Settings {
    pub fn api_key(&self) -> &str { &self.client_secret }
}

pub fn connect() -> Result<Client> {
    let token = std::env::var("API_TOKEN").expect("API_TOKEN not set");
    let password = rpassword::prompt_password("Password: ")?;
    let req = client.get(url).header("Authorization", format!("Bearer {}", token));
    let c = reqwest::Client::new().get(url).basic_auth("admin", Some("Rs9-basic-Wq4z"));
    Ok(c)
}
