using System.Net;

public class Mailer
{
    private const string ApiKeyHeader = "X-Api-Key";
    private const string SigningKey = "hX3mN8qR2vT6yB1zK5wL9pD4";

    [JsonPropertyName("client_secret")]
    public string ClientSecret { get; set; }

    [Required]
    [DataType(DataType.Password)]
    public string Password { get; set; }

    public void Send()
    {
        var pwd = Environment.GetEnvironmentVariable("SMTP_PASSWORD");
        client.Credentials = new NetworkCredential("mailer@corp.io", "Nc4$tY7pQw2");
        options.Password.RequiredLength = 12;
        var secret = Configuration["Jwt:Key"];
        _logger.LogInformation("Token refreshed for {User}", user);
    }
}
