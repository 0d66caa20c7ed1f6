#!/bin/sh
keytool -genkeypair -alias api -keyalg RSA -keystore keystore.p12 -storetype PKCS12 -storepass g0pEbRqmzAW0w7yU -dname "CN=api.shop.example"
keytool -importcert -alias ca -file ca.pem -keystore truststore.p12 -storepass "$TRUSTSTORE_PASSWORD" -noprompt
