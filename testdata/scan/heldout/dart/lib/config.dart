class Config {
  static const String apiKey = 'dt5Qm8Lx2Vz7Rk3W';
  static const String apiKeyHeader = 'x-api-key';
  static final password = Platform.environment['DB_PASSWORD'];
}
