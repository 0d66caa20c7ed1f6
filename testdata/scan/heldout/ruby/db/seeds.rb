User.create!(email: "admin@corp.io", password: ENV.fetch("SEED_ADMIN_PASSWORD"))
User.create!(email: "ops@corp.io", password: "Sd4-seed-Qm8zX")
