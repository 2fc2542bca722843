using System.Net.Sockets;
using System.Text;
using Stampede.Cli.Processes;

namespace Stampede.Cli.Servers;

/// <summary>A private redis-server on loopback; append-only file for dev, memory only otherwise.</summary>
public sealed class RedisServer(Instance instance) : IServer
{
    private const string User = "redis";

    private string Folder => Path.Combine(instance.DataFolder, "redis");

    public string Name => "redis";

    public int Port => instance.Ports.Redis;

    public IReadOnlyList<int> Ports => [Port];

    public ManagedProcess Process { get; } = instance.Process("redis");

    public async Task StartAsync(CancellationToken ct)
    {
        await SystemUser.GiveFolderAsync(Folder, User, ct);
        List<string> arguments =
        [
            "--bind", "127.0.0.1",
            "--port", Port.ToString(),
            "--dir", Folder,
            "--daemonize", "no",
            "--logfile", "",
        ];
        arguments.AddRange(instance.Durable
            ? ["--appendonly", "yes"]
            : ["--appendonly", "no", "--save", ""]);

        await Process.StartAsync(new LaunchSpec("redis-server", arguments, Folder) { RunAsUser = User }, ct);
    }

    public async Task<bool> IsReadyAsync(CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await client.ConnectAsync("127.0.0.1", Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public Task<bool> StopAsync() => Process.StopAsync(ProcessTable.SigTerm, TimeSpan.FromSeconds(20));
}
