using RabbitMQ.Client;
using Stampede.Cli.Processes;

namespace Stampede.Cli.Servers;

/// <summary>
/// A private RabbitMQ node with its own epmd: node name, ports, folders and Erlang cookie are all per
/// instance, everything listens on loopback only.
/// </summary>
public sealed class RabbitMqServer(Instance instance) : IServer
{
    private const string User = "rabbitmq";
    private const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    private string Folder => Path.Combine(instance.DataFolder, "rabbitmq");

    public string Name => "rabbitmq";

    public int Port => instance.Ports.Amqp;

    // epmd's port is checked separately: our own epmd may legitimately outlive a crashed node.
    public IReadOnlyList<int> Ports => [Port, instance.Ports.ErlangDistribution];

    public ManagedProcess Process { get; } = instance.Process("rabbitmq");

    private ManagedProcess Epmd { get; } = instance.Process("epmd");

    public async Task StartAsync(CancellationToken ct)
    {
        WriteConfiguration();
        await SystemUser.GiveFolderAsync(Folder, User, ct);

        // Our own epmd on a private port, started first so the node registers with it rather than
        // spawning a daemon we could not track.
        if (Epmd.Running() is null)
        {
            Processes.Ports.EnsureFree([instance.Ports.Epmd], "epmd");
            await Epmd.StartAsync(
                new LaunchSpec("epmd", ["-port", instance.Ports.Epmd.ToString(), "-address", "127.0.0.1"], Folder) { RunAsUser = User },
                ct);
            await WaitForPortAsync(instance.Ports.Epmd, ct);
        }

        await Process.StartAsync(new LaunchSpec(ServerScript, [], Folder) { RunAsUser = User, Environment = Environment() }, ct);
    }

    public async Task<bool> IsReadyAsync(CancellationToken ct)
    {
        try
        {
            var factory = new ConnectionFactory
            {
                Uri = new Uri(instance.RabbitMqUri),
                RequestedConnectionTimeout = TimeSpan.FromSeconds(3),
                AutomaticRecoveryEnabled = false,
            };
            await using var connection = await factory.CreateConnectionAsync("stampede-cli-readiness", ct);
            await connection.CloseAsync(ct);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The client throws several kinds (unreachable, handshake interrupted, auth still booting): all mean "not yet".
            return false;
        }
    }

    public async Task<bool> StopAsync()
    {
        // The start script forwards SIGTERM to the VM, which then shuts the broker down cleanly.
        var stopped = await Process.StopAsync(ProcessTable.SigTerm, TimeSpan.FromSeconds(45));
        stopped |= await Epmd.StopAsync(ProcessTable.SigTerm, TimeSpan.FromSeconds(5));
        if (Processes.Ports.IsListening(instance.Ports.Epmd))
        {
            // An epmd the node spawned itself (e.g. ours had died): ask it to leave.
            await CommandLine.RunAsync("epmd", ["-port", instance.Ports.Epmd.ToString(), "-kill"], CancellationToken.None);
        }

        return stopped;
    }

    private Dictionary<string, string> Environment() => new()
    {
        ["HOME"] = Folder,
        ["RABBITMQ_NODENAME"] = $"stampede-{instance.Name}@localhost",
        ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
        ["RABBITMQ_NODE_PORT"] = Port.ToString(),
        ["RABBITMQ_DIST_PORT"] = instance.Ports.ErlangDistribution.ToString(),
        ["RABBITMQ_MNESIA_BASE"] = Path.Combine(Folder, "mnesia"),
        ["RABBITMQ_LOG_BASE"] = Path.Combine(Folder, "log"),
        ["RABBITMQ_LOGS"] = "-",
        ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(Folder, "enabled_plugins"),
        ["RABBITMQ_CONFIG_FILE"] = Path.Combine(Folder, "rabbitmq"),
        ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(Folder, "advanced.config"),
        ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(Folder, "rabbitmq-env.conf"),
        ["ERL_EPMD_PORT"] = instance.Ports.Epmd.ToString(),
        ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
        ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
    };

    private void WriteConfiguration()
    {
        Directory.CreateDirectory(Path.Combine(Folder, "mnesia"));
        Directory.CreateDirectory(Path.Combine(Folder, "log"));
        File.WriteAllText(Path.Combine(Folder, "enabled_plugins"), "[].\n");
        File.WriteAllText(Path.Combine(Folder, "rabbitmq-env.conf"), "");
        File.WriteAllText(Path.Combine(Folder, "rabbitmq.conf"), $"""
            loopback_users = none
            default_user = stampede
            default_pass = stampede
            listeners.tcp.1 = 127.0.0.1:{Port}
            """ + "\n");
    }

    private static async Task WaitForPortAsync(int port, CancellationToken ct)
    {
        for (var i = 0; i < 50 && !Processes.Ports.IsListening(port); i++)
        {
            await Task.Delay(100, ct);
        }
    }
}
