using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Catalog.Validation;

namespace Stampede.Catalog.Categories;

/// <summary>An admin adds a category, at the root or under a parent.</summary>
public static class CreateCategory
{
    public static async Task<Results<Created<CategoryView>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        CategoryRequest request, NpgsqlDataSource dataSource, TimeProvider time, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        var errors = new FieldErrors();
        var (name, slug) = CategoryRules.Validate(request, id, errors);
        if (!errors.IsEmpty) return errors.ToProblem();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = CategoryRules.TreeLock },
            transaction, cancellationToken: cancellationToken));
        if (request.ParentId is { } parentId && !await CategoryStore.ExistsAsync(connection, transaction, parentId, cancellationToken))
            return FieldErrors.Single("parentId", "No category has this id.");
        if (await CategoryStore.SlugTakenAsync(connection, transaction, slug, id, cancellationToken))
            return CategoryStore.SlugConflict(slug);
        var now = time.GetUtcNow();
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO categories (id, parent_id, name, slug, created_at, updated_at) VALUES (@id, @parentId, @name, @slug, @now, @now)
            """, new { id, parentId = request.ParentId, name, slug, now }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/categories/{id}", new CategoryView(id, request.ParentId, name, slug));
    }
}
