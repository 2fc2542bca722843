using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Identity.Users;
using Stampede.Identity.Validation;

namespace Stampede.Identity.Tokens;

public sealed record RefreshTokensRequest(string? RefreshToken);

/// <summary>Trades a refresh token for a new pair. Each refresh token works once: presenting a
/// spent one means it was copied, so the whole family (the session) is revoked.</summary>
public static class RefreshTokens
{
    public const int MaxTokenLength = 128;

    public static RouteHandlerBuilder MapRefreshTokens(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/tokens/refresh", HandleAsync)
            .AllowAnonymous()
            .WithName(nameof(RefreshTokens))
            .WithSummary("Exchange a refresh token for a new token pair")
            .WithDescription("The presented refresh token is spent. Presenting a spent token revokes its whole family (401), including the newest token issued from it; of two concurrent refreshes with one token, one wins and the other counts as reuse.")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

    public static async Task<Results<Ok<TokenPair>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        RefreshTokensRequest request, NpgsqlDataSource database, TokenIssuer tokens, TimeProvider time,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.RefreshToken)) return FieldErrors.Single("refreshToken", "The refresh token is required.");
        if (request.RefreshToken.Length > MaxTokenLength) return Refused("The refresh token is invalid.");

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // FOR UPDATE makes a concurrent refresh with the same token wait here and then see it spent.
        var token = await connection.QuerySingleOrDefaultAsync<PresentedToken>(new CommandDefinition("""
            SELECT t.token_hash, t.family_id, f.user_id, t.expires_at, t.used_at, f.revoked_at
            FROM refresh_tokens t JOIN refresh_token_families f ON f.id = t.family_id
            WHERE t.token_hash = @tokenHash
            FOR UPDATE OF t
            """, new { tokenHash = TokenIssuer.HashRefreshToken(request.RefreshToken) }, transaction, cancellationToken: cancellationToken));
        var now = time.GetUtcNow();
        if (token is null) return Refused("The refresh token is invalid.");
        if (token.RevokedAt is not null) return Refused("The refresh token has been revoked.");
        if (token.UsedAt is not null)
        {
            await RevokeFamilyAsync(transaction, token.FamilyId, now, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            loggers.CreateLogger(typeof(RefreshTokens).FullName!).LogWarning("Refresh token reuse for user {UserId}; revoked token family {FamilyId}", token.UserId, token.FamilyId);
            return Refused("The refresh token was already used; the session has been revoked. Log in again.");
        }
        if (token.ExpiresAt <= now) return Refused("The refresh token has expired.");

        var user = await UserAccount.FindByIdAsync(connection, token.UserId, transaction, cancellationToken);
        if (user is null) return Refused("The refresh token is invalid.");
        await connection.ExecuteAsync(new CommandDefinition("UPDATE refresh_tokens SET used_at = @now WHERE token_hash = @tokenHash",
            new { now, tokenHash = token.TokenHash }, transaction, cancellationToken: cancellationToken));
        var pair = await tokens.IssueAsync(transaction, user, token.FamilyId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(pair);
    }

    private static Task RevokeFamilyAsync(NpgsqlTransaction transaction, Guid familyId, DateTimeOffset now, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "UPDATE refresh_token_families SET revoked_at = @now WHERE id = @familyId AND revoked_at IS NULL",
            new { familyId, now }, transaction, cancellationToken: cancellationToken));

    private static ProblemHttpResult Refused(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail);

    private sealed record PresentedToken(byte[] TokenHash, Guid FamilyId, Guid UserId, DateTimeOffset ExpiresAt, DateTimeOffset? UsedAt, DateTimeOffset? RevokedAt);
}
