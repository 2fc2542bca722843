using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Stampede.Messaging;

/// <summary>Deletes sent outbox rows and inbox rows once they are older than their retention.</summary>
internal sealed class RetentionCleanup(IServiceProvider services, IOptions<MessagingOptions> options, ILogger<RetentionCleanup> logger)
    : BackgroundService
{
    private const string CleanupSql = """
        DELETE FROM messaging.outbox WHERE sent_at < clock_timestamp() - @outbox_retention;
        DELETE FROM messaging.inbox WHERE handled_at < clock_timestamp() - @inbox_retention;
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<NpgsqlDataSource>() is not { } dataSource)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.CleanupInterval);
        do
        {
            try
            {
                await CleanAsync(dataSource, options.Value, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Messaging retention cleanup failed ({Error}); next try in {Interval}", ex.Message, options.Value.CleanupInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(tick => !tick.IsCanceled && tick.Result, TaskScheduler.Default));
    }

    /// <summary>One cleanup pass; returns the number of rows deleted.</summary>
    internal static async Task<int> CleanAsync(NpgsqlDataSource dataSource, MessagingOptions options, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(CleanupSql);
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("outbox_retention", options.OutboxRetention));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("inbox_retention", options.InboxRetention));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
