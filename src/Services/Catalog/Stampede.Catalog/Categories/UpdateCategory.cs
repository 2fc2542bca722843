using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Catalog.Validation;

namespace Stampede.Catalog.Categories;

/// <summary>An admin renames or moves a category (with its subtree). A category cannot move under
/// itself or one of its descendants.</summary>
public static class UpdateCategory
{
    public static async Task<Results<Ok<CategoryView>, NotFound, ValidationProblem, ProblemHttpResult>> HandleAsync(
        Guid id, CategoryRequest request, NpgsqlDataSource dataSource, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var (name, slug) = CategoryRules.Validate(request, id, errors);
        if (!errors.IsEmpty) return errors.ToProblem();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = CategoryRules.TreeLock },
            transaction, cancellationToken: cancellationToken));
        if (!await CategoryStore.ExistsAsync(connection, transaction, id, cancellationToken)) return TypedResults.NotFound();
        if (request.ParentId is { } parentId)
        {
            if (!await CategoryStore.ExistsAsync(connection, transaction, parentId, cancellationToken))
                return FieldErrors.Single("parentId", "No category has this id.");
            var inSubtree = await connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
                WITH RECURSIVE subtree AS (
                    SELECT id FROM categories WHERE id = @id
                    UNION ALL
                    SELECT c.id FROM categories c JOIN subtree s ON c.parent_id = s.id
                )
                SELECT EXISTS (SELECT 1 FROM subtree WHERE id = @parentId)
                """, new { id, parentId }, transaction, cancellationToken: cancellationToken));
            if (inSubtree) return FieldErrors.Single("parentId", "A category cannot move under itself or one of its sub-categories.");
        }
        if (await CategoryStore.SlugTakenAsync(connection, transaction, slug, id, cancellationToken))
            return CategoryStore.SlugConflict(slug);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE categories SET parent_id = @parentId, name = @name, slug = @slug, updated_at = @now WHERE id = @id
            """, new { id, parentId = request.ParentId, name, slug, now = time.GetUtcNow() }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new CategoryView(id, request.ParentId, name, slug));
    }
}
