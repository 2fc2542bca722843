using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Stampede.Contracts.Inventory;
using Stampede.Messaging;

namespace Stampede.Catalog.Tests.Infrastructure;

/// <summary>Plays inventory on the broker: a host of the messaging building block that publishes
/// StockAvailabilityChanged to the test's exchange the way inventory does.</summary>
public sealed class InventoryPublisher : IAsyncDisposable
{
    private readonly IHost host;

    private InventoryPublisher(IHost host) => this.host = host;

    public static async Task<InventoryPublisher> StartAsync(string brokerUri, string exchange)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:RabbitMQ"] = brokerUri,
            ["Messaging:Exchange"] = exchange,
        });
        builder.AddMessaging("inventory-t" + Guid.NewGuid().ToString("N")[..8]).Publishes<StockAvailabilityChanged>();
        var host = builder.Build();
        await host.StartAsync();
        return new InventoryPublisher(host);
    }

    public Task PublishAsync(StockAvailabilityChanged @event) =>
        host.Services.GetRequiredService<IEventPublisher>().PublishAsync(@event, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
