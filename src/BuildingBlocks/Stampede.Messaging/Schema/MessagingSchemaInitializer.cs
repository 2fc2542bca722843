using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Stampede.Messaging;

/// <summary>Creates the outbox and inbox tables during host start, before the relay and the
/// consumers run (hosted services start in registration order, and this one is registered first).</summary>
internal sealed class MessagingSchemaInitializer(IServiceProvider services, ILogger<MessagingSchemaInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<NpgsqlDataSource>() is not { } dataSource)
        {
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await MessagingSchema.EnsureSchemaAsync(dataSource, cancellationToken);
                return;
            }
            catch (NpgsqlException ex) when (attempt < 10 && ex.IsTransient)
            {
                logger.LogWarning("Database not ready for the messaging schema ({Error}); retrying", ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
