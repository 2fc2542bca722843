namespace Stampede.Ordering;

/// <summary>Configuration section <c>Ordering</c>.</summary>
public sealed class OrderingSettings
{
    public const string Section = "Ordering";

    /// <summary>How long after placing an order the buyer has to pay before it expires.</summary>
    public TimeSpan PaymentDeadline { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the deadline job looks for overdue unpaid orders.</summary>
    public TimeSpan DeadlineJobInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Overdue orders expired per transaction by the deadline job.</summary>
    public int DeadlineJobBatchSize { get; set; } = 100;
}
