using Bogus;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Stampede.Catalog.Products;
using Stampede.Catalog.Validation;
using Stampede.Messaging;

namespace Stampede.Catalog.DemoData;

/// <summary>How much demo catalog to make; the same seed always makes the same catalog.</summary>
public sealed record DemoDataRequest(int? Products, int? Seed);

/// <summary>The demo catalog's SKUs, for the launcher to give them stock in inventory.</summary>
public sealed record DemoDataResult(bool Created, int Products, IReadOnlyList<Guid> SkuIds);

/// <summary>Admin: fills an empty catalog with a demo category tree and active products with
/// options and SKUs (Bogus). Does nothing when any product exists, so <c>./stampede up</c> can
/// call it on every start; either way it answers the catalog's SKU ids.</summary>
public static class SeedDemoData
{
    public const int MaxProducts = 500;
    private const long SeedLock = 0x4341_5444_454D_4F; // "CATDEMO"

    private static readonly (string Name, string Slug, string[] Children)[] Tree =
    [
        ("Fashion", "fashion", ["Shoes", "Clothing", "Bags"]),
        ("Electronics", "electronics", ["Phones", "Audio", "Computers"]),
        ("Home", "home", ["Kitchen", "Furniture"]),
        ("Sports", "sports", ["Running", "Outdoor"]),
    ];

    private static readonly string[] Colors = ["Black", "White", "Red", "Blue", "Green", "Grey", "Navy", "Beige"];

    public static async Task<Results<Created<DemoDataResult>, Ok<DemoDataResult>, ValidationProblem>> HandleAsync(
        DemoDataRequest request, NpgsqlDataSource dataSource, IOutbox outbox, TimeProvider time, CancellationToken cancellationToken)
    {
        var count = request.Products ?? 50;
        if (count is < 1 or > MaxProducts) return FieldErrors.Single("products", $"products must be from 1 to {MaxProducts}.");
        var faker = new Faker("en") { Random = new Randomizer(request.Seed ?? 42) };

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Two launchers starting at once must not seed twice.
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@SeedLock)", new { SeedLock }, transaction,
            cancellationToken: cancellationToken));
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM products)", transaction: transaction,
                cancellationToken: cancellationToken)))
        {
            var existing = (await connection.QueryAsync<Guid>(new CommandDefinition(
                "SELECT s.id FROM skus s JOIN products p ON p.id = s.product_id ORDER BY p.created_at, s.product_id, s.position",
                transaction: transaction, cancellationToken: cancellationToken))).ToList();
            var products = await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT count(*)::int FROM products",
                transaction: transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            return TypedResults.Ok(new DemoDataResult(false, products, existing));
        }

        var now = time.GetUtcNow();
        var leaves = await EnsureCategoriesAsync(connection, transaction, now, cancellationToken);
        var skuIds = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var product = MakeProduct(faker, leaves, i);
            await ProductStore.InsertAsync(connection, transaction, product, now.AddSeconds(-count + i), cancellationToken);
            await ProductChanges.RecordAsync(connection, transaction, outbox, product.Id, now, cancellationToken);
            skuIds.AddRange(product.Skus.Select(s => s.Id));
        }
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created("/products", new DemoDataResult(true, count, skuIds));
    }

    /// <summary>The demo tree, reusing categories whose slug already exists; returns the leaves by name.</summary>
    private static async Task<IReadOnlyList<(Guid Id, string Name)>> EnsureCategoriesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken)
    {
        async Task<Guid> EnsureAsync(string name, string slug, Guid? parentId)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO categories (id, parent_id, name, slug, created_at, updated_at) VALUES (@id, @parentId, @name, @slug, @now, @now)
                ON CONFLICT (slug) DO NOTHING
                """, new { id = Guid.CreateVersion7(), parentId, name, slug, now }, transaction, cancellationToken: cancellationToken));
            return await connection.ExecuteScalarAsync<Guid>(new CommandDefinition(
                "SELECT id FROM categories WHERE slug = @slug", new { slug }, transaction, cancellationToken: cancellationToken));
        }

        var leaves = new List<(Guid, string)>();
        foreach (var (name, slug, children) in Tree)
        {
            var parentId = await EnsureAsync(name, slug, null);
            foreach (var child in children)
                leaves.Add((await EnsureAsync(child, $"{slug}-{child.ToLowerInvariant()}", parentId), child));
        }
        return leaves;
    }

    private static NewProduct MakeProduct(Faker faker, IReadOnlyList<(Guid Id, string Name)> leaves, int index)
    {
        var (categoryId, category) = faker.PickRandom(leaves.AsEnumerable());
        var options = new List<ProductOption>();
        options.Add(new ProductOption("color", faker.PickRandom(Colors, faker.Random.Int(1, 3)).ToList()));
        if (category is "Shoes" or "Running")
            options.Add(new ProductOption("size", faker.PickRandom(new[] { "240", "250", "260", "270", "280" }, faker.Random.Int(1, 3)).Order().ToList()));
        else if (category is "Clothing" or "Outdoor")
            options.Add(new ProductOption("size", faker.PickRandom(new[] { "S", "M", "L", "XL" }, faker.Random.Int(1, 3)).ToList()));
        var price = faker.Random.Long(50, 3_000) * 100;

        var skus = ProductRules.Combinations(options).Select(values => new NewSku(Guid.CreateVersion7(), values, price, SkuStatus.Active)).ToList();

        var imageCount = faker.Random.Int(1, 3);
        var images = Enumerable.Range(0, imageCount).Select(n => $"https://picsum.photos/seed/stampede-{index}-{n}/600/600").ToList();
        return new NewProduct(
            Guid.CreateVersion7(), faker.Commerce.ProductName(), faker.Commerce.ProductDescription(), categoryId, ProductStatus.Active,
            images, faker.Random.Long(0, 10_000), options, skus);
    }
}
