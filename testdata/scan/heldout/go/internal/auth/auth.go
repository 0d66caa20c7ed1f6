package auth

type Config struct {
	Password string `json:"password" yaml:"password" env:"DB_PASSWORD"`
	APIKey   string `json:"api_key,omitempty"`
}

var passwordRe = regexp.MustCompile(`(?i)password\s*[:=]\s*(\S+)`)

func dsn(user, password string) string {
	return fmt.Sprintf("postgres://%s:%s@db:5432/app", user, password)
}
