local M = {}

local API_KEY = "XaGHsGMsZV1uzSzUvYGxW2selFtHLiVM"
M.redis = { host = "10.0.4.20", port = 6379, password = "Lua-Rds-elder-23yl" }
M.db_password = os.getenv("DB_PASSWORD")

function M.connect(red)
  local ok, err = red:auth("nqSlsl8cUVX3UVgSBg6LDPSo")
  return ok, err
end

return M
