Sys.setenv(DB_PASSWORD = "Fr2-r-Vx7k")
pw <- Sys.getenv("DB_PASSWORD")
