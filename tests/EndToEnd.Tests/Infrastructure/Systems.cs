using Stampede.Cli.Audit;

namespace Stampede.EndToEnd.Tests.Infrastructure;

/// <summary>The system most tests share: a payment deadline long enough never to interfere.</summary>
public sealed class SteadySystem : SystemFixture
{
    protected override int PortOffset => 1000;

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Overrides => new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["ordering"] = new Dictionary<string, string> { ["Ordering__PaymentDeadline"] = "00:05:00" },
    };
}

/// <summary>Orders expire after a few seconds, and payment does not void the PG session on expiry, so a
/// buyer can still pay late (the money must then go back).</summary>
public sealed class ShortDeadlineSystem : SystemFixture
{
    public static readonly TimeSpan PaymentDeadline = TimeSpan.FromSeconds(8);

    protected override int PortOffset => 1050;

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Overrides => new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["ordering"] = new Dictionary<string, string> { ["Ordering__PaymentDeadline"] = PaymentDeadline.ToString("c") },
        ["payment"] = new Dictionary<string, string> { ["Payment__VoidAtPg"] = "false" },
    };
}

/// <summary>Starts a <see cref="RunningSystem"/> for a test collection and logs in its seeded admin.</summary>
public abstract class SystemFixture : IAsyncLifetime
{
    private RunningSystem? system;
    private Shop? shop;

    protected abstract int PortOffset { get; }

    protected abstract IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Overrides { get; }

    /// <summary>Instances per service; one each unless a system says otherwise.</summary>
    protected virtual Stampede.Cli.Services.Replicas Replicas => Stampede.Cli.Services.Replicas.One;

    public RunningSystem System => system ?? throw new InvalidOperationException("The system has not started.");

    public Shop Shop => shop ?? throw new InvalidOperationException("The system has not started.");

    public async ValueTask InitializeAsync()
    {
        system = await RunningSystem.StartAsync(PortOffset, Overrides, Replicas);
        shop = await Shop.OpenAsync(system);
    }

    /// <summary>The audit every test collection ends with: after all its sagas, stock, money and
    /// orders still agree. A finding fails the run.</summary>
    public async ValueTask DisposeAsync()
    {
        shop?.Dispose();
        AuditReport? report = null;
        if (system is not null)
        {
            try
            {
                report = await AuditWhenSettledAsync(system);
            }
            finally
            {
                await system.DisposeAsync();
            }
        }

        GC.SuppressFinalize(this);
        if (report is { IsClean: false })
        {
            throw new InvalidOperationException($"The audit after the {GetType().Name} tests found:\n" +
                string.Join("\n", report.Findings.Select(f => $"  {f.Check} {f.Id}: {f.Detail}")));
        }
    }

    // Sagas of the last tests may still be travelling: ask again for a while before calling a finding real.
    private static async Task<AuditReport> AuditWhenSettledAsync(RunningSystem system)
    {
        var until = DateTime.UtcNow + Shop.SagaTimeout;
        while (true)
        {
            var report = await system.AuditAsync(TimeSpan.FromSeconds(20));
            if (report.IsClean || DateTime.UtcNow > until) return report;
            await Task.Delay(1000);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SteadySystemCollection : ICollectionFixture<SteadySystem>
{
    public const string Name = "steady system";
}

[CollectionDefinition(Name)]
public sealed class ShortDeadlineSystemCollection : ICollectionFixture<ShortDeadlineSystem>
{
    public const string Name = "short-deadline system";
}

/// <summary>Two instances each of ordering, inventory and payment (ports +10 for the second), on a port offset
/// of its own: the shared systems run one instance of everything.</summary>
public sealed class ReplicatedSystem : SystemFixture
{
    public static readonly string[] Replicated = ["ordering", "inventory", "payment"];

    protected override int PortOffset => 1200;

    protected override Stampede.Cli.Services.Replicas Replicas => new(Replicated.ToDictionary(name => name, _ => 2));

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Overrides => new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["ordering"] = new Dictionary<string, string> { ["Ordering__PaymentDeadline"] = "00:05:00" },
    };
}

[CollectionDefinition(Name)]
public sealed class ReplicatedSystemCollection : ICollectionFixture<ReplicatedSystem>
{
    public const string Name = "replicated system";
}
