using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Stampede.Testing;

/// <summary>A loopback port that forwards every connection to a real server (PostgreSQL, the PG
/// simulator), which a test can cut (the port refuses connections and the open ones are dropped,
/// as when the server goes down) and restore on the same port.</summary>
public sealed class TcpLink : IAsyncDisposable
{
    private readonly string targetHost;
    private readonly int targetPort;
    private readonly ConcurrentDictionary<Socket, byte> open = new();
    private TcpListener? listener;

    private TcpLink(string targetHost, int targetPort)
    {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
    }

    public int Port { get; private set; }

    public bool IsCut => listener is null;

    public static TcpLink To(string host, int port)
    {
        var link = new TcpLink(host, port);
        link.Listen(0);
        return link;
    }

    /// <summary>From now on connecting is refused, and the connections made so far are closed.</summary>
    public void Cut()
    {
        var stopping = Interlocked.Exchange(ref listener, null);
        stopping?.Stop();
        foreach (var socket in open.Keys)
        {
            Close(socket);
        }
    }

    /// <summary>Accepts connections again, on the same port.</summary>
    public void Restore()
    {
        if (listener is null)
        {
            Listen(Port);
        }
    }

    private void Listen(int port)
    {
        var started = new TcpListener(IPAddress.Loopback, port);
        started.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        started.Start();
        Port = ((IPEndPoint)started.LocalEndpoint).Port;
        listener = started;
        _ = AcceptAsync(started);
    }

    private async Task AcceptAsync(TcpListener from)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await from.AcceptSocketAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return; // cut
            }

            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        open[client] = 0;
        open[server] = 0;
        try
        {
            await server.ConnectAsync(targetHost, targetPort);
            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            open.TryRemove(client, out _);
            open.TryRemove(server, out _);
            Close(client);
            Close(server);
            client.Dispose();
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private static void Close(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        socket.Close();
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }
}
