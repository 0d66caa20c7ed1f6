package export

// Formats lists the output formats by name.
var Formats = []string{"k8s-secret", "external-secret", "secret-store", "dotenv"}

var secretFormats = map[string]string{"k8s-secret": "Secret", "external-secret": "ExternalSecret"}
