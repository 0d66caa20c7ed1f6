class Session
  attr_accessor :password, :token
end
