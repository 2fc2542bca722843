namespace Stampede.Inventory.Tests.Support;

/// <summary>The system clock, moved forward on demand (timers still run in real time).</summary>
public sealed class AdjustableTime : TimeProvider
{
    private long offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);
}
