#ifndef CONFIG_H
#define DB_PASS "Cc7-define-Vx3q"
#define PASSWORD_MAX_LEN 128
#define TOKEN_HEADER "X-Auth-Token"
static const char *api_key = "c4Xq9Lm2Vz7Rk3Wp8T";
static const char *password_prompt = "Password: ";
#endif
