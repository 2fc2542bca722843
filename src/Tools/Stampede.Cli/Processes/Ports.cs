using System.Diagnostics;
using System.Globalization;

namespace Stampede.Cli.Processes;

/// <summary>Which TCP ports have a listener, read from /proc/net (no connection attempts, no sudo).</summary>
public static class Ports
{
    private const string ListenState = "0A";

    public static bool IsListening(int port) => ListeningPorts().Contains(port);

    public static HashSet<int> ListeningPorts()
    {
        var ports = new HashSet<int>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 3 && fields[3] == ListenState)
                {
                    var local = fields[1];
                    ports.Add(int.Parse(local[(local.LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                }
            }
        }

        return ports;
    }

    public static void EnsureFree(IEnumerable<int> ports, string neededBy)
    {
        var listening = ListeningPorts();
        if (ports.FirstOrDefault(listening.Contains) is var port and > 0)
        {
            throw new UserFacingException(
                $"Port {port} (needed by {neededBy}) is already taken by {DescribeOwner(port)}. Stop that process or free the port.");
        }
    }

    /// <summary>A short description of who listens on the port, for error messages.</summary>
    public static string DescribeOwner(int port)
    {
        try
        {
            var info = new ProcessStartInfo("ss", ["-Hltnp", $"sport = :{port}"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            var users = output.IndexOf("users:", StringComparison.Ordinal);
            return users >= 0 ? output[users..].Split('\n')[0] : "another process";
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return "another process";
        }
    }
}
