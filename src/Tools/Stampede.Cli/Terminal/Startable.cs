using Stampede.Cli.Processes;

namespace Stampede.Cli.Terminal;

/// <summary>Something `up`, `test` or `servers start` launches and then waits for.</summary>
public sealed record Startable(
    string Name,
    string Address,
    IReadOnlyList<int> Ports,
    ManagedProcess Process,
    Func<CancellationToken, Task> StartAsync,
    Func<CancellationToken, Task<bool>> IsReadyAsync)
{
    /// <summary>What the last readiness probe saw, for the failure message (e.g. "answered 503").</summary>
    public Func<string?> LastProbe { get; init; } = () => null;
}

public sealed class StartupFailedException(Startable startable, string reason)
    : UserFacingException(
        $"{startable.Name} {reason}{(startable.LastProbe() is { } probe ? $" ({probe})" : "")}. Last lines of {startable.Process.LogFile}:",
        startable.Process.Tail(30))
{
    public Startable Startable => startable;
}
