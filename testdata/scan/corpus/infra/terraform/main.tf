terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAXOUOWCTWIIPLMPIY"
  secret_key = "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"
}

variable "db_password" {
  type        = string
  description = "Master password for the orders database"
  default     = "Terraf0rm-Default-pw!"
  sensitive   = true
}

variable "api_token" {
  type      = string
  sensitive = true
}

variable "datadog_api_key" {
  type    = string
  default = ""
}

resource "random_password" "replica" {
  length  = 32
  special = true
}

resource "aws_db_instance" "orders" {
  identifier        = "orders"
  engine            = "postgres"
  instance_class    = "db.t4g.medium"
  username          = "orders"
  password          = var.db_password
  kms_key_id        = "arn:aws:kms:eu-west-1:123456789012:key/bd5e8553-8e0f-4ac0-b207-0287f4fba983"
  allocated_storage = 50
}

resource "aws_db_instance" "replica" {
  identifier     = "orders-replica"
  instance_class = "db.t4g.medium"
  password       = random_password.replica.result
}

resource "aws_iam_account_password_policy" "strict" {
  minimum_password_length        = 14
  require_symbols                = true
  allow_users_to_change_password = true
}

data "vault_generic_secret" "ci" {
  path = "secret/ci"
}

resource "github_actions_secret" "deploy" {
  repository      = "shop"
  secret_name     = "DEPLOY_TOKEN"
  plaintext_value = data.vault_generic_secret.ci.data["token"]
}

resource "aws_lambda_function" "thumbs" {
  function_name    = "thumbs"
  filename         = "thumbs.zip"
  source_code_hash = filebase64sha256("thumbs.zip")
  role             = "arn:aws:iam::123456789012:role/thumbs"
  environment {
    variables = {
      SIGNING_SECRET = "lambda-S1gning-secret-v2"
      UPLOAD_TOKEN   = "${var.api_token}"
    }
  }
}
