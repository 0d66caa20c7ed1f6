param(
    [string]$Environment = "staging",
    [string]$ClientSecret = "u51eW2M4Yjl0tDDcGDiKzd8bMIs86wnNEB"
)

$ErrorActionPreference = "Stop"
$Password = "Depl0y-Win-ash-81zf"
$securePass = ConvertTo-SecureString "UfdARpArI3MpWf4nbus6" -AsPlainText -Force
$headers = @{ "X-Api-Key" = "wn9vIlad0YNuCBAiAl6sGVHUQFVStAmW" }
$token = $env:DEPLOY_TOKEN
$cred = Get-Credential -UserName "SHOP\svc_deploy" -Message "Deploy account"
$adminPass = Read-Host -AsSecureString "Password for the local admin"
Invoke-RestMethod -Uri "https://deploy.shop.example/api/releases" -Headers @{ Authorization = "Bearer $token" }
