variable "db_password" {
  type    = string
  default = "canary-tf-Mv52Xq8r"
}

locals {
  api_token = "canary-tftok-K7p3Zw9q"
}

output "values" {
  value     = "${var.db_password} ${local.api_token}"
  sensitive = true
}
