package db

const passwordKey = "password"

func open() (*sql.DB, error) {
	if dsn := os.Getenv("DSN"); dsn != "" {
		return sql.Open("mysql", os.Getenv("DSN"))
	}
	return sql.Open("mysql", "app:Fz3-go-mysql-Wq7@tcp(db:3306)/app")
}

func bearer(h string) string {
	token := strings.TrimPrefix(h, "Bearer ")
	if password == "" {
		return ""
	}
	return token
}

type Auth struct {
	Token string // the bearer token
}
