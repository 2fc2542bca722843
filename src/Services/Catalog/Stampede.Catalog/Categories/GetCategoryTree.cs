using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Stampede.Catalog.Categories;

/// <summary>The whole category tree: root categories with their sub-categories nested, by name.</summary>
public static class GetCategoryTree
{
    public static async Task<Ok<IReadOnlyList<CategoryNode>>> HandleAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<CategoryView>(new CommandDefinition(
            "SELECT id, parent_id, name, slug FROM categories ORDER BY name, id", cancellationToken: cancellationToken))).ToList();
        var childrenOf = rows.ToLookup(r => r.ParentId);
        CategoryNode Build(CategoryView row) => new(row.Id, row.ParentId, row.Name, row.Slug, [.. childrenOf[row.Id].Select(Build)]);
        return TypedResults.Ok<IReadOnlyList<CategoryNode>>([.. childrenOf[null].Select(Build)]);
    }
}
