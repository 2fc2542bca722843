using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using Stampede.Cli.Api;
using Stampede.Cli.Demo;
using Stampede.Cli.Services;

namespace Stampede.Cli.Commands;

/// <summary>`demo`: the demo customer browses, buys and pays, then cancels a paid order and is refunded.</summary>
public static class DemoCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public static Command Create()
    {
        var command = new Command("demo",
            "Walk the demo customer through browse, cart, order, payment and a cancellation with refund, against the running system.");
        command.SetAction(async (ParseResult _, CancellationToken _) => await RunAsync(CliHost.TerminationToken));
        return command;
    }

    private static async Task<int> RunAsync(CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        using var http = StampedeApi.CreateHttpClient(ServiceCatalog.Gateway.Url);
        var admin = new StampedeApi(http, new ApiStatistics());
        await GatewayCheck.EnsureUpAsync(admin, ct);
        var customer = admin.Fork();

        await Step("Log in as the admin (to read stock)", () => admin.LoginAsync(ServiceCatalog.AdminEmail, ServiceCatalog.AdminPassword, ct));
        var account = await Step($"Log in as the demo customer {DemoSeed.CustomerEmail}", () => DemoSeed.EnsureCustomerAsync(
            admin, customer, DemoSeed.CustomerEmail, DemoSeed.CustomerPassword, DemoSeed.CustomerName, ct));
        Note($"account {account}");

        var page = await Step("Browse the most popular products", () => customer.BrowseAsync("sort=popularity&pageSize=5", ct));
        var products = new Table().Border(TableBorder.Rounded).AddColumns("product", "price", "available", "popularity");
        foreach (var p in page.Items)
        {
            products.AddRow(Markup.Escape(p.Name), Money(p.MinPrice, p.MaxPrice, p.Currency), p.Available.ToString("N0"), p.Popularity.ToString("N0"));
        }

        AnsiConsole.Write(products);
        AnsiConsole.MarkupLine($"[grey]{page.Total:N0} products in the catalog.[/]");

        var (product, sku) = await Step("Open product details and pick an SKU in stock", () => PickSkuAsync(customer, page, ct));
        Note($"{product.Name} ({sku.OptionsLabel}) at {Money(sku.Price, sku.Price, product.Currency)}, {sku.Available} available");
        var before = await Step("Read its stock (admin)", () => admin.GetStockAsync(sku.Id, ct));
        Note(Stock(before));

        await Step("Add 2 to the cart", () => customer.SetCartItemAsync(sku.Id, 2, ct));
        var cart = await Step("Show the cart", () => customer.GetCartAsync(ct));
        var cartTable = new Table().Border(TableBorder.Rounded).AddColumns("item", "quantity", "unit price", "line total");
        foreach (var item in cart.Items)
        {
            cartTable.AddRow(Markup.Escape($"{item.ProductName} ({item.OptionsLabel})"), item.Quantity.ToString(),
                Money(item.UnitPrice, item.UnitPrice, cart.Currency), Money(item.LineTotal, item.LineTotal, cart.Currency));
        }

        cartTable.AddRow("[bold]total[/]", "", "", $"[bold]{Money(cart.Total, cart.Total, cart.Currency)}[/]");
        AnsiConsole.Write(cartTable);

        var first = await Step("Place the order from the cart", () => customer.PlaceOrderFromCartAsync(Guid.NewGuid().ToString(), ct));
        Note($"order {first.OrderNumber}: {first.Status}, total {Money(first.Total, first.Total, first.Currency)}");
        await PayAsync(customer, first, ct);
        var paid = await customer.GetOrderAsync(first.OrderId, ct);
        Note($"history: {string.Join(" → ", paid.History.Select(h => h.Status))}");
        // Inventory commits the reservation when it hears of the payment, a moment after the order is Paid.
        var afterPaid = await Step("Wait until inventory has committed the 2 units (admin)",
            () => StockSettledAsync(admin, sku.Id, before.OnHand - 2, before.Reserved, ct));
        StockTable(("before the order", before), ("after it was paid", afterPaid));

        AnsiConsole.WriteLine();
        AnsiConsole.MarkupLine("[bold]Now an order that is paid and then cancelled:[/]");
        var second = await Step("Place a second order (1 unit)", () => customer.PlaceOrderAsync(Guid.NewGuid().ToString(), [new OrderLine(sku.Id, 1)], ct));
        Note($"order {second.OrderNumber}: {second.Status}, total {Money(second.Total, second.Total, second.Currency)}");
        await PayAsync(customer, second, ct);
        var whilePaid = await Step("Wait until inventory has committed the unit (admin)",
            () => StockSettledAsync(admin, sku.Id, before.OnHand - 3, before.Reserved, ct));
        await Step("Cancel the paid order", () => customer.CancelOrderAsync(second.OrderId, ct));
        var cancelled = await Step("Wait until it is Cancelled (refund done)",
            () => OrderWaits.StatusAsync(customer, second.OrderId, "Cancelled", PollInterval, OrderWaits.DefaultTimeout, ct));
        Note($"history: {string.Join(" → ", cancelled.History.Select(h => h.Status))}");

        var payment = await Step("Read the payment ledger", () => customer.GetPaymentAsync(second.OrderId, ct));
        var ledger = new Table().Border(TableBorder.Rounded).AddColumns("entry", "amount", "at", "reason");
        foreach (var line in payment.Ledger)
        {
            ledger.AddRow(line.Kind, Money(line.Amount, line.Amount, payment.Currency), line.At.ToString("HH:mm:ss.fff"), Markup.Escape(line.Reason ?? ""));
        }

        AnsiConsole.Write(ledger);
        Note($"payment {payment.Status}: captured {payment.CapturedAmount:N0}, refunded {payment.RefundedAmount:N0} {payment.Currency}");
        if (payment.RefundedAmount != payment.CapturedAmount || payment.CapturedAmount == 0)
        {
            throw new UserFacingException($"The cancelled order's payment was not fully refunded (captured {payment.CapturedAmount}, refunded {payment.RefundedAmount}).");
        }

        var final = await Step("Wait until the cancelled unit is back in stock (admin)",
            () => StockSettledAsync(admin, sku.Id, before.OnHand - 2, before.Reserved, ct));
        StockTable(("before the first order", before), ("after the first order was paid", afterPaid), ("while the second was paid", whilePaid),
            ("after the second was cancelled", final));
        AnsiConsole.MarkupLine($"[green bold]Demo complete[/] in {total.Elapsed.TotalSeconds:0.0} s: order {first.OrderNumber} paid, " +
            $"order {second.OrderNumber} paid, cancelled and refunded; stock {before.OnHand} → {final.OnHand} on hand.");
        return 0;
    }

    /// <summary>Polls stock until it shows <paramref name="onHand"/> and <paramref name="reserved"/>; the demo
    /// assumes nobody else is buying this SKU meanwhile.</summary>
    private static async Task<StockView> StockSettledAsync(StampedeApi admin, Guid skuId, long onHand, long reserved, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var stock = await admin.GetStockAsync(skuId, ct);
            if (stock.OnHand == onHand && stock.Reserved == reserved) return stock;
            if (clock.Elapsed >= OrderWaits.DefaultTimeout)
            {
                throw new UserFacingException(
                    $"Stock still shows {Stock(stock)} after {OrderWaits.DefaultTimeout.TotalSeconds:0} s; expected on hand {onHand}, reserved {reserved}.");
            }

            await Task.Delay(PollInterval, ct);
        }
    }

    private static async Task PayAsync(StampedeApi customer, PlacedOrder order, CancellationToken ct)
    {
        var awaiting = await Step("Wait for stock reservation and the payment URL",
            () => OrderWaits.PaymentUrlAsync(customer, order.OrderId, PollInterval, OrderWaits.DefaultTimeout, ct));
        Note($"checkout page: {awaiting.PaymentUrl}");
        var redirect = await Step("Approve at the PG (playing the buyer)", () => customer.ApproveAtPgAsync(awaiting.PaymentUrl!, ct));
        var returned = await Step("Return to the shop (the PG's redirect, through the gateway)", () => customer.ReturnFromPgAsync(redirect, ct));
        Note($"payment {returned.Status}, {returned.Amount:N0}");
        await Step("Wait until the order is Paid",
            () => OrderWaits.StatusAsync(customer, order.OrderId, "Paid", PollInterval, OrderWaits.DefaultTimeout, ct));
    }

    private static async Task<(ProductDetail Product, SkuView Sku)> PickSkuAsync(StampedeApi customer, ProductPage page, CancellationToken ct)
    {
        foreach (var summary in page.Items.Where(p => p.Available >= 3))
        {
            var detail = await customer.GetProductAsync(summary.Id, ct);
            if (detail.Skus.FirstOrDefault(s => s.Status == "active" && s.Available >= 3) is { } sku) return (detail, sku);
        }

        var inStock = await customer.BrowseAsync("inStock=true&sort=newest&pageSize=20", ct);
        foreach (var summary in inStock.Items)
        {
            var detail = await customer.GetProductAsync(summary.Id, ct);
            if (detail.Skus.FirstOrDefault(s => s.Status == "active" && s.Available >= 3) is { } sku) return (detail, sku);
        }

        throw new UserFacingException("No product has an SKU with at least 3 units available; `./stampede up` seeds stock into an empty system.");
    }

    private static async Task Step(string title, Func<Task> action) =>
        await Step(title, async () =>
        {
            await action();
            return true;
        });

    /// <summary>Runs one step and prints it with its time; a failure names the step.</summary>
    private static async Task<T> Step<T>(string title, Func<Task<T>> action)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var result = await action();
            AnsiConsole.MarkupLine($"[green]✓[/] {Markup.Escape(title)} [grey]{clock.ElapsedMilliseconds,6} ms[/]");
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            AnsiConsole.MarkupLine($"[red]✗[/] {Markup.Escape(title)} [grey]{clock.ElapsedMilliseconds,6} ms[/]");
            throw new UserFacingException($"Step \"{title}\" failed: {ex.Message}");
        }
    }

    private static void Note(string text) => AnsiConsole.MarkupLine($"    [grey]{Markup.Escape(text)}[/]");

    private static string Stock(StockView s) => $"on hand {s.OnHand}, reserved {s.Reserved}, available {s.Available}";

    private static void StockTable(params (string When, StockView Stock)[] rows)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("stock", "on hand", "reserved", "available");
        foreach (var (when, stock) in rows)
        {
            table.AddRow(when, stock.OnHand.ToString("N0"), stock.Reserved.ToString("N0"), stock.Available.ToString("N0"));
        }

        AnsiConsole.Write(table);
    }

    private static string Money(long? min, long? max, string currency) =>
        min is null ? "-" : min == max ? $"{min:N0} {currency}" : $"{min:N0}-{max:N0} {currency}";
}
