Rails.application.configure do
  config.secret_key_base = "9c1e7f3a5b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e"
  config.filter_parameters += [:password, :token, :secret, :api_key]
  config.action_mailer.smtp_settings = {
    address: "smtp.corp.io",
    user_name: "mailer",
    password: 'Tg5Wm2pLx8Qz',
    authentication: :plain
  }
end

Rails.configuration.mailgun = { api_key: "key-3f9a8c7e6d5b4a3928171605f4e3d2c1" }
Sidekiq.configure_server { |c| c.redis = { url: "redis://:Hn4vT9qLw2@redis.internal:6379/0" } }
Devise.setup { |config| config.pepper = ENV['DEVISE_PEPPER'] }
GITHUB = Octokit::Client.new(access_token: ENV.fetch("GITHUB_TOKEN"))
Net::SMTP.start('smtp.corp.io', 587, 'corp.io', 'mailer', 'Rb8-smtp-Kq3w', :login)
