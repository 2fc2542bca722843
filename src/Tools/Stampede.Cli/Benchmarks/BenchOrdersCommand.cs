using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Stampede.Cli.Api;
using Stampede.Cli.Demo;
using Stampede.Cli.Services;

namespace Stampede.Cli.Benchmarks;

/// <summary>`bench orders`: closed-loop customers place and pay orders through the gateway; reports
/// orders/s, latency from placement to Paid, and where that time goes.</summary>
public static class BenchOrdersCommand
{
    private const string Password = "Bench-Shopper-Password-2026";
    private const long BenchStock = 1_000_000;

    public static Command Create()
    {
        var concurrency = new Option<int>("--concurrency") { Description = "Customers ordering at once, each one order after another.", DefaultValueFactory = _ => 16 };
        var duration = new Option<string>("--duration") { Description = "How long to keep placing orders (e.g. 30s, 2m).", DefaultValueFactory = _ => "30s" };
        var skus = new Option<int>("--skus") { Description = "How many SKUs the orders spread over.", DefaultValueFactory = _ => 20 };
        var warmup = new Option<string>("--warmup")
        {
            Description = "Unmeasured ordering first, so JIT and connection pools are warm (0 to skip).",
            DefaultValueFactory = _ => "5s",
        };
        var poll = new Option<int>("--poll-ms") { Description = "Milliseconds between polls of an order.", DefaultValueFactory = _ => 50 };
        var command = new Command("orders", "Closed-loop customers place and pay orders; prints orders/s, p50/p95/p99 from placement to Paid, and the time per step.")
        {
            concurrency, duration, warmup, skus, poll,
        };
        command.SetAction(async (ParseResult result, CancellationToken _) => await RunAsync(
            Math.Max(1, result.GetValue(concurrency)),
            Measuring.ParseDuration(result.GetValue(duration)!),
            result.GetValue(warmup) is "0" ? TimeSpan.Zero : Measuring.ParseDuration(result.GetValue(warmup)!),
            Math.Clamp(result.GetValue(skus), 1, 100),
            TimeSpan.FromMilliseconds(Math.Max(1, result.GetValue(poll))),
            CliHost.TerminationToken));
        return command;
    }

    private static async Task<int> RunAsync(int concurrency, TimeSpan duration, TimeSpan warmup, int skuCount, TimeSpan pollInterval, CancellationToken ct)
    {
        using var http = StampedeApi.CreateHttpClient(ServiceCatalog.Gateway.Url);
        var setupStatistics = new ApiStatistics();
        var admin = new StampedeApi(http, setupStatistics);
        await GatewayCheck.EnsureUpAsync(admin, ct);
        await admin.LoginAsync(ServiceCatalog.AdminEmail, ServiceCatalog.AdminPassword, ct);

        var runId = Guid.NewGuid().ToString("N")[..6];
        AnsiConsole.WriteLine($"Bench run {runId}: {concurrency} customers for {duration.TotalSeconds:0} s, polling every {pollInterval.TotalMilliseconds:0} ms; " +
            $"machine: {Environment.ProcessorCount} cores.");

        var skus = await Measuring.TimedAsync($"Picking {skuCount} SKUs and setting their stock to {BenchStock:N0}", () => PrepareSkusAsync(admin, skuCount, ct));
        var customers = await Measuring.TimedAsync($"Registering and verifying {concurrency} customers", () => RegisterCustomersAsync(admin, concurrency, runId, ct));

        if (warmup > TimeSpan.Zero)
        {
            var warmupStatistics = new ApiStatistics();
            var warmupSamples = new ConcurrentBag<OrderSample>();
            var warmupClock = Stopwatch.StartNew();
            await Measuring.TimedAsync($"Warming up for {warmup.TotalSeconds:0} s (not measured)", async () =>
            {
                await Task.WhenAll(customers.Select((c, n) => CustomerLoopAsync(c.WithStatistics(warmupStatistics), n + concurrency, skus, warmupClock,
                    warmup, pollInterval, warmupSamples, new ConcurrentDictionary<string, int>(), ct)));
                return warmupSamples.Count(s => s.Succeeded);
            });
        }

        // The run's own counters, so setup traffic does not blur the rates.
        var statistics = new ApiStatistics();
        var samples = new ConcurrentBag<OrderSample>();
        var failures = new ConcurrentDictionary<string, int>();
        var clock = Stopwatch.StartNew();
        var deadline = clock.Elapsed + duration;
        var workers = customers.Select((c, n) => Task.Run(() => CustomerLoopAsync(
            c.WithStatistics(statistics), n, skus, clock, deadline, pollInterval, samples, failures, ct), ct)).ToList();
        string Progress()
        {
            var done = samples.Count(s => s.Succeeded);
            return $"Ordering... {clock.Elapsed.TotalSeconds:0} s, {done} paid, {samples.Count - done} failed, " +
                $"{statistics.RateLimitedPerIp + statistics.RateLimitedPerUser} rate-limited requests";
        }

        if (Terminal.Busy.IsInteractive)
        {
            await AnsiConsole.Status().StartAsync("Ordering...", async status =>
            {
                while (!Task.WhenAll(workers).IsCompleted)
                {
                    await Task.WhenAny(Task.WhenAll(workers), Task.Delay(1000, ct));
                    status.Status(Progress());
                }
            });
        }
        else
        {
            // Logs and pipes: a line every 5 s instead of a live display.
            while (!Task.WhenAll(workers).IsCompleted)
            {
                await Task.WhenAny(Task.WhenAll(workers), Task.Delay(5000, ct));
                AnsiConsole.WriteLine(Progress());
            }
        }

        await Task.WhenAll(workers);
        var elapsed = clock.Elapsed;

        Print(samples.ToList(), failures, statistics, elapsed, concurrency, duration);
        return samples.Any(s => s.Succeeded) ? 0 : 1;
    }

