using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Stampede.Messaging;

/// <summary>Handles deliveries of one subscription in one database transaction: each records its id
/// in the inbox (a duplicate stops there) and runs the handler on the same transaction. With several
/// deliveries each gets its own savepoint, so one failure does not undo the others.</summary>
internal sealed class InboxTransaction(Subscription subscription, IServiceProvider services, NpgsqlDataSource dataSource, IOutbox outbox)
{
    private const string InboxSql = """
        INSERT INTO messaging.inbox (subscription, message_id, event_name) VALUES (@subscription, @message_id, @event_name)
        ON CONFLICT DO NOTHING
        """;

    /// <summary>Sets <see cref="Handling.Duplicate"/> or <see cref="Handling.Error"/> on each handling
    /// (with a single one, its failure throws instead); throws when the transaction itself fails.</summary>
    public async Task RunAsync(List<Handling> handlings, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var isolate = handlings.Count > 1;
        for (var i = 0; i < handlings.Count; i++)
        {
            var handling = handlings[i];
            // Savepoints are left open rather than released (COMMIT keeps their work), which saves a
            // round trip per message; the batch size keeps them under PostgreSQL's 64 cached subtransactions.
            var savepoint = isolate ? $"message_{i}" : null;
            try
            {
                handling.Duplicate = !await RecordInInboxAsync(connection, transaction, handling, savepoint, cancellationToken);
                if (!handling.Duplicate)
                {
                    await InvokeHandlerAsync(connection, transaction, handling, cancellationToken);
                }
            }
            catch (Exception ex) when (savepoint is not null && !cancellationToken.IsCancellationRequested)
            {
                await transaction.RollbackAsync(savepoint, cancellationToken);
                handling.Error = ex;
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>False when the inbox already holds the message: it was handled before. Opens
    /// <paramref name="savepoint"/> first, in the same round trip, when one is given.</summary>
    private async Task<bool> RecordInInboxAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Handling handling,
        string? savepoint, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (savepoint is not null)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"SAVEPOINT {savepoint}"));
        }

        var inbox = new NpgsqlBatchCommand(InboxSql);
        inbox.Parameters.Add(new NpgsqlParameter<string>("subscription", subscription.Queue));
        inbox.Parameters.Add(new NpgsqlParameter<Guid>("message_id", handling.MessageId));
        inbox.Parameters.Add(new NpgsqlParameter<string>("event_name", subscription.EventName));
        batch.BatchCommands.Add(inbox);
        // A concurrent delivery of the same id waits here on the key until the first one commits.
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return inbox.RecordsAffected == 1;
    }

    private async Task InvokeHandlerAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Handling handling,
        CancellationToken cancellationToken)
    {
        var headers = handling.Delivery.Properties.Headers;
        ActivityContext.TryParse(MessageHeaders.ReadString(headers, MessagingTelemetry.TraceParentHeader),
            MessageHeaders.ReadString(headers, MessagingTelemetry.TraceStateHeader), out var parent);
        using var activity = MessagingTelemetry.ActivitySource.StartActivity($"{subscription.EventName} process", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.destination.name", subscription.Queue);
        activity?.SetTag("messaging.message.id", handling.MessageId.ToString());
        try
        {
            await using var scope = services.CreateAsyncScope();
            var context = new MessageContext(outbox, connection, transaction, handling.MessageId, subscription.EventName, subscription.Queue,
                handling.Attempt);
            await subscription.Invoke(scope.ServiceProvider, handling.Event, context, cancellationToken);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
    }
}
