using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Stampede.Ordering.Tests.Infrastructure;

namespace Stampede.Ordering.Tests.Pricing;

/// <summary>Ordering told of two catalog instances, the first of which has stopped.</summary>
public sealed class OneCatalogInstanceStoppedApp : OrderingApp
{
    private Uri stopped = null!;

    protected override IEnumerable<(string Key, string Value)> MoreSettings() =>
        [("Services:catalog", $"{stopped},{Catalog.Address}")];

    public override async ValueTask InitializeAsync()
    {
        await using (var gone = await CatalogDouble.StartNewAsync()) stopped = gone.Address;
        await base.InitializeAsync();
    }
}

/// <summary>Ordering whose breaker on catalog opens after two failed attempts and stays open a minute.</summary>
public sealed class QuickCatalogBreakerApp : OrderingApp
{
    protected override IEnumerable<(string Key, string Value)> MoreSettings() =>
    [
        ("InternalCalls:catalog:BreakerMinimumThroughput", "2"),
        ("InternalCalls:catalog:BreakDuration", "00:01:00"),
        ("InternalCalls:catalog:RetryDelay", "00:00:00"),
    ];
}

public sealed class OneCatalogInstanceStoppedTests(OneCatalogInstanceStoppedApp app) : IClassFixture<OneCatalogInstanceStoppedApp>
{
    [Fact]
    public async Task Orders_and_carts_are_priced_by_the_instance_that_is_up()
    {
        using var client = app.NewCustomer();
        var sku = app.Catalog.AddSku(12_000);

        for (var i = 0; i < 4; i++) await OrderingApp.PlaceAsync(client, (sku, 1));
        using var cart = await client.PutAsJsonAsync($"/cart/items/{sku}", new { quantity = 2 });

        cart.StatusCode.ShouldBe(HttpStatusCode.OK, await cart.Content.ReadAsStringAsync());
        app.Catalog.Requests.ShouldBeGreaterThanOrEqualTo(5);
    }
}

public sealed class CatalogBreakerTests(QuickCatalogBreakerApp app) : IClassFixture<QuickCatalogBreakerApp>
{
    [Fact]
    public async Task While_the_breaker_is_open_ordering_answers_the_same_503_without_asking_catalog()
    {
        var sku = app.Catalog.AddSku(5_000);
        var userId = Guid.NewGuid();
        using var client = app.ClientFor(userId);
        var body = new { lines = new[] { new { skuId = sku, quantity = 1 } } };

        app.Catalog.Down = true;
        using var whileDown = await OrderingApp.PostOrderAsync(client, body, "breaker-1");
        app.Catalog.Down = false;
        var asked = app.Catalog.Requests;
        using var whileOpen = await OrderingApp.PostOrderAsync(client, body, "breaker-2");

        whileDown.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        whileOpen.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        whileOpen.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var (down, open) = (await whileDown.Content.ReadFromJsonAsync<JsonElement>(), await whileOpen.Content.ReadFromJsonAsync<JsonElement>());
        open.GetProperty("title").GetString().ShouldBe("Catalog unavailable");
        open.GetProperty("title").GetString().ShouldBe(down.GetProperty("title").GetString());
        open.GetProperty("detail").GetString().ShouldBe(down.GetProperty("detail").GetString());
        app.Catalog.Requests.ShouldBe(asked, "an open breaker sends nothing");
        (await app.ScalarAsync<long>("SELECT count(*) FROM orders WHERE user_id = @userId", new { userId })).ShouldBe(0);
    }
}
