using Spectre.Console;
using Stampede.Cli.Terminal;

namespace Stampede.Cli.Servers;

/// <summary>The three servers of one instance, started and stopped together.</summary>
public sealed class ServerSet(Instance instance)
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);

    public Instance Instance => instance;

    public PostgresServer Postgres { get; } = new(instance);

    public RedisServer Redis { get; } = new(instance);

    public RabbitMqServer RabbitMq { get; } = new(instance);

    public IReadOnlyList<IServer> All => [Postgres, Redis, RabbitMq];

    public IReadOnlyList<Startable> Startables =>
        All.Select(s => new Startable(s.Name, $"127.0.0.1:{s.Port}", s.Ports, s.Process, s.StartAsync, s.IsReadyAsync)).ToList();

    public bool AnyRunning => All.Any(s => s.Process.Running() is not null);

    public async Task<bool> AreReadyAsync(CancellationToken ct)
    {
        if (All.Any(s => s.Process.Running() is null))
        {
            return false;
        }

        var ready = await Task.WhenAll(All.Select(s => s.IsReadyAsync(ct)));
        return ready.All(r => r);
    }

    /// <summary>Starts whatever is not running yet and waits until all three answer; undoes its own starts on failure.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        if (!AnyRunning && instance.ChoosePorts() is { } note)
        {
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(note)}[/]");
        }

        var started = new List<Startable>();
        try
        {
            await StartupRunner.RunAsync([Startables], ReadyTimeout, s => { lock (started) { started.Add(s); } }, ct);
        }
        catch
        {
            await StopAsync(started.Select(s => s.Name));
            throw;
        }
    }

    /// <summary>Stops the servers (all, or only the named ones); returns the names of those that were running.</summary>
    public async Task<IReadOnlyList<string>> StopAsync(IEnumerable<string>? only = null)
    {
        var names = only?.ToHashSet();
        var targets = All.Where(s => names is null || names.Contains(s.Name)).ToList();
        var stopped = await Task.WhenAll(targets.Select(async s => (s.Name, Stopped: await s.StopAsync())));
        return stopped.Where(s => s.Stopped).Select(s => s.Name).ToList();
    }
}
