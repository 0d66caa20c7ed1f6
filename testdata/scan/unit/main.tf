variable "db_password" {
  type    = string
  default = "Unit-Tf-pw-1188"
}
variable "region" {
  default = "eu-west-1"
}
resource "aws_db_instance" "db" {
  password = var.db_password
}
