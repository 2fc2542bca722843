using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Stampede.Catalog.Categories;

public static class CategoryStore
{
    public static Task<bool> ExistsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid id, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM categories WHERE id = @id)", new { id }, transaction, cancellationToken: cancellationToken));

    public static Task<bool> SlugTakenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string slug, Guid exceptId,
        CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM categories WHERE slug = @slug AND id <> @exceptId)", new { slug, exceptId }, transaction,
            cancellationToken: cancellationToken));

    public static ProblemHttpResult SlugConflict(string slug) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "The slug is taken.",
            detail: $"Another category already uses the slug '{slug}'.",
            extensions: new Dictionary<string, object?> { ["field"] = "slug" });
}
