using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Stampede.Ordering.Carts;
using Stampede.Ordering.Tests.Infrastructure;

namespace Stampede.Ordering.Tests.Carts;

public sealed class CartTests(OrderingApp app) : IClassFixture<OrderingApp>
{
    [Fact]
    public async Task A_new_cart_is_empty()
    {
        using var client = app.NewCustomer();
        var cart = (await client.GetFromJsonAsync<CartView>("/cart"))!;
        cart.Items.ShouldBeEmpty();
        cart.Total.ShouldBe(0);
    }

    [Fact]
    public async Task Adding_changing_and_removing_lines_is_reflected_with_catalog_prices()
    {
        var shirt = app.Catalog.AddSku(12_000, productName: "Shirt", optionsLabel: "Red / L");
        var socks = app.Catalog.AddSku(3_000, productName: "Socks", optionsLabel: "One size");
        using var client = app.NewCustomer();

        (await client.PutAsJsonAsync($"/cart/items/{shirt}", new { quantity = 1 })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.PutAsJsonAsync($"/cart/items/{socks}", new { quantity = 2, unitPrice = 1 })).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var changed = await client.PutAsJsonAsync($"/cart/items/{shirt}", new { quantity = 3 });
        var afterChange = (await changed.Content.ReadFromJsonAsync<CartView>())!;

        afterChange.Items.ShouldBe(
        [
            new CartItemView(shirt, 3, 12_000, 36_000, "Shirt", "Red / L", true),
            new CartItemView(socks, 2, 3_000, 6_000, "Socks", "One size", true),
        ]);
        afterChange.Total.ShouldBe(42_000);

        (await client.DeleteAsync($"/cart/items/{shirt}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var afterRemove = (await client.GetFromJsonAsync<CartView>("/cart"))!;
        afterRemove.Items.Select(item => item.SkuId).ShouldBe([socks]);
        afterRemove.Total.ShouldBe(6_000);

        (await client.DeleteAsync("/cart")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await client.GetFromJsonAsync<CartView>("/cart"))!.Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task Each_user_has_their_own_cart()
    {
        var sku = app.Catalog.AddSku(1_000);
        using var alice = app.NewCustomer();
        using var bob = app.NewCustomer();
        (await alice.PutAsJsonAsync($"/cart/items/{sku}", new { quantity = 1 })).EnsureSuccessStatusCode();
        (await bob.GetFromJsonAsync<CartView>("/cart"))!.Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_cart_expires_thirty_days_after_its_last_change()
    {
        var sku = app.Catalog.AddSku(1_000);
        var userId = Guid.NewGuid();
        using var client = app.ClientFor(userId);
        (await client.PutAsJsonAsync($"/cart/items/{sku}", new { quantity = 1 })).EnsureSuccessStatusCode();

        var redis = app.Factory.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        await redis.KeyExpireAsync(CartStore.Key(userId), TimeSpan.FromDays(1));
        (await client.PutAsJsonAsync($"/cart/items/{sku}", new { quantity = 2 })).EnsureSuccessStatusCode();

        var ttl = await redis.KeyTimeToLiveAsync(CartStore.Key(userId));
        ttl!.Value.ShouldBeInRange(TimeSpan.FromDays(30) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(30));
    }

    [Fact]
    public async Task An_order_from_the_cart_takes_off_only_what_it_bought()
    {
        var (shirt, socks, hat) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var userId = Guid.NewGuid();
        var carts = app.Factory.Services.GetRequiredService<CartStore>();
        await carts.SetAsync(userId, shirt, 2);
        await carts.SetAsync(userId, socks, 1);
        var ordered = await carts.GetAsync(userId);

        // While the order is being placed, the buyer adds a hat and raises the socks in another tab.
        await carts.SetAsync(userId, hat, 1);
        await carts.SetAsync(userId, socks, 3);
        await carts.RemoveOrderedAsync(userId, ordered);

        (await carts.GetAsync(userId)).OrderBy(line => line.SkuId).ShouldBe(
            new[] { new CartLine(hat, 1), new CartLine(socks, 2) }.OrderBy(line => line.SkuId));
    }

    [Fact]
    public async Task An_unknown_sku_is_not_found_naming_it()
    {
        using var client = app.NewCustomer();
        var unknown = Guid.NewGuid();
        using var response = await client.PutAsJsonAsync($"/cart/items/{unknown}", new { quantity = 1 });
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Json.ReadAsync(response)).GetProperty("skuId").GetGuid().ShouldBe(unknown);
        (await client.GetFromJsonAsync<CartView>("/cart"))!.Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_unsellable_sku_is_refused_naming_skuId()
    {
        var hidden = app.Catalog.AddSku(1_000, status: "hidden");
        using var client = app.NewCustomer();
        using var response = await client.PutAsJsonAsync($"/cart/items/{hidden}", new { quantity = 1 });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Json.ErrorFieldsAsync(response)).ShouldBe(["skuId"]);
    }

    [Theory]
    [InlineData("""{"quantity":0}""")]
    [InlineData("""{"quantity":100}""")]
    [InlineData("""{}""")]
    public async Task A_quantity_outside_1_to_99_is_refused(string body)
    {
        var sku = app.Catalog.AddSku(1_000);
        using var client = app.NewCustomer();
        using var response = await client.PutAsync($"/cart/items/{sku}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Json.ErrorFieldsAsync(response)).ShouldBe(["quantity"]);
    }

    [Fact]
    public async Task A_malformed_sku_id_is_refused_naming_skuId()
    {
        using var client = app.NewCustomer();
        using var response = await client.PutAsJsonAsync("/cart/items/not-a-guid", new { quantity = 1 });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Json.ErrorFieldsAsync(response)).ShouldBe(["skuId"]);
    }

    [Fact]
    public async Task A_cart_holds_at_most_fifty_lines_even_when_filled_concurrently()
    {
        var skus = Enumerable.Range(0, 60).Select(_ => app.Catalog.AddSku(100)).ToList();
        using var client = app.NewCustomer();

        var responses = await Task.WhenAll(skus.Select(sku => client.PutAsJsonAsync($"/cart/items/{sku}", new { quantity = 1 })));

        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(CartStore.MaxLines);
        responses.Where(r => r.StatusCode != HttpStatusCode.OK).ShouldAllBe(r => r.StatusCode == HttpStatusCode.BadRequest);
        (await client.GetFromJsonAsync<CartView>("/cart"))!.Items.Count.ShouldBe(CartStore.MaxLines);
        var changeExisting = await client.PutAsJsonAsync($"/cart/items/{(await client.GetFromJsonAsync<CartView>("/cart"))!.Items[0].SkuId}", new { quantity = 5 });
        changeExisting.StatusCode.ShouldBe(HttpStatusCode.OK);
        foreach (var response in responses) response.Dispose();
    }

    [Fact]
    public async Task A_line_whose_sku_left_the_catalog_shows_as_unsellable_and_out_of_the_total()
    {
        var sku = app.Catalog.AddSku(1_000);
        var userId = Guid.NewGuid();
        using var client = app.ClientFor(userId);
        (await client.PutAsJsonAsync($"/cart/items/{sku}", new { quantity = 1 })).EnsureSuccessStatusCode();
        var gone = Guid.NewGuid();
        await app.Factory.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase()
            .HashSetAsync(CartStore.Key(userId), gone.ToString(), 2);

        var cart = (await client.GetFromJsonAsync<CartView>("/cart"))!;

        cart.Items.Single(item => item.SkuId == gone).Sellable.ShouldBeFalse();
        cart.Total.ShouldBe(1_000);
    }

    [Fact]
    public async Task With_redis_unreachable_the_cart_and_ordering_from_it_answer_503()
    {
        await using var withoutRedis = app.Factory.WithWebHostBuilder(web => web.UseSetting("ConnectionStrings:Redis", "127.0.0.1:1"));
        using var client = withoutRedis.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", app.Keys.TokenFor(Guid.NewGuid()));

        using var cart = await client.GetAsync("/cart");
        using var order = await OrderingApp.PostOrderAsync(client, new { fromCart = true }, "no-redis");

        cart.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        order.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        order.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task The_cart_needs_a_token()
    {
        using var client = app.Anonymous();
        (await client.GetAsync("/cart")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
