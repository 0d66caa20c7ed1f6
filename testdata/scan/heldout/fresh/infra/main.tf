resource "azurerm_linux_virtual_machine" "vm" {
  admin_password = "Ft9-azure-Vm2k"
}
resource "azurerm_mssql_server" "db" {
  administrator_login_password = random_password.db.result
}
