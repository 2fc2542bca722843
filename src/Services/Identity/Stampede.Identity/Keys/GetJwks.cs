using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.IdentityModel.Tokens;

namespace Stampede.Identity.Keys;

/// <summary>A JSON Web Key Set (RFC 7517) of RSA public keys.</summary>
public sealed record JsonWebKeySetDocument(IReadOnlyList<RsaPublicJwk> Keys);

public sealed record RsaPublicJwk(string Kty, string Use, string Alg, string Kid, string N, string E);

public static class GetJwks
{
    public static RouteHandlerBuilder MapGetJwks(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/.well-known/jwks.json", HandleAsync)
            .AllowAnonymous()
            .WithName(nameof(GetJwks))
            .WithTags("Keys")
            .WithSummary("Public keys that verify access tokens")
            .WithDescription("Every key a verifier should accept: the active one, the next one (published before it signs anything) and recently retired ones.");

    public static async Task<Ok<JsonWebKeySetDocument>> HandleAsync(SigningKeyRing ring, HttpContext http, CancellationToken cancellationToken)
    {
        var keys = await ring.GetPublishedKeysAsync(cancellationToken);
        http.Response.Headers.CacheControl = "public, max-age=60";
        return TypedResults.Ok(new JsonWebKeySetDocument([.. keys.Select(key => new RsaPublicJwk(
            Kty: "RSA",
            Use: "sig",
            Alg: SecurityAlgorithms.RsaSha256,
            Kid: key.KeyId,
            N: Base64UrlEncoder.Encode(key.Parameters.Modulus),
            E: Base64UrlEncoder.Encode(key.Parameters.Exponent)))]));
    }
}
