using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Stampede.ServiceDefaults.Auth;
using Stampede.Testing;

namespace Stampede.Inventory.Tests.Support;

/// <summary>The inventory service in process, on a fresh database of its own, consuming from and
/// publishing to a RabbitMQ exchange of its own on the real broker, trusting a test signing key.</summary>
public class InventoryApp : IAsyncLifetime
{
    private readonly WebApplicationFactory<InventoryService> factory;

    public InventoryApp()
    {
        Exchange = $"inventory-tests.{Guid.NewGuid():N}";
        ConnectionString = TestServers.NewDatabase("inventory");
        factory = new WebApplicationFactory<InventoryService>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            var settings = new Dictionary<string, string?>
            {
                ["ConnectionStrings:Postgres"] = ConnectionString,
                ["ConnectionStrings:RabbitMQ"] = TestServers.RabbitMq,
                ["Messaging:Exchange"] = Exchange,
                ["Messaging:RetryDelays:0"] = "00:00:00.200",
                ["Messaging:RetryDelays:1"] = "00:00:00.500",
                ["Messaging:RetryDelays:2"] = "00:00:01",
                ["Logging:LogLevel:Default"] = "Warning",
            };
            Configure(settings);
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
            builder.ConfigureTestServices(services =>
            {
                services.Replace(ServiceDescriptor.Singleton<ISigningKeySource>(Keys));
                services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time));
            });
        });
    }

    /// <summary>This test class's own database.</summary>
    public string ConnectionString { get; }

    /// <summary>This test class's own exchange: nothing else publishes to it.</summary>
    public string Exchange { get; }

    public TestSigningKeys Keys { get; } = new();

    public AdjustableTime Time { get; } = new();

    public EventBus Bus { get; private set; } = null!;

    public IServiceProvider Services => factory.Services;

    public NpgsqlDataSource Database => Services.GetRequiredService<NpgsqlDataSource>();

    /// <summary>Settings of this test class (keys as in configuration).</summary>
    protected virtual void Configure(IDictionary<string, string?> settings)
    {
    }

    public HttpClient Anonymous() => factory.CreateClient();

    public HttpClient As(Guid userId, params string[] roles)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Keys.TokenFor(userId, roles));
        return client;
    }

    public HttpClient Admin() => As(Guid.CreateVersion7(), Roles.Admin);

    public async ValueTask InitializeAsync()
    {
        // The capture queue and the exchange exist before the service binds its queues to it.
        Bus = await EventBus.StartAsync(Exchange);
        using var client = factory.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        // Ready means every subscription consumes: events published from now on are not lost.
        while (!(await client.GetAsync("/health/ready")).IsSuccessStatusCode)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The inventory service did not become ready.");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await factory.DisposeAsync();
        await Bus.DisposeAsync();
        Keys.Dispose();
        await TestServers.DropDatabaseAsync(ConnectionString);
        GC.SuppressFinalize(this);
    }
}
