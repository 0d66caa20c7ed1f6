PAYMENTS_API_TOKEN = "bZdHD6HLuxntsjAL23UWBQdZDoZB49Snrfxi"

Credentials = Struct.new(:user, :password)

Payments.configure do |config|
  config.api_key = '50fcdV2WKTuW06MT246XZ7v0zT9F4jDE'
  config.webhook_secret = ENV.fetch("PAYMENTS_WEBHOOK_SECRET")
end

SMTP_SETTINGS = { address: "smtp.shop.example", user_name: "mailer", password: "Ma1ler-Rb-yew-76kp" }
