using System.Collections.Concurrent;
using System.Diagnostics;
using Dapper;
using Stampede.Contracts;

namespace Stampede.Messaging.Tests.Infrastructure;

[EventName("tests.thing-happened.v1")]
public sealed record ThingHappened(int Number) : IntegrationEvent;

[EventName("tests.thing-noted.v1")]
public sealed record ThingNoted(int Number) : IntegrationEvent;

/// <summary>What the test handler does, per test: fail some attempts, or always.</summary>
public sealed class HandlerScript
{
    private readonly ConcurrentDictionary<Guid, int> invocations = new();

    /// <summary>Attempts that throw before one succeeds, for every message.</summary>
    public int FailuresBeforeSuccess { get; set; }

    public bool AlwaysFail { get; set; }

    /// <summary>Invocations that throw <see cref="TransientFailureException"/> before one succeeds, for every message.</summary>
    public int TransientFailuresBeforeSuccess { get; set; }

    /// <summary>Things whose first attempt throws.</summary>
    public ConcurrentDictionary<int, bool> FailFirstAttemptOf { get; } = new();

    public int Invocations(Guid eventId) => invocations.GetValueOrDefault(eventId);

    public int TotalInvocations => invocations.Values.Sum();

    internal void Check(Guid eventId, int number, int attempt)
    {
        if (invocations.AddOrUpdate(eventId, 1, (_, count) => count + 1) <= TransientFailuresBeforeSuccess)
        {
            throw new TransientFailureException("A neighbour of the thing is unreachable.");
        }

        if (AlwaysFail || attempt < FailuresBeforeSuccess || (attempt == 0 && FailFirstAttemptOf.ContainsKey(number)))
        {
            throw new InvalidOperationException($"The thing was refused on attempt {attempt}.");
        }
    }
}

/// <summary>The effect of handling: one row in <c>effects</c> per handling (no unique key, so a
/// second handling would show as a second row).</summary>
public sealed class RecordThing(HandlerScript script) : IIntegrationEventHandler<ThingHappened>
{
    public async Task HandleAsync(ThingHappened @event, MessageContext context, CancellationToken cancellationToken)
    {
        script.Check(@event.EventId, @event.Number, context.Attempt);
        await context.Connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO effects (event_id, number, attempt, trace_id) VALUES (@EventId, @Number, @Attempt, @TraceId)",
            new { @event.EventId, @event.Number, context.Attempt, TraceId = Activity.Current?.TraceId.ToString() },
            context.Transaction, cancellationToken: cancellationToken));
    }
}

/// <summary>Handles a thing by publishing a follow-up through the outbox in its own transaction.</summary>
public sealed class NoteThing : IIntegrationEventHandler<ThingHappened>
{
    public Task HandleAsync(ThingHappened @event, MessageContext context, CancellationToken cancellationToken) =>
        context.PublishAsync(new ThingNoted(@event.Number), cancellationToken);
}

public sealed class RecordNote : IIntegrationEventHandler<ThingNoted>
{
    public Task HandleAsync(ThingNoted @event, MessageContext context, CancellationToken cancellationToken) =>
        context.Connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO effects (event_id, number, attempt) VALUES (@EventId, @Number, @Attempt)",
            new { @event.EventId, @event.Number, context.Attempt }, context.Transaction, cancellationToken: cancellationToken));
}
