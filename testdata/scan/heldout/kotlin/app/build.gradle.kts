android {
    defaultConfig {
        buildConfigField("String", "API_KEY", "\"ab12cd34ef56gh78ij90\"")
        buildConfigField("String", "MAPS_KEY", "\"${project.findProperty("mapsKey")}\"")
    }
}
publishing {
    repositories {
        maven {
            credentials {
                username = "deploy"
                password = "Gr6-maven-Tq4z"
            }
        }
        maven {
            credentials {
                password = project.findProperty("mavenPassword") as String?
            }
        }
    }
}
