class User < ApplicationRecord
  has_secure_password
  has_secure_token :auth_token
  validates :password, length: { minimum: 12 }, if: :password_required?
  encrypts :api_secret

  def self.digest(password)
    BCrypt::Password.create(password, cost: 12)
  end

  PASSWORD_FORMAT = /\A(?=.*\d)(?=.*[a-z])(?=.*[A-Z]).{12,}\z/x
end
