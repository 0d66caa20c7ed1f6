plugins {
    kotlin("jvm") version "2.1.0"
    `maven-publish`
}

repositories {
    maven {
        url = uri("https://nexus.example.com/repository/releases")
        credentials {
            username = "deploy"
            password = "Gradl3-Nexus-pw"
        }
    }
    maven {
        url = uri("https://maven.pkg.github.com/acme/libs")
        credentials {
            username = providers.gradleProperty("gprUser").get()
            password = providers.gradleProperty("gprKey").get()
        }
    }
}
