namespace Stampede.Messaging;

/// <summary>Tuning of the messaging building block, bound from the <c>Messaging</c> configuration
/// section; the broker address comes from <c>ConnectionStrings:RabbitMQ</c>.</summary>
public sealed class MessagingOptions
{
    /// <summary>The service's name; prefixes its queues and tags its metrics. Set by AddMessaging.</summary>
    public string ServiceName { get; set; } = "";

    /// <summary>AMQP URI of the broker (<c>ConnectionStrings:RabbitMQ</c>).</summary>
    public string? BrokerUri { get; set; }

    /// <summary>The topic exchange every integration event is published to, keyed by event name.</summary>
    public string Exchange { get; set; } = "stampede.events";

    /// <summary>Unacknowledged messages the broker may push to one subscription at once.</summary>
    public ushort Prefetch { get; set; } = 32;

    /// <summary>Messages of one subscription handled at the same time.</summary>
    public int ConsumerConcurrency { get; set; } = 4;

    /// <summary>Most messages of one subscription handled in one database transaction when several are
    /// waiting, each in its own savepoint so one failure does not undo the others; fewer commits is
    /// most of the throughput when commits wait for the disk. 1 turns batching off; at most 64.</summary>
    public int HandlerBatchSize { get; set; } = 16;

    /// <summary>Delays before each retry of a failing handler (a failure of its own, not a transient
    /// one); after the last one the message is dead-lettered. Each delay has its own retry queue, so
    /// waiting never blocks the subscription.</summary>
    public TimeSpan[] RetryDelays { get; set; } =
        [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)];

    /// <summary>Delays before each retry after a transient failure (see <see cref="TransientFailureException"/>):
    /// the database, the broker or a neighbour unreachable, a timeout, a 503. These never use up
    /// <see cref="RetryDelays"/>: the last delay repeats for as long as the failure lasts, and nothing
    /// is dead-lettered for it.</summary>
    public TimeSpan[] TransientRetryDelays { get; set; } =
    [
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(16),
        TimeSpan.FromSeconds(30),
    ];

    /// <summary>Times the broker may hand one message out (crashes included) before it dead-letters
    /// it on its own: a guard against a message that kills the process before any retry is recorded.</summary>
    public int DeliveryLimit { get; set; } = 20;

    /// <summary>Outbox rows the relay claims and publishes per round trip.</summary>
    public int RelayBatchSize { get; set; } = 200;

    /// <summary>Wait before the relay sends again an outbox row the broker returned as unroutable (no
    /// queue bound to its event yet); doubles on each return up to <see cref="UnroutableRetryMaxDelay"/>.
    /// Only that row waits: the rows after it are sent meanwhile.</summary>
    public TimeSpan UnroutableRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between two sends of an unroutable outbox row.</summary>
    public TimeSpan UnroutableRetryMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the relay looks for unsent rows when no commit notification arrived.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Sent outbox rows are kept this long (for inspection), then deleted.</summary>
    public TimeSpan OutboxRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Inbox rows are kept this long; a redelivery older than this would be handled again.</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How often sent outbox rows and old inbox rows are deleted.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Pause between attempts to reach the broker after it went away.</summary>
    public TimeSpan ReconnectInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait for a publisher confirm before the publish counts as failed.</summary>
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
