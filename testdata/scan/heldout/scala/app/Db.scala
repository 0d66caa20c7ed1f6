object Db {
  val password = sys.env("DB_PASSWORD")
  val apiKey = config.getString("api.key")
  val adminPassword = "Sz4-scala-Kq7m"
}
