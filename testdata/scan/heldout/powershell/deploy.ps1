param(
    [string]$Password,
    [securestring]$ApiToken
)
$secpw = ConvertTo-SecureString "Ps8!Deploy-Kx2" -AsPlainText -Force
$cred = New-Object System.Management.Automation.PSCredential ("svc_deploy", $secpw)
$pw = Read-Host -AsSecureString "Password"
$env:ARM_CLIENT_SECRET = "Az7~Qm2.Lp9-Xv4_Rt8Wn3Ks"
$token = $env:GITHUB_TOKEN
$dbPassword = Get-Secret -Name DbPassword -AsPlainText
$plain = ConvertTo-SecureString $env:ADMIN_PW -AsPlainText -Force
