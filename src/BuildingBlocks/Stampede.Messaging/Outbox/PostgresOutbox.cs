using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Stampede.Contracts;

namespace Stampede.Messaging;

/// <summary>Writes events into <c>messaging.outbox</c> within the caller's transaction and wakes
/// this process's relay.</summary>
internal sealed class PostgresOutbox(MessagingRegistry registry, OutboxSignal signal) : IOutbox
{
    // No NOTIFY here: PostgreSQL serializes the commits of notifying transactions (a cluster-wide
    // lock held across the commit flush), which cost a third of the producers' throughput.
    private const string InsertSql = """
        INSERT INTO messaging.outbox (event_id, event_name, payload, trace_parent, trace_state)
        VALUES (@event_id, @event_name, @payload, @trace_parent, @trace_state)
        """;

    public async Task EnqueueAsync<TEvent>(TEvent @event, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        where TEvent : IntegrationEvent
    {
        ArgumentNullException.ThrowIfNull(@event);
        ArgumentNullException.ThrowIfNull(transaction);
        var eventType = @event.GetType();
        if (!registry.Publishes(eventType))
        {
            throw new InvalidOperationException(
                $"Service '{registry.ServiceName}' publishes {eventType.Name} without declaring it: add .Publishes<{eventType.Name}>() to its AddMessaging call.");
        }

        var connection = transaction.Connection
            ?? throw new InvalidOperationException("The transaction is already completed.");
        var current = Activity.Current;
        await using var command = new NpgsqlCommand(InsertSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid>("event_id", @event.EventId));
        command.Parameters.Add(new NpgsqlParameter<string>("event_name", EventNames.Of(eventType)));
        command.Parameters.Add(new NpgsqlParameter<string>("payload", NpgsqlDbType.Json)
        {
            TypedValue = JsonSerializer.Serialize(@event, eventType, MessagingJson.Options),
        });
        var traced = current is { IdFormat: ActivityIdFormat.W3C } ? current : null;
        command.Parameters.Add(new NpgsqlParameter("trace_parent", NpgsqlDbType.Text) { Value = (object?)traced?.Id ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("trace_state", NpgsqlDbType.Text) { Value = (object?)traced?.TraceStateString ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(cancellationToken);
        signal.RowWritten();
    }
}
