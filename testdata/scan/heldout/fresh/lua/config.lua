local password = "Fl5-lua-Tq8z"
local password_len = 16
