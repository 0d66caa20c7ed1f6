using System.Text;
using Microsoft.IdentityModel.Tokens;

public static class TokenIssuer
{
    static readonly SymmetricSecurityKey SigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes("GsqWGiHW7jg7ia4eqM81umQ6XFKBk2TwkPCHVX5p"));
}