    /// <summary>One customer: place, wait for the payment URL, approve at the PG, come back, wait for Paid; again until the deadline.</summary>
    private static async Task CustomerLoopAsync(
        StampedeApi api, int customer, IReadOnlyList<Guid> skus, Stopwatch clock, TimeSpan deadline, TimeSpan pollInterval,
        ConcurrentBag<OrderSample> samples, ConcurrentDictionary<string, int> failures, CancellationToken ct)
    {
        var random = new Random(customer);
        while (clock.Elapsed < deadline && !ct.IsCancellationRequested)
        {
            var steps = new double[5];
            var step = 0;
            var started = clock.Elapsed;
            var mark = started;
            void Lap()
            {
                var now = clock.Elapsed;
                steps[step++] = (now - mark).TotalMilliseconds;
                mark = now;
            }

            try
            {
                var order = await api.PlaceOrderAsync(Guid.NewGuid().ToString(), [new OrderLine(skus[random.Next(skus.Count)], 1)], ct);
                Lap();
                var awaiting = await OrderWaits.PaymentUrlAsync(api, order.OrderId, pollInterval, OrderWaits.DefaultTimeout, ct);
                Lap();
                var redirect = await api.ApproveAtPgAsync(awaiting.PaymentUrl!, ct);
                Lap();
                await api.ReturnFromPgAsync(redirect, ct);
                Lap();
                await OrderWaits.StatusAsync(api, order.OrderId, "Paid", pollInterval, OrderWaits.DefaultTimeout, ct);
                Lap();
                samples.Add(new OrderSample(true, false, (clock.Elapsed - started).TotalMilliseconds, steps));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var timedOut = ex is OrderStuckException { TimedOut: true };
                samples.Add(new OrderSample(false, timedOut, (clock.Elapsed - started).TotalMilliseconds, steps));
                failures.AddOrUpdate($"{StepNames[step]}: {Shorten(ex.Message)}", 1, (_, n) => n + 1);
                await Task.Delay(200, ct);
            }
        }
    }

    private static readonly string[] StepNames = ["place order", "wait for payment URL", "approve at PG", "return / confirm", "wait for Paid"];

    private static async Task<IReadOnlyList<Guid>> PrepareSkusAsync(StampedeApi admin, int count, CancellationToken ct)
    {
        var page = await admin.BrowseAsync($"sort=newest&pageSize={Math.Min(100, count * 2)}", ct);
        var skus = new List<Guid>();
        foreach (var product in page.Items)
        {
            var detail = await admin.GetProductAsync(product.Id, ct);
            if (detail.Skus.FirstOrDefault(s => s.Status == "active") is { } sku) skus.Add(sku.Id);
            if (skus.Count == count) break;
        }

        if (skus.Count == 0) throw new UserFacingException("The catalog has no active SKU; `./stampede up` seeds a demo catalog into an empty system.");
        await admin.SetStockAsync([.. skus.Select(id => new StockTarget(id, BenchStock))], "bench", ct);
        return skus;
    }

