import Config

config :shop, Shop.Repo,
  username: "postgres",
  password: "Ex9-ecto-Lm4q",
  hostname: "localhost"

config :shop, ShopWeb.Endpoint,
  secret_key_base: "vX3kQ8mL2zR7tW9nB4cY6hJ1dF5gP0sA3eU8iO2qT7rV4wX9yZ1aB6cD0eF5gH2j"

config :shop, Shop.Mailer, api_key: System.get_env("SENDGRID_API_KEY")
config :joken, default_signer: System.fetch_env!("JOKEN_SECRET")
config :shop, :admin, password: "********"
