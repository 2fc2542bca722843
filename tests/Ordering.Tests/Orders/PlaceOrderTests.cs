using System.Net;
using System.Net.Http.Json;
using Stampede.Contracts.Ordering;
using Stampede.Ordering.Orders;
using Stampede.Ordering.Tests.Infrastructure;

namespace Stampede.Ordering.Tests.Orders;

public sealed class PlaceOrderTests(OrderingApp app) : IClassFixture<OrderingApp>
{
    [Fact]
    public async Task Placing_an_order_from_lines_prices_it_with_catalog_and_publishes_OrderPlaced()
    {
        var shirt = app.Catalog.AddSku(12_000);
        var socks = app.Catalog.AddSku(3_500, productName: "Socks");
        var userId = Guid.NewGuid();
        using var client = app.ClientFor(userId);

        using var response = await OrderingApp.PostOrderAsync(client,
            new { lines = new[] { new { skuId = shirt, quantity = 2 }, new { skuId = socks, quantity = 3 } } }, "first-order");

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var placed = (await response.Content.ReadFromJsonAsync<PlacedOrder>())!;
        response.Headers.Location!.ToString().ShouldBe($"orders/{placed.OrderId}");
        placed.Status.ShouldBe("AwaitingStock");
        placed.Total.ShouldBe(2 * 12_000 + 3 * 3_500);
        placed.Currency.ShouldBe("KRW");
        placed.PaymentUrl.ShouldBeNull();
        placed.OrderNumber.ShouldMatch(@"^ORD-\d{8}-\d{6}$");

        var published = await app.Broker.WaitForAsync<OrderPlaced>(e => e.OrderId == placed.OrderId);
        published.UserId.ShouldBe(userId);
        published.Total.ShouldBe(placed.Total);
        published.Lines.ShouldBe([new OrderLine(shirt, 2, 12_000), new OrderLine(socks, 3, 3_500)], ignoreOrder: true);
        published.PaymentDeadline.ShouldBeInRange(DateTimeOffset.UtcNow.AddMinutes(14), DateTimeOffset.UtcNow.AddMinutes(16));

        var order = (await client.GetFromJsonAsync<OrderDetails>($"/orders/{placed.OrderId}"))!;
        order.Lines.Count.ShouldBe(2);
        order.Lines.Single(line => line.SkuId == socks).ProductName.ShouldBe("Socks");
        order.History.Select(change => change.Status).ShouldBe(["AwaitingStock"]);
    }

    [Fact]
    public async Task Prices_and_totals_sent_by_the_client_are_ignored()
    {
        var sku = app.Catalog.AddSku(50_000);
        using var client = app.NewCustomer();

        using var response = await OrderingApp.PostOrderAsync(client, new
        {
            lines = new[] { new { skuId = sku, quantity = 2, unitPrice = 1, price = 1, lineTotal = 2 } },
            total = 2,
            currency = "USD",
        }, Guid.NewGuid().ToString());

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var placed = (await response.Content.ReadFromJsonAsync<PlacedOrder>())!;
        placed.Total.ShouldBe(100_000);
        placed.Currency.ShouldBe("KRW");
        (await app.Broker.WaitForAsync<OrderPlaced>(e => e.OrderId == placed.OrderId)).Lines.Single().UnitPrice.ShouldBe(50_000);
    }

    [Fact]
    public async Task Placing_an_order_from_the_cart_orders_its_lines_and_empties_it()
    {
        var a = app.Catalog.AddSku(1_000);
        var b = app.Catalog.AddSku(2_000);
        using var client = app.NewCustomer();
        (await client.PutAsJsonAsync($"/cart/items/{a}", new { quantity = 4 })).EnsureSuccessStatusCode();
        (await client.PutAsJsonAsync($"/cart/items/{b}", new { quantity = 1 })).EnsureSuccessStatusCode();

        using var response = await OrderingApp.PostOrderAsync(client, new { fromCart = true }, "from-cart");

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var placed = (await response.Content.ReadFromJsonAsync<PlacedOrder>())!;
        placed.Total.ShouldBe(6_000);
        var published = await app.Broker.WaitForAsync<OrderPlaced>(e => e.OrderId == placed.OrderId);
        published.Lines.ShouldBe([new OrderLine(a, 4, 1_000), new OrderLine(b, 1, 2_000)], ignoreOrder: true);
        var cart = (await client.GetFromJsonAsync<Stampede.Ordering.Carts.CartView>("/cart"))!;
        cart.Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task Placing_from_an_empty_cart_is_refused()
    {
        using var client = app.NewCustomer();
        using var response = await OrderingApp.PostOrderAsync(client, new { fromCart = true }, "empty-cart");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Json.ErrorFieldsAsync(response)).ShouldBe(["fromCart"]);
    }

