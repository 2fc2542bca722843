using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Stampede.PgSimulator.Payments;

/// <summary>Toss's merchant authentication: <c>Authorization: Basic base64(secretKey + ":")</c>.
/// Anything else is a 401 <c>UNAUTHORIZED_KEY</c> problem.</summary>
public sealed class MerchantAuthentication(IOptions<PgSimulatorOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (IsMerchant(context.HttpContext.Request.Headers.Authorization.ToString())) return await next(context);
        context.HttpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"pg-sim\"";
        return new PgError(401, PgErrorCodes.UnauthorizedKey,
            "Authenticate with Authorization: Basic base64(secretKey + \":\") using the merchant's secret key.").ToResult();
    }

    private bool IsMerchant(string header)
    {
        if (!AuthenticationHeaderValue.TryParse(header, out var value)
            || !value.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)
            || value.Parameter is null)
            return false;
        var expected = Encoding.UTF8.GetBytes(options.Value.SecretKey + ":");
        var given = new byte[value.Parameter.Length];
        if (!Convert.TryFromBase64String(value.Parameter, given, out var length)) return false;
        return CryptographicOperations.FixedTimeEquals(given.AsSpan(0, length), expected);
    }
}
