import Config

config :shop, Shop.Repo,
  username: "shop",
  password: "Ex-Repo-alder-28hb",
  hostname: "db.shop.internal"

config :shop, ShopWeb.Endpoint,
  secret_key_base: "fXVf9HjTsHCNvEhhszSbquhekHWM3pltbDmAoYolnzkIKB-bDJ5nRbgZC5zTvekf"

config :joken, default_signer: "rzGGLjBTdVSzSjuFC6XVeiW5rxWbKN5ZXUGZIrtQ"

config :shop, :mailer, api_key: System.get_env("MAILER_API_KEY")
