using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using RabbitMQ.Client;
using Stampede.Contracts.Identity;
using Stampede.Messaging;
using Stampede.ServiceDefaults.Persistence;
using Stampede.Testing;

namespace Stampede.Identity.Tests.Users;

/// <summary>The code reaches a consumer over RabbitMQ, as the notification service will receive it.</summary>
public sealed class VerificationCodeDeliveryTests(IdentityApp app) : IClassFixture<IdentityApp>, IAsyncLifetime
{
    private readonly string service = "identity-tests-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string database = TestServers.NewDatabase("idconsumer");
    private readonly ReceivedCodes received = new();
    private NpgsqlDataSource dataSource = null!;
    private IHost consumer = null!;

    public async ValueTask InitializeAsync()
    {
        await SchemaMigrator.EnsureDatabaseExistsAsync(database, CancellationToken.None);
        dataSource = NpgsqlDataSource.Create(database);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:RabbitMQ"] = TestServers.RabbitMq });
        builder.Services.AddSingleton(dataSource);
        builder.Services.AddSingleton(received);
        builder.AddMessaging(service).Handles<VerificationCodeIssued, CaptureCode>();
        consumer = builder.Build();
        await consumer.StartAsync();
        var health = consumer.Services.GetRequiredService<HealthCheckService>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await health.CheckHealthAsync(c => c.Name == "rabbitmq")).Status != HealthStatus.Healthy && DateTime.UtcNow < deadline)
            await Task.Delay(100);
    }

    public async ValueTask DisposeAsync()
    {
        var retryDelays = consumer.Services.GetRequiredService<IOptions<MessagingOptions>>().Value.RetryDelays;
        await consumer.StopAsync();
        consumer.Dispose();
        await dataSource.DisposeAsync();
        var queue = $"{service}.{EventNames.Of<VerificationCodeIssued>()}";
        await using (var connection = await new ConnectionFactory { Uri = new Uri(TestServers.RabbitMq) }.CreateConnectionAsync())
        {
            foreach (var name in retryDelays.Distinct().Select(d => Topology.RetryQueue(queue, d)).Append(queue).Append(Topology.DeadLetterQueue(service)))
            {
                await using var channel = await connection.CreateChannelAsync();
                await channel.QueueDeleteAsync(name);
            }
            await using var exchanges = await connection.CreateChannelAsync();
            await exchanges.ExchangeDeleteAsync(Topology.DeadLetterExchange(service));
        }
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestServers.Postgres) { Database = "postgres" }.ConnectionString);
        await admin.ExecuteAsync($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(database).Database}\" WITH (FORCE)");
    }

    [Fact]
    public async Task A_consumer_receives_VerificationCodeIssued_with_the_code_that_was_sent()
    {
        var user = await app.RegisterAsync();

        var issued = await received.WaitForAsync(user.Email, TimeSpan.FromSeconds(60));

        issued.UserId.ShouldBe(user.Id);
        issued.Code.ShouldBe(await app.LatestCodeAsync(user.Email));
        issued.ExpiresAt.ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(9));
    }

    public sealed class ReceivedCodes
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource<VerificationCodeIssued>> byEmail = new();

        public void Add(VerificationCodeIssued issued) => Slot(issued.Email).TrySetResult(issued);

        public Task<VerificationCodeIssued> WaitForAsync(string email, TimeSpan timeout) => Slot(email).Task.WaitAsync(timeout);

        private TaskCompletionSource<VerificationCodeIssued> Slot(string email) =>
            byEmail.GetOrAdd(email, _ => new TaskCompletionSource<VerificationCodeIssued>(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    public sealed class CaptureCode(ReceivedCodes received) : IIntegrationEventHandler<VerificationCodeIssued>
    {
        public Task HandleAsync(VerificationCodeIssued @event, MessageContext context, CancellationToken cancellationToken)
        {
            received.Add(@event);
            return Task.CompletedTask;
        }
    }
}
