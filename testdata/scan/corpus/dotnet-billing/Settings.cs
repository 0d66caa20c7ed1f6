namespace Shop.Billing;

public class GatewaySettings
{
    private const string ApiKey = "OSNcNfAtx7zREkwu5iFIRUI4curOUOov";
    public string Password { get; set; } = "Gw-Bill-teak-34rc";
    public string Username { get; set; } = "billing";
    public string ClientSecret { get; set; }
    public string WebhookSecret { get; init; } = string.Empty;
}
