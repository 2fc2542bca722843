namespace Stampede.Identity.Tests.Infrastructure;

/// <summary>Real time plus an offset tests can move forward, to expire codes and windows without
/// waiting. Timers still run on real time.</summary>
public sealed class TestClock : TimeProvider
{
    private long offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);
}
