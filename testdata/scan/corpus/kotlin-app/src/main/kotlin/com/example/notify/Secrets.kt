package com.example.notify

object Secrets {
    val slackToken = "xoxb-248421299868-0638863911312-nbG8uTtz1O7ZbEim2EZr8qqF"
    const val ENCRYPTION_KEY = "12f0b305cedc0de04b5d739cb46598fc"
    val dbPassword: String = System.getenv("DB_PASSWORD") ?: error("DB_PASSWORD not set")
    val apiToken: String by lazy { System.getProperty("api.token").orEmpty() }
    const val PASSWORD_LABEL = "Password"
    val doToken = "dop_v1_532b39a7a647806f173af64d200063321f439700da1a7da01fad369d0e3cac06"
}

data class Creds(val user: String, val password: String)

fun Creds.isBlank(): Boolean = password.isBlank()

fun mailer(): Creds = Creds("alerts@example.com", "K0tlin-Mail3r-pw")
