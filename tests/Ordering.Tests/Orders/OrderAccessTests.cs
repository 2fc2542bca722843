using System.Net;
using System.Net.Http.Json;
using Stampede.Ordering.Orders;
using Stampede.Ordering.Tests.Infrastructure;
using Stampede.ServiceDefaults.Auth;

namespace Stampede.Ordering.Tests.Orders;

public sealed class OrderAccessTests(OrderingApp app) : IClassFixture<OrderingApp>
{
    [Fact]
    public async Task A_customer_cannot_read_or_cancel_another_customers_order()
    {
        using var alice = app.NewCustomer();
        using var bob = app.NewCustomer();
        var order = await app.PlaceSimpleAsync(alice);

        (await bob.GetAsync($"/orders/{order.OrderId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await bob.PostAsync($"/orders/{order.OrderId}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await bob.GetFromJsonAsync<OrderPage>("/orders"))!.Items.ShouldBeEmpty();
        (await app.OrderAsync(order.OrderId)).Status.ShouldBe("AwaitingStock");
    }

    [Fact]
    public async Task A_customer_lists_their_own_orders_newest_first_in_pages()
    {
        using var client = app.NewCustomer();
        var placed = new List<PlacedOrder>();
        for (var i = 0; i < 5; i++) placed.Add(await app.PlaceSimpleAsync(client));

        var firstPage = (await client.GetFromJsonAsync<OrderPage>("/orders?pageSize=2"))!;
        var lastPage = (await client.GetFromJsonAsync<OrderPage>("/orders?page=3&pageSize=2"))!;

        firstPage.Total.ShouldBe(5);
        firstPage.Items.Select(item => item.OrderId).ShouldBe([placed[4].OrderId, placed[3].OrderId]);
        lastPage.Items.Select(item => item.OrderId).ShouldBe([placed[0].OrderId]);
    }

    [Fact]
    public async Task Paging_outside_its_bounds_is_refused()
    {
        using var client = app.NewCustomer();
        using var response = await client.GetAsync("/orders?page=0&pageSize=500");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Json.ErrorFieldsAsync(response)).ShouldBe(["page", "pageSize"], ignoreOrder: true);
    }

    [Fact]
    public async Task An_unknown_order_is_not_found()
    {
        using var client = app.NewCustomer();
        (await client.GetAsync($"/orders/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.PostAsync($"/orders/{Guid.NewGuid()}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_customer_cannot_call_admin_endpoints()
    {
        using var client = app.NewCustomer();
        var order = await app.PlaceSimpleAsync(client);

        using var list = await client.GetAsync("/admin/orders");
        using var read = await client.GetAsync($"/admin/orders/{order.OrderId}");

        list.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        read.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Anonymous_callers_get_401_on_orders_and_admin_endpoints()
    {
        using var client = app.Anonymous();
        (await client.GetAsync("/orders")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.GetAsync("/admin/orders")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_admin_reads_any_order_and_filters_all_orders_by_status()
    {
        using var customer = app.NewCustomer();
        var order = await app.PlaceSimpleAsync(customer);
        using var admin = app.ClientFor(Guid.NewGuid(), Roles.Admin);

        var details = (await admin.GetFromJsonAsync<OrderDetails>($"/admin/orders/{order.OrderId}"))!;
        var awaitingStock = (await admin.GetFromJsonAsync<OrderPage>("/admin/orders?status=AwaitingStock&pageSize=100"))!;
        var paid = (await admin.GetFromJsonAsync<OrderPage>("/admin/orders?status=Paid"))!;

        details.OrderId.ShouldBe(order.OrderId);
        awaitingStock.Items.ShouldContain(item => item.OrderId == order.OrderId);
        awaitingStock.Items.ShouldAllBe(item => item.Status == "AwaitingStock");
        paid.Items.ShouldNotContain(item => item.OrderId == order.OrderId);
    }

    [Theory]
    [InlineData("Shipped")]
    [InlineData("3")]
    public async Task An_admin_filter_by_an_unknown_status_is_refused(string status)
    {
        using var admin = app.Admin();
        using var response = await admin.GetAsync($"/admin/orders?status={status}");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Json.ErrorFieldsAsync(response)).ShouldBe(["status"]);
    }

    [Fact]
    public async Task Payment_reads_an_order_through_the_internal_endpoint_without_a_token()
    {
        var userId = Guid.NewGuid();
        using var customer = app.ClientFor(userId);
        var order = await app.PlaceSimpleAsync(customer, price: 4_500, quantity: 2);
        using var service = app.Anonymous();

        var payable = (await service.GetFromJsonAsync<PayableOrder>($"/internal/orders/{order.OrderId}"))!;

        payable.ShouldBe(new PayableOrder(order.OrderId, userId, "AwaitingStock", 9_000, "KRW"));
        (await service.GetAsync($"/internal/orders/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_public_and_internal_endpoints()
    {
        using var client = app.Anonymous();
        var document = await client.GetStringAsync("/openapi/v1.json");
        foreach (var path in new[] { "/cart", "/cart/items/{skuId}", "/orders", "/orders/{id}", "/orders/{id}/cancel", "/admin/orders", "/internal/orders/{id}" })
            document.ShouldContain($"\"{path}\"");
    }
}
