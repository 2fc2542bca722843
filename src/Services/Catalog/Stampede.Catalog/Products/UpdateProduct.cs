using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Catalog.Caching;
using Stampede.Catalog.Validation;
using Stampede.Messaging;

namespace Stampede.Catalog.Products;

/// <summary>An admin replaces a product's content. <see cref="Status"/> and <see cref="Popularity"/>
/// keep their values when omitted; SKUs change through their own endpoint.</summary>
public sealed record UpdateProductRequest(
    string? Name,
    string? Description,
    Guid? CategoryId,
    string? Status,
    IReadOnlyList<string?>? ImageUrls,
    long? Popularity);

public static class UpdateProduct
{
    public static async Task<Results<Ok<ProductDetail>, NotFound, ValidationProblem>> HandleAsync(
        Guid id, UpdateProductRequest request, NpgsqlDataSource dataSource, IOutbox outbox, ProductDetailCache cache,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        errors.Add("name", TextRules.Required(request.Name, "name", ProductRules.MaxNameLength, out var name));
        errors.Add("description", TextRules.OptionalMultiLine(request.Description, "description", ProductRules.MaxDescriptionLength, out var description));
        if (request.CategoryId is null || request.CategoryId == Guid.Empty) errors.Add("categoryId", "The category is required.");
        string? status = null;
        if (request.Status is not null) errors.Add("status", ProductRules.Status(request.Status, out status));
        errors.Add("popularity", ProductRules.Popularity(request.Popularity));
        var imageUrls = ProductRules.ImageUrls(errors, request.ImageUrls);
        if (!errors.IsEmpty) return errors.ToProblem();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await ProductStore.CategoryExistsAsync(connection, request.CategoryId!.Value, transaction, cancellationToken))
            return FieldErrors.Single("categoryId", "No category has this id.");
        var updated = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE products
            SET name = @name, description = @description, category_id = @categoryId, image_urls = @imageUrls,
                status = COALESCE(@status, status), popularity = COALESCE(@popularity, popularity)
            WHERE id = @id
            """,
            new { id, name, description, categoryId = request.CategoryId, imageUrls = imageUrls.ToArray(), status, popularity = request.Popularity },
            transaction, cancellationToken: cancellationToken));
        if (updated == 0) return TypedResults.NotFound();
        var version = await ProductChanges.RecordAsync(connection, transaction, outbox, id, time.GetUtcNow(), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await cache.TryInvalidateAsync(id, version!.Value);

        var (detail, _) = (await ProductStore.LoadDetailAsync(connection, id, cancellationToken))!.Value;
        return TypedResults.Ok(detail);
    }
}
