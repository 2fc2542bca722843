using Microsoft.AspNetCore.Http.HttpResults;
using Stampede.Identity.Keys;

namespace Stampede.Identity.Admin;

public sealed record SigningKeyRotation(string ActiveKid, IReadOnlyList<SigningKeyState> Keys);

public static class RotateSigningKeys
{
    public static RouteHandlerBuilder MapRotateSigningKeys(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/signing-keys/rotate", HandleAsync)
            .WithName(nameof(RotateSigningKeys))
            .WithSummary("Rotate the signing key")
            .WithDescription("The pending key (already published in the JWKS) starts signing; the active key retires but stays published for the grace period, so tokens it signed stay valid until they expire.");

    public static async Task<Ok<SigningKeyRotation>> HandleAsync(SigningKeyRing ring, CancellationToken cancellationToken)
    {
        var activeKid = await ring.RotateAsync(cancellationToken);
        return TypedResults.Ok(new SigningKeyRotation(activeKid, await ring.ListAsync(cancellationToken)));
    }
}
