using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Catalog.Validation;
using Stampede.Messaging;

namespace Stampede.Catalog.Products;

/// <summary>An admin creates a product with its options and SKUs: either listed one by one, or
/// generated (one per combination of option values) at a single <see cref="Price"/>.</summary>
public sealed record CreateProductRequest(
    string? Name,
    string? Description,
    Guid? CategoryId,
    string? Status,
    IReadOnlyList<string?>? ImageUrls,
    long? Popularity,
    IReadOnlyList<OptionInput?>? Options,
    IReadOnlyList<SkuInput?>? Skus,
    long? Price);

public static class CreateProduct
{
    public static async Task<Results<Created<ProductDetail>, ValidationProblem>> HandleAsync(
        CreateProductRequest request, NpgsqlDataSource dataSource, IOutbox outbox, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (Validate(request, errors) is not { } product || !errors.IsEmpty) return errors.ToProblem();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await ProductStore.CategoryExistsAsync(connection, product.CategoryId, transaction, cancellationToken))
            return FieldErrors.Single("categoryId", "No category has this id.");
        await ProductStore.InsertAsync(connection, transaction, product, time.GetUtcNow(), cancellationToken);
        await ProductChanges.RecordAsync(connection, transaction, outbox, product.Id, time.GetUtcNow(), cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var (detail, _) = (await ProductStore.LoadDetailAsync(connection, product.Id, cancellationToken))!.Value;
        return TypedResults.Created($"/products/{product.Id}", detail);
    }

    /// <summary>The product the request describes, with every problem recorded in <paramref name="errors"/>.</summary>
    public static NewProduct? Validate(CreateProductRequest request, FieldErrors errors)
    {
        errors.Add("name", TextRules.Required(request.Name, "name", ProductRules.MaxNameLength, out var name));
        errors.Add("description", TextRules.OptionalMultiLine(request.Description, "description", ProductRules.MaxDescriptionLength, out var description));
        if (request.CategoryId is null || request.CategoryId == Guid.Empty) errors.Add("categoryId", "The category is required.");
        var status = ProductStatus.Draft;
        if (request.Status is not null) errors.Add("status", ProductRules.Status(request.Status, out status));
        errors.Add("popularity", ProductRules.Popularity(request.Popularity));
        var imageUrls = ProductRules.ImageUrls(errors, request.ImageUrls);
        var options = ProductRules.Options(errors, request.Options);
        var skus = ProductRules.Skus(errors, options, request.Skus, request.Price);
        return errors.IsEmpty
            ? new NewProduct(Guid.CreateVersion7(), name, description, request.CategoryId!.Value, status, imageUrls,
                request.Popularity ?? 0, options, skus)
            : null;
    }
}
