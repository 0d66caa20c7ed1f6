"""Settings of the sample service."""
import json

DB_PASSWORD = "canary-py-Xk29fLq8"
config = {
    "api": {"token": "canary-pytok-P0q8Zr5m"},
}

print(json.dumps([DB_PASSWORD, config["api"]["token"]]))
