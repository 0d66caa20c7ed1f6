import Foundation

enum Config {
    static let apiKey = "sw4Kq9Lm2Xv7Tz3Rb8Nc"
    static let clientSecret: String = "Ios-7hQ2mL9vX4kR"
    static let tokenKey = "com.corp.app.authToken"
    static let token = ProcessInfo.processInfo.environment["API_TOKEN"]
}

struct LoginRequest: Codable {
    let password: String
    enum CodingKeys: String, CodingKey {
        case password = "password"
        case accessToken = "access_token"
    }
}

func login() {
    label.text = NSLocalizedString("password", comment: "Password label")
    let saved = KeychainWrapper.standard.string(forKey: "authToken")
    let cred = URLCredential(user: "admin", password: "Sw8-cred-Tq5z", persistence: .forSession)
}
