using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Stampede.Messaging.Tests.Infrastructure;

/// <summary>A RabbitMQ node of this test alone, on free ports under a temp folder, which the test
/// may stop and start again (the shared development broker must never be stopped).</summary>
public sealed class PrivateRabbitMq : IAsyncDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"stampede-rabbit-{Guid.NewGuid():N}"[..32]);
    private readonly int port = FreePort();
    private readonly int distributionPort = FreePort();
    private readonly int epmdPort = FreePort();
    private Process? server;

    public string Uri => $"amqp://test:test@127.0.0.1:{port}/";

    public static async Task<PrivateRabbitMq> StartAsync()
    {
        var broker = new PrivateRabbitMq();
        broker.Prepare();
        await broker.StartServerAsync();
        return broker;
    }

    public async Task StartServerAsync()
    {
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        // As root the node must run as `rabbitmq`, which owns the folders; setsid gives it a
        // process group of its own, so one signal stops the whole tree.
        foreach (var argument in IsRoot ? ["runuser", "-u", "rabbitmq", "--", "/usr/lib/rabbitmq/bin/rabbitmq-server"] : new[] { "/usr/lib/rabbitmq/bin/rabbitmq-server" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["HOME"] = folder;
        start.Environment["RABBITMQ_NODENAME"] = $"stampede-test-{port}@localhost";
        start.Environment["RABBITMQ_NODE_PORT"] = port.ToString();
        start.Environment["RABBITMQ_DIST_PORT"] = distributionPort.ToString();
        start.Environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(folder, "mnesia");
        start.Environment["RABBITMQ_LOG_BASE"] = Path.Combine(folder, "log");
        start.Environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(folder, "enabled_plugins");
        start.Environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(folder, "rabbitmq");
        start.Environment["ERL_EPMD_PORT"] = epmdPort.ToString();
        server = Process.Start(start)!;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.Contains("Starting broker... completed", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var exited = server.WaitForExitAsync();
        if (await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(60))) != ready.Task)
        {
            throw new InvalidOperationException($"The private RabbitMQ on port {port} did not start; see {folder}/log.");
        }
    }

    public async Task StopServerAsync()
    {
        if (server is null)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", "--", $"-{server.Id}"]))
        {
            await kill.WaitForExitAsync();
        }

        await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        // The node's children may linger a moment after the group leader; wait until the port is free.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (IsListening(port) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        server.Dispose();
        server = null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopServerAsync();
        }
        finally
        {
            using (var epmd = Process.Start("epmd", ["-port", epmdPort.ToString(), "-kill"]))
            {
                await epmd.WaitForExitAsync();
            }

            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private void Prepare()
    {
        Directory.CreateDirectory(Path.Combine(folder, "mnesia"));
        Directory.CreateDirectory(Path.Combine(folder, "log"));
        File.WriteAllText(Path.Combine(folder, "enabled_plugins"), "[].");
        File.WriteAllText(Path.Combine(folder, "rabbitmq.conf"), $"""
            loopback_users = none
            default_user = test
            default_pass = test
            listeners.tcp.default = {port}
            """);
        if (IsRoot)
        {
            using var chown = Process.Start("chown", ["-R", "rabbitmq:rabbitmq", folder]);
            chown.WaitForExit();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsListening(int tcpPort)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, tcpPort);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
