using Microsoft.AspNetCore.Http.HttpResults;
using Stampede.Identity.Keys;

namespace Stampede.Identity.Admin;

public static class ListSigningKeys
{
    public static RouteHandlerBuilder MapListSigningKeys(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/signing-keys", HandleAsync)
            .WithName(nameof(ListSigningKeys))
            .WithSummary("The published signing keys and their state (pending, active, retired)");

    public static async Task<Ok<IReadOnlyList<SigningKeyState>>> HandleAsync(SigningKeyRing ring, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ring.ListAsync(cancellationToken));
}
