using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Identity.Validation;

namespace Stampede.Identity.Tokens;

public sealed record RevokeTokensRequest(string? RefreshToken);

/// <summary>Logout: revokes the refresh token's whole family. Access tokens already issued stay
/// valid until they expire (at most the access token lifetime).</summary>
public static class RevokeTokens
{
    public static RouteHandlerBuilder MapRevokeTokens(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/tokens/revoke", HandleAsync)
            .AllowAnonymous()
            .WithName(nameof(RevokeTokens))
            .WithSummary("Log out: revoke a refresh token and every token of its session")
            .WithDescription("Answers 204 for any token, known or not, so it can be retried safely.");

    public static async Task<Results<NoContent, ValidationProblem>> HandleAsync(
        RevokeTokensRequest request, NpgsqlDataSource database, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.RefreshToken)) return FieldErrors.Single("refreshToken", "The refresh token is required.");
        if (request.RefreshToken.Length > RefreshTokens.MaxTokenLength) return TypedResults.NoContent();

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE refresh_token_families SET revoked_at = @now
            WHERE id = (SELECT family_id FROM refresh_tokens WHERE token_hash = @tokenHash) AND revoked_at IS NULL
            """, new { now = time.GetUtcNow(), tokenHash = TokenIssuer.HashRefreshToken(request.RefreshToken) },
            cancellationToken: cancellationToken));
        return TypedResults.NoContent();
    }
}
