using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Stampede.Contracts.Inventory;
using Stampede.Contracts.Ordering;
using Stampede.Inventory.Stock;
using Stampede.Inventory.Tests.Support;
using Stampede.ServiceDefaults.Auth;
using Stampede.Testing;

namespace Stampede.Inventory.Tests.Stock;

/// <summary>Admins set and adjust stock with a reason and read the ledger; nobody else can.</summary>
public sealed class AdminStockTests(InventoryApp app) : IClassFixture<InventoryApp>
{
    private readonly Guid adminId = Guid.CreateVersion7();

    private HttpClient Admin() => app.As(adminId, Roles.Admin);

    [Fact]
    public async Task Setting_stock_records_the_change_with_its_reason_and_admin_and_announces_availability()
    {
        var sku = Guid.CreateVersion7();
        using var admin = Admin();

        var first = await admin.PutAsJsonAsync($"/admin/stock/{sku}", new { onHand = 12, reason = "  opening count  " });
        var second = await admin.PutAsJsonAsync($"/admin/stock/{sku}", new { onHand = 9, reason = "recount after audit" });

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await second.Content.ReadFromJsonAsync<StockView>()).ShouldBe(new StockView(sku, 9, 0, 9, 2));
        var stock = await admin.GetFromJsonAsync<JsonElement>($"/stock/{sku}");
        stock.GetProperty("skuId").GetGuid().ShouldBe(sku);
        stock.GetProperty("onHand").GetInt64().ShouldBe(9);
        stock.GetProperty("reserved").GetInt64().ShouldBe(0);
        stock.GetProperty("available").GetInt64().ShouldBe(9);
        (await app.Database.LedgerAsync(sku)).ShouldBe([
            new LedgerFact(sku, 12, 0, "set", "opening count", null, adminId),
            new LedgerFact(sku, -3, 0, "set", "recount after audit", null, adminId),
        ]);
        var announced = await app.Bus.WaitForAsync<StockAvailabilityChanged>(e => e.SkuId == sku, count: 2);
        announced.Select(e => (e.Available, e.Version)).Order().ShouldBe([(9L, 2L), (12L, 1L)]);
    }

    [Fact]
    public async Task Adjusting_stock_adds_and_removes_units_with_a_reason()
    {
        var sku = Guid.CreateVersion7();
        using var admin = Admin();

        (await admin.PostAsJsonAsync($"/admin/stock/{sku}/adjustments", new { delta = 20, reason = "delivery 4711" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var response = await admin.PostAsJsonAsync($"/admin/stock/{sku}/adjustments", new { delta = -2, reason = "damaged in the warehouse" });

        (await response.Content.ReadFromJsonAsync<StockView>()).ShouldBe(new StockView(sku, 18, 0, 18, 2));
        (await app.Database.LedgerAsync(sku)).Select(row => (row.Reason, row.DeltaOnHand, row.Note))
            .ShouldBe([("adjust", 20L, "delivery 4711"), ("adjust", -2L, "damaged in the warehouse")]);
        await app.Database.ShouldBeConservedAsync();
    }

    [Fact]
    public async Task Stock_cannot_be_set_or_adjusted_below_what_is_reserved()
    {
        var sku = Guid.CreateVersion7();
        await app.SeedAsync(sku, 10);
        var order = Orders.Placed((sku, 6));
        await app.Bus.PublishAsync(order);
        await app.Bus.WaitForAsync<StockReserved>(e => e.OrderId == order.OrderId);
        using var admin = Admin();

        var set = await admin.PutAsJsonAsync($"/admin/stock/{sku}", new { onHand = 5, reason = "recount" });
        var adjust = await admin.PostAsJsonAsync($"/admin/stock/{sku}/adjustments", new { delta = -5, reason = "lost" });
        var bulk = await admin.PostAsJsonAsync("/admin/stock/bulk", new
        {
            items = new object[] { new { skuId = Guid.CreateVersion7(), onHand = 3 }, new { skuId = sku, onHand = 1 } },
            reason = "full count",
        });

        foreach (var refused in new[] { set, adjust, bulk })
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
            (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain("6 unit(s) reserved");
        }

        (await app.Database.LevelAsync(sku)).ShouldBe(new StockLevel(sku, 10, 6, 2));
        var allowed = await admin.PutAsJsonAsync($"/admin/stock/{sku}", new { onHand = 6, reason = "recount" });
        (await allowed.Content.ReadFromJsonAsync<StockView>())!.Available.ShouldBe(0);
        await app.Database.ShouldBeConservedAsync();
    }

    [Fact]
    public async Task Bulk_seeding_sets_every_listed_sku_in_one_go()
    {
        var skus = Enumerable.Range(0, 5).Select(_ => Guid.CreateVersion7()).ToList();
        using var admin = Admin();

        var response = await admin.PostAsJsonAsync("/admin/stock/bulk", new
        {
            items = skus.Select((sku, i) => new { skuId = sku, onHand = 10 * (i + 1) }),
            reason = "demo seed",
        });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.Content.ReadFromJsonAsync<SeedStockResponse>();
        body!.Items.Select(item => (item.SkuId, item.OnHand)).ShouldBe(skus.Select((sku, i) => (sku, 10L * (i + 1))));
        using var anonymous = app.Anonymous();
        var availability = await anonymous.GetFromJsonAsync<List<SkuAvailability>>($"/internal/availability?skuIds={string.Join(',', skus)}");
        availability!.Select(a => a.Available).ShouldBe([10L, 20L, 30L, 40L, 50L]);
        await app.Database.ShouldBeConservedAsync();
    }

    [Fact]
    public async Task The_ledger_pages_newest_first()
    {
        var sku = Guid.CreateVersion7();
        using var admin = Admin();
        for (var i = 1; i <= 5; i++)
            (await admin.PutAsJsonAsync($"/admin/stock/{sku}", new { onHand = i, reason = $"count {i}" })).EnsureSuccessStatusCode();

        var page = await admin.GetFromJsonAsync<LedgerPage>($"/admin/stock/{sku}/ledger?page=2&pageSize=2");

        page!.Total.ShouldBe(5);
        page.Page.ShouldBe(2);
        page.PageSize.ShouldBe(2);
        page.Items.Select(row => row.Note).ShouldBe(["count 3", "count 2"]);
        page.Items.ShouldAllBe(row => row.Reason == "set" && row.DeltaOnHand == 1 && row.Actor == adminId && row.SkuId == sku);
        (await admin.GetFromJsonAsync<LedgerPage>($"/admin/stock/{sku}/ledger"))!.Items.Count.ShouldBe(5);
    }

    [Fact]
    public async Task An_unknown_sku_has_no_stock_to_show_and_nothing_available()
    {
        var sku = Guid.CreateVersion7();
        using var admin = Admin();
        using var anonymous = app.Anonymous();

        (await admin.GetAsync($"/stock/{sku}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await admin.GetAsync($"/admin/stock/{sku}/ledger")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await anonymous.GetFromJsonAsync<List<SkuAvailability>>($"/internal/availability?skuIds={sku}")).ShouldBe([new SkuAvailability(sku, 0)]);
    }

    public static TheoryData<string, string, string?> AdminEndpoints => new()
    {
        { "PUT", "/admin/stock/{sku}", """{"onHand":1,"reason":"x"}""" },
        { "POST", "/admin/stock/{sku}/adjustments", """{"delta":1,"reason":"x"}""" },
        { "POST", "/admin/stock/bulk", """{"items":[{"skuId":"{sku}","onHand":1}],"reason":"x"}""" },
        { "GET", "/stock/{sku}", null },
        { "GET", "/admin/stock/{sku}/ledger", null },
    };

    [Theory]
    [MemberData(nameof(AdminEndpoints))]
    public async Task Stock_endpoints_refuse_callers_without_an_admin_token(string method, string path, string? body)
    {
        var sku = Guid.CreateVersion7();
        HttpRequestMessage Request(string? token)
        {
            var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{sku}", sku.ToString()));
            if (body is not null) request.Content = new StringContent(body.Replace("{sku}", sku.ToString()), Encoding.UTF8, "application/json");
            if (token is not null) request.Headers.Authorization = new("Bearer", token);
            return request;
        }

        using var client = app.Anonymous();
        var anonymous = await client.SendAsync(Request(null));
        var stranger = await client.SendAsync(Request(TokenForge.SignedByStranger(Guid.CreateVersion7(), Roles.Admin)));
        var unsigned = await client.SendAsync(Request(TokenForge.Unsigned(Guid.CreateVersion7())));
        var customer = await client.SendAsync(Request(app.Keys.TokenFor(Guid.CreateVersion7(), Roles.Customer)));

        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        stranger.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        unsigned.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        customer.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await customer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32().ShouldBe(403);
        (await app.Database.LevelAsync(sku)).ShouldBeNull();
    }

    public static TheoryData<string, string, string?, string> BadInputs => new()
    {
        { "PUT", "/admin/stock/not-a-guid", """{"onHand":1,"reason":"x"}""", "skuId" },
        { "PUT", "/admin/stock/{sku}", """{"onHand":-1,"reason":"x"}""", "onHand" },
        { "PUT", "/admin/stock/{sku}", """{"reason":"x"}""", "onHand" },
        { "PUT", "/admin/stock/{sku}", """{"onHand":1000000001,"reason":"x"}""", "onHand" },
        { "PUT", "/admin/stock/{sku}", """{"onHand":1}""", "reason" },
        { "PUT", "/admin/stock/{sku}", """{"onHand":1,"reason":"   "}""", "reason" },
        { "PUT", "/admin/stock/{sku}", $$"""{"onHand":1,"reason":"{{new string('x', 201)}}"}""", "reason" },
        { "PUT", "/admin/stock/{sku}", """{"onHand":1,"reason":"bad\u0007bell"}""", "reason" },
        { "POST", "/admin/stock/{sku}/adjustments", """{"delta":0,"reason":"x"}""", "delta" },
        { "POST", "/admin/stock/{sku}/adjustments", """{"reason":"x"}""", "delta" },
        { "POST", "/admin/stock/{sku}/adjustments", """{"delta":5}""", "reason" },
        { "POST", "/admin/stock/bulk", """{"items":[],"reason":"x"}""", "items" },
        { "POST", "/admin/stock/bulk", """{"items":[{"skuId":"{sku}","onHand":1},{"skuId":"{sku}","onHand":2}],"reason":"x"}""", "items[1].skuId" },
        { "POST", "/admin/stock/bulk", """{"items":[{"skuId":"{sku}","onHand":-4}],"reason":"x"}""", "items[0].onHand" },
        { "POST", "/admin/stock/bulk", """{"items":[{"onHand":4}],"reason":"x"}""", "items[0].skuId" },
        { "GET", "/stock/nope", null, "skuId" },
        { "GET", "/admin/stock/{sku}/ledger?page=0", null, "page" },
        { "GET", "/admin/stock/{sku}/ledger?pageSize=1000", null, "pageSize" },
        { "GET", "/admin/stock/{sku}/ledger?page=abc", null, "page" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_is_a_400_naming_the_field_and_changes_nothing(string method, string path, string? body, string field)
    {
        var sku = Guid.CreateVersion7();
        await app.SeedAsync(sku, 3);
        using var admin = Admin();
        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{sku}", sku.ToString()));
        if (body is not null) request.Content = new StringContent(body.Replace("{sku}", sku.ToString()), Encoding.UTF8, "application/json");

        var response = await admin.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        (await app.Database.LevelAsync(sku)).ShouldBe(new StockLevel(sku, 3, 0, 1));
        (await app.Database.LedgerAsync(sku)).Count.ShouldBe(1);
    }

    public static TheoryData<string, string, string> MalformedBodies => new()
    {
        { "PUT", "/admin/stock/{sku}", """{"onHand":"ten","reason":"x"}""" },
        { "POST", "/admin/stock/{sku}/adjustments", """{"delta":1.5,"reason":"x"}""" },
        { "POST", "/admin/stock/bulk", """{"items":[{"skuId":"not-a-guid","onHand":1}],"reason":"x"}""" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task A_value_of_the_wrong_type_is_a_400_naming_the_field(string method, string path, string body)
    {
        var sku = Guid.CreateVersion7();
        using var admin = Admin();

        var response = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path.Replace("{sku}", sku.ToString()))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("field").GetString().ShouldNotBeNullOrEmpty(problem.ToString());
        problem.ToString().ShouldNotContain("Exception");
        (await app.Database.LevelAsync(sku)).ShouldBeNull();
    }

    [Fact]
    public async Task The_openapi_document_describes_every_inventory_endpoint()
    {
        using var anonymous = app.Anonymous();

        var paths = (await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json")).GetProperty("paths");

        foreach (var path in new[] { "/admin/stock/{skuId}", "/admin/stock/{skuId}/adjustments", "/admin/stock/bulk", "/stock/{skuId}",
                     "/admin/stock/{skuId}/ledger", "/internal/availability" })
            paths.TryGetProperty(path, out _).ShouldBeTrue(path);
    }

    [Fact]
    public async Task Internal_availability_needs_no_token_but_valid_sku_ids()
    {
        var sku = Guid.CreateVersion7();
        await app.SeedAsync(sku, 7);
        using var anonymous = app.Anonymous();

        (await anonymous.GetFromJsonAsync<List<SkuAvailability>>($"/internal/availability?skuIds={sku}&skuIds={sku}"))
            .ShouldBe([new SkuAvailability(sku, 7)]);
        foreach (var query in new[] { "", "?skuIds=", $"?skuIds={sku},banana", $"?skuIds={Guid.Empty}" })
        {
            var response = await anonymous.GetAsync("/internal/availability" + query);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, query);
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("skuIds", out _).ShouldBeTrue(query);
        }
    }
}
