using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using RabbitMQ.Client;

namespace Stampede.Messaging;

/// <summary>Sends outbox rows to the broker, oldest first, with publisher confirms, and marks them
/// sent. Wakes when this process writes an outbox row and then looks again at growing intervals
/// (1 ms to 0.5 s) until the row's transaction has committed and the row is sent; sweeps
/// periodically for rows of other processes or ones a broker outage left behind. Rows are claimed
/// with <c>FOR UPDATE SKIP LOCKED</c>, so several instances of a service can relay at once. A row the
/// broker returns (no queue bound to its event yet) stays unsent and is parked until its
/// <c>next_attempt_at</c>, with a doubling wait, while the rows after it go on.</summary>
internal sealed class OutboxRelay(
    IServiceProvider services,
    MessagingRegistry registry,
    OutboxSignal signal,
    ConfirmedPublisher publisher,
    MessagingTelemetry telemetry,
    IOptions<MessagingOptions> options,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private const string ClaimSql = """
        SELECT id, event_id AS EventId, event_name AS EventName, payload::text AS Payload,
               trace_parent AS TraceParent, trace_state AS TraceState, created_at AS CreatedAt
        FROM messaging.outbox
        WHERE sent_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= clock_timestamp())
        ORDER BY id
        LIMIT @limit
        FOR UPDATE SKIP LOCKED
        """;

    // Losing this commit in a crash only means sending the rows again, which the inbox absorbs, so it
    // need not wait for the disk flush.
    private const string MarkSentSql = """
        SET LOCAL synchronous_commit TO OFF;
        UPDATE messaging.outbox SET sent_at = clock_timestamp() WHERE id = ANY(@ids)
        """;

    private const string ParkSql = """
        UPDATE messaging.outbox
        SET attempts = attempts + 1, last_error = @error,
            next_attempt_at = clock_timestamp() + make_interval(secs => least(@first * power(2, least(attempts, 30)), @max))
        WHERE id = ANY(@ids)
        """;

    private const string LagSql = """
        SELECT COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - (
            SELECT created_at FROM messaging.outbox WHERE sent_at IS NULL ORDER BY id LIMIT 1)), 0)::float8
        """;

    private static readonly TimeSpan GatherDelay = TimeSpan.FromMilliseconds(2);

    private static readonly TimeSpan[] FollowUps = [.. Enumerable.Range(0, 10).Select(i => TimeSpan.FromMilliseconds(1 << i))];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dataSource = services.GetService<NpgsqlDataSource>();
        if (dataSource is null || !registry.PublishesAnything)
        {
            return;
        }

        var failures = 0;
        var followUp = 0;
        var lagMeasured = DateTime.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var found = 0;
                int claimed;
                do
                {
                    claimed = await SendBatchAsync(dataSource, stoppingToken);
                    found += claimed;
                }
                while (claimed == options.Value.RelayBatchSize);

                if (found > 0)
                {
                    followUp = 0;
                }

                if (found == 0 || DateTime.UtcNow - lagMeasured > TimeSpan.FromSeconds(1))
                {
                    lagMeasured = await MeasureLagAsync(dataSource, stoppingToken);
                }

                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // A broker or database outage only delays sending: the rows stay unsent and are retried.
                failures++;
                var pause = TimeSpan.FromTicks(Math.Min(options.Value.ReconnectInterval.Ticks * failures, TimeSpan.FromSeconds(30).Ticks));
                logger.LogWarning("Outbox relay could not send ({Error}); retrying in {Pause}", ex.Message, pause);
                lagMeasured = await MeasureLagAsync(dataSource, stoppingToken);
                await DelayAsync(pause, stoppingToken);
                continue;
            }

            if (followUp == 0)
            {
                // Rows are flowing: let a few more commits land so the next pass sends a batch
                // rather than a row or two (each pass costs three round trips).
                await DelayAsync(GatherDelay, stoppingToken);
                followUp = 1;
                continue;
            }

            var wait = followUp < FollowUps.Length ? FollowUps[followUp++] : options.Value.SweepInterval;
            if (await signal.WaitAsync(wait, stoppingToken))
            {
                followUp = 0;
            }
        }
    }

    /// <summary>Updates the outbox lag gauge; returns when it was measured (or the previous value's
    /// time when the database could not tell).</summary>
    private async Task<DateTime> MeasureLagAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            await using var lag = dataSource.CreateCommand(LagSql);
            telemetry.OutboxLag(TimeSpan.FromSeconds((double)(await lag.ExecuteScalarAsync(cancellationToken))!));
            return DateTime.UtcNow;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogDebug(ex, "Outbox lag not measured");
            return DateTime.MinValue;
        }
    }

    private async Task<int> SendBatchAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<OutboxRow>(
            new CommandDefinition(ClaimSql, new { limit = options.Value.RelayBatchSize }, transaction, cancellationToken: cancellationToken))).AsList();
        if (rows.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return 0;
        }

        // Started in id order on one channel, so the broker receives them in order of creation.
        var publishes = rows.Select(row => PublishAsync(row, cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(publishes);
        }
        catch
        {
            // Mark what was confirmed, below; the rest stays unsent and is retried.
        }

        var sent = rows.Where((_, index) => publishes[index].IsCompletedSuccessfully).ToList();
        if (sent.Count > 0)
        {
            // Not cancellable: a confirmed row left unmarked would be sent again after a restart.
            await connection.ExecuteAsync(new CommandDefinition(
                MarkSentSql, new { ids = sent.Select(row => row.Id).ToArray() }, transaction));
        }

        var unroutable = rows.Where((_, index) => publishes[index].Exception?.InnerException is UnroutableMessageException).ToList();
        if (unroutable.Count > 0)
        {
            await ParkAsync(connection, transaction, unroutable);
        }

        await transaction.CommitAsync(CancellationToken.None);
        foreach (var group in sent.GroupBy(row => row.EventName))
        {
            telemetry.Published(group.Key, group.Count());
        }

        foreach (var group in unroutable.GroupBy(row => row.EventName))
        {
            telemetry.Unroutable(group.Key, group.Count());
            logger.LogWarning("No queue is bound to {EventName} yet: {Count} outbox row(s) stay unsent and are tried again later",
                group.Key, group.Count());
        }

        // An unroutable row is settled for now; any other failure (the broker away) pauses the relay.
        var failed = publishes.FirstOrDefault(task => !task.IsCompletedSuccessfully && task.Exception?.InnerException is not UnroutableMessageException);
        if (failed is not null)
        {
            await failed;
        }

        return rows.Count;
    }

    private Task ParkAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<OutboxRow> rows) =>
        connection.ExecuteAsync(new CommandDefinition(ParkSql, new
        {
            ids = rows.Select(row => row.Id).ToArray(),
            error = "unroutable: no queue bound",
            first = options.Value.UnroutableRetryDelay.TotalSeconds,
            max = options.Value.UnroutableRetryMaxDelay.TotalSeconds,
        }, transaction));

    private async Task PublishAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        ActivityContext.TryParse(row.TraceParent, row.TraceState, out var parent);
        using var activity = MessagingTelemetry.ActivitySource.StartActivity($"{row.EventName} publish", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.destination.name", options.Value.Exchange);
        activity?.SetTag("messaging.message.id", row.EventId.ToString());

        var properties = EventEnvelope.Properties(row.EventId, row.EventName, options.Value.ServiceName,
            new DateTimeOffset(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc)),
            activity?.Id ?? row.TraceParent, activity?.TraceStateString ?? row.TraceState);
        await publisher.PublishAsync(options.Value.Exchange, row.EventName, properties, System.Text.Encoding.UTF8.GetBytes(row.Payload),
            registry.NeedsASubscriber(row.EventName), cancellationToken);
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed record OutboxRow(long Id, Guid EventId, string EventName, string Payload, string? TraceParent, string? TraceState,
        DateTime CreatedAt);
}