    private static async Task<IReadOnlyList<StampedeApi>> RegisterCustomersAsync(StampedeApi admin, int count, string runId, CancellationToken ct)
    {
        var customers = new StampedeApi[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
            async (n, token) =>
            {
                var customer = admin.Fork();
                await DemoSeed.EnsureCustomerAsync(admin, customer, $"bench-{n + 1}-{runId}@stampede.local", Password, $"Bench Customer {n + 1}", token);
                customers[n] = customer;
            });
        return customers;
    }

    private static void Print(
        IReadOnlyList<OrderSample> samples, IReadOnlyDictionary<string, int> failures, ApiStatistics statistics, TimeSpan elapsed,
        int concurrency, TimeSpan duration)
    {
        var paid = samples.Where(s => s.Succeeded).ToList();
        var latencies = paid.Select(s => s.TotalMs).Order().ToArray();
        var timeouts = samples.Count(s => s.TimedOut);
        var failed = samples.Count(s => !s.Succeeded) - timeouts;

        var summary = new Table().Border(TableBorder.Rounded).AddColumns("orders, placement → Paid", "value");
        summary.AddRow("paid", paid.Count.ToString("N0"));
        summary.AddRow("failed", failed.ToString("N0"));
        summary.AddRow("timed out (30 s per wait)", timeouts.ToString("N0"));
        summary.AddRow("orders/s completed", (paid.Count / elapsed.TotalSeconds).ToString("N1"));
        summary.AddRow("p50 ms", Measuring.Percentile(latencies, 0.50));
        summary.AddRow("p95 ms", Measuring.Percentile(latencies, 0.95));
        summary.AddRow("p99 ms", Measuring.Percentile(latencies, 0.99));
        summary.AddRow("max ms", latencies.Length == 0 ? "-" : latencies[^1].ToString("N0"));
        summary.AddRow("wall time s", elapsed.TotalSeconds.ToString("N1"));
        summary.AddRow("requests (gateway + PG)", $"{statistics.Requests:N0} ({statistics.Requests / elapsed.TotalSeconds:N0}/s)");
        summary.AddRow("429 per IP / per user", $"{statistics.RateLimitedPerIp:N0} / {statistics.RateLimitedPerUser:N0}");
        AnsiConsole.Write(summary);

        var breakdown = new Table().Border(TableBorder.Rounded).AddColumns("step (paid orders)").AddColumn(new TableColumn("avg ms").RightAligned())
            .AddColumn(new TableColumn("p95 ms").RightAligned()).AddColumn(new TableColumn("share").RightAligned());
        var totalAverage = paid.Count == 0 ? 0 : paid.Average(s => s.TotalMs);
        for (var i = 0; i < StepNames.Length; i++)
        {
            var values = paid.Select(s => s.StepMs[i]).Order().ToArray();
            var average = values.Length == 0 ? 0 : values.Average();
            breakdown.AddRow(StepNames[i], average.ToString("N1"), Measuring.Percentile(values, 0.95),
                totalAverage == 0 ? "-" : (average / totalAverage).ToString("P0", CultureInfo.InvariantCulture));
        }

        breakdown.AddRow("[bold]total[/]", totalAverage.ToString("N1"), Measuring.Percentile(latencies, 0.95), "");
        AnsiConsole.Write(breakdown);

        foreach (var (reason, count) in failures.OrderByDescending(f => f.Value).Take(10))
        {
            AnsiConsole.MarkupLine($"[yellow]{count} × {Markup.Escape(reason)}[/]");
        }

        AnsiConsole.WriteLine($"Settings: {concurrency} customers, {duration.TotalSeconds:0} s of new orders (orders in flight at the end were finished).");
        if (statistics.RateLimitedPerIp > 0)
        {
            AnsiConsole.MarkupLine("[yellow]The gateway's per-IP rate limit refused requests: every bench customer shares one address, so this run " +
                "measured that limit as much as the system. Raise it for benches, e.g. Gateway__RateLimits__PerIp__Permits=100000 in the gateway's environment.[/]");
        }
    }

    private static string Shorten(string message) => message.Length > 160 ? message[..160] + "..." : message;

    private sealed record OrderSample(bool Succeeded, bool TimedOut, double TotalMs, double[] StepMs);
}
