config = { password: "canary-rb-Lw82nB5q" }
API_TOKEN = 'canary-rbtok-T7y2Kq9d'
puts config[:password], API_TOKEN
