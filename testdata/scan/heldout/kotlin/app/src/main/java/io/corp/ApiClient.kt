package io.corp

private const val API_SECRET = "kt8Mv3Qz7Lx2Rp9W"
const val KEY_PASSWORD = "key_password"

data class TokenResponse(
    @SerializedName("access_token") val accessToken: String,
    val tokenType: String = "Bearer",
)

class ApiClient {
    val password = BuildConfig.DB_PASSWORD
    fun auth() = UserPasswordCredential("admin", "Kt6-ktor-Xm2q")
}