    [Fact]
    public async Task Duplicate_skus_in_a_request_are_merged_into_one_line()
    {
        var sku = app.Catalog.AddSku(1_000);
        using var client = app.NewCustomer();
        var placed = await OrderingApp.PlaceAsync(client, (sku, 2), (sku, 3));
        placed.Total.ShouldBe(5_000);
        (await app.Broker.WaitForAsync<OrderPlaced>(e => e.OrderId == placed.OrderId)).Lines.ShouldBe([new OrderLine(sku, 5, 1_000)]);
    }

    [Fact]
    public async Task Placing_an_order_twice_with_one_key_returns_the_first_order_and_publishes_once()
    {
        var sku = app.Catalog.AddSku(7_000);
        using var client = app.NewCustomer();
        var body = new { lines = new[] { new { skuId = sku, quantity = 1 } } };

        using var first = await OrderingApp.PostOrderAsync(client, body, "same-key");
        using var second = await OrderingApp.PostOrderAsync(client, body, "same-key");

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        var firstOrder = (await first.Content.ReadFromJsonAsync<PlacedOrder>())!;
        var secondOrder = (await second.Content.ReadFromJsonAsync<PlacedOrder>())!;
        secondOrder.OrderId.ShouldBe(firstOrder.OrderId);
        secondOrder.OrderNumber.ShouldBe(firstOrder.OrderNumber);
        second.Headers.Location!.ToString().ShouldBe($"orders/{firstOrder.OrderId}");

        await app.Broker.WaitForAsync<OrderPlaced>(e => e.OrderId == firstOrder.OrderId);
        (await app.ScalarAsync<long>("SELECT count(*) FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE l.sku_id = @sku", new { sku }))
            .ShouldBe(1);
        (await app.OutboxCountAsync("ordering.order-placed.v1", firstOrder.OrderId)).ShouldBe(1);
        await Task.Delay(300);
        app.Broker.Seen<OrderPlaced>(e => e.OrderId == firstOrder.OrderId).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Reusing_a_key_with_a_different_body_is_refused_with_422()
    {
        var sku = app.Catalog.AddSku(7_000);
        using var client = app.NewCustomer();
        using var first = await OrderingApp.PostOrderAsync(client, new { lines = new[] { new { skuId = sku, quantity = 1 } } }, "reused");
        using var second = await OrderingApp.PostOrderAsync(client, new { lines = new[] { new { skuId = sku, quantity = 2 } } }, "reused");

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        second.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        second.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await app.ScalarAsync<long>("SELECT count(*) FROM order_lines WHERE sku_id = @sku", new { sku })).ShouldBe(1);
    }

    [Fact]
    public async Task An_idempotency_key_belongs_to_one_user()
    {
        var sku = app.Catalog.AddSku(7_000);
        var body = new { lines = new[] { new { skuId = sku, quantity = 1 } } };
        using var alice = app.NewCustomer();
        using var bob = app.NewCustomer();

        using var first = await OrderingApp.PostOrderAsync(alice, body, "shared-key");
        using var second = await OrderingApp.PostOrderAsync(bob, body, "shared-key");

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        second.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await second.Content.ReadFromJsonAsync<PlacedOrder>())!.OrderId
            .ShouldNotBe((await first.Content.ReadFromJsonAsync<PlacedOrder>())!.OrderId);
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_create_one_order()
    {
        var sku = app.Catalog.AddSku(9_000);
        using var client = app.NewCustomer();
        var body = new { lines = new[] { new { skuId = sku, quantity = 1 } } };

        for (var round = 0; round < 5; round++)
        {
            var key = $"race-{round}";
            var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => OrderingApp.PostOrderAsync(client, body, key)));

