namespace Stampede.Contracts;

/// <summary>
/// A fact one service tells the others. Every concrete event is a record carrying an
/// <see cref="EventNameAttribute"/> with its stable, versioned wire name.
/// </summary>
public abstract record IntegrationEvent
{
    /// <summary>Unique id of this event; consumers deduplicate on it.</summary>
    public Guid EventId { get; init; } = Guid.CreateVersion7();

    /// <summary>When the fact happened (UTC).</summary>
    public DateTimeOffset OccurredAt { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>The stable wire name of an integration event, e.g. <c>identity.user-registered.v1</c>.
/// A breaking change to an event is a new record with a new version suffix.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class EventNameAttribute(string name) : Attribute
{
    /// <summary>The wire name.</summary>
    public string Name { get; } = name;
}