            responses.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(1);
            responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(7);
            var ids = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<PlacedOrder>())!.OrderId));
            ids.Distinct().Count().ShouldBe(1);
            foreach (var response in responses) response.Dispose();
        }

        (await app.ScalarAsync<long>("SELECT count(*) FROM order_lines WHERE sku_id = @sku", new { sku })).ShouldBe(5);
    }

    [Fact]
    public async Task An_order_without_an_idempotency_key_is_refused_naming_the_header()
    {
        var sku = app.Catalog.AddSku(1_000);
        using var client = app.NewCustomer();
        var body = new { lines = new[] { new { skuId = sku, quantity = 1 } } };

        using var missing = await OrderingApp.PostOrderAsync(client, body, idempotencyKey: null);
        using var tooLong = await OrderingApp.PostOrderAsync(client, body, new string('k', 101));

        missing.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Json.ErrorFieldsAsync(missing)).ShouldBe(["Idempotency-Key"]);
        tooLong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Json.ErrorFieldsAsync(tooLong)).ShouldBe(["Idempotency-Key"]);
        (await app.ScalarAsync<long>("SELECT count(*) FROM order_lines WHERE sku_id = @sku", new { sku })).ShouldBe(0);
    }

    public static TheoryData<string, string> InvalidBodies() => new()
    {
        { """{}""", "lines" },
        { """{"lines":[]}""", "lines" },
        { """{"lines":[{"skuId":"7d3f8f7e-3c1b-4a8e-9a57-1f0b7f1b2c3d","quantity":0}]}""", "lines[0].quantity" },
        { """{"lines":[{"skuId":"7d3f8f7e-3c1b-4a8e-9a57-1f0b7f1b2c3d","quantity":100}]}""", "lines[0].quantity" },
        { """{"lines":[{"quantity":1}]}""", "lines[0].skuId" },
        { """{"lines":[null]}""", "lines[0]" },
        { """{"lines":[{"skuId":"7d3f8f7e-3c1b-4a8e-9a57-1f0b7f1b2c3d","quantity":1}],"fromCart":true}""", "fromCart" },
        { """{"lines":[{"skuId":"7d3f8f7e-3c1b-4a8e-9a57-1f0b7f1b2c3d","quantity":60},{"skuId":"7d3f8f7e-3c1b-4a8e-9a57-1f0b7f1b2c3d","quantity":60}]}""", "lines[1].quantity" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task An_invalid_order_is_refused_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        var userId = Guid.NewGuid();
        using var client = app.ClientFor(userId);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        using var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Json.ErrorFieldsAsync(response)).ShouldContain(field);
        (await app.ScalarAsync<long>("SELECT count(*) FROM orders WHERE user_id = @userId", new { userId })).ShouldBe(0);
    }

    [Fact]
    public async Task More_than_fifty_lines_are_refused()
    {
        using var client = app.NewCustomer();
        var lines = Enumerable.Range(0, 51).Select(_ => new { skuId = app.Catalog.AddSku(100), quantity = 1 }).ToArray();
        using var response = await OrderingApp.PostOrderAsync(client, new { lines }, Guid.NewGuid().ToString());
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Json.ErrorFieldsAsync(response)).ShouldBe(["lines"]);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_not_a_500()
    {
        using var client = app.NewCustomer();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Content = new StringContent("""{"lines":[{"skuId":"x","quantity":"many"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", "malformed");
        using var response = await client.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Unknown_and_unsellable_skus_are_refused_naming_their_lines()
    {
        var good = app.Catalog.AddSku(1_000);
        var hidden = app.Catalog.AddSku(1_000, status: "hidden");
        var userId = Guid.NewGuid();
        using var client = app.ClientFor(userId);

        using var response = await OrderingApp.PostOrderAsync(client, new
        {
            lines = new[] { new { skuId = good, quantity = 1 }, new { skuId = Guid.NewGuid(), quantity = 1 }, new { skuId = hidden, quantity = 1 } },
        }, Guid.NewGuid().ToString());

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Json.ErrorFieldsAsync(response)).ShouldBe(["lines[1].skuId", "lines[2].skuId"], ignoreOrder: true);
        (await app.ScalarAsync<long>("SELECT count(*) FROM orders WHERE user_id = @userId", new { userId })).ShouldBe(0);
    }

    [Fact]
    public async Task An_unauthenticated_order_is_refused()
    {
        using var client = app.Anonymous();
        using var response = await OrderingApp.PostOrderAsync(client, new { fromCart = true }, "anonymous");
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    // Catalog down while placing: refused with 503, nothing stored; the same key works once catalog is back.
    [Fact]
    public async Task Catalog_down_answers_503_and_stores_nothing()
    {
        var sku = app.Catalog.AddSku(1_000);
        var userId = Guid.NewGuid();
        using var client = app.ClientFor(userId);
        var body = new { lines = new[] { new { skuId = sku, quantity = 1 } } };

        app.Catalog.Down = true;
        using var refused = await OrderingApp.PostOrderAsync(client, body, "catalog-down");
        app.Catalog.Down = false;
        using var accepted = await OrderingApp.PostOrderAsync(client, body, "catalog-down");

        refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        accepted.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await app.ScalarAsync<long>("SELECT count(*) FROM orders WHERE user_id = @userId", new { userId })).ShouldBe(1);
    }
}
