using System.CommandLine;
using Spectre.Console;
using Stampede.Cli.Processes;
using Stampede.Cli.Services;

namespace Stampede.Cli.Commands;

/// <summary>`down`: stops every service and server `up` started, leaving no process or port behind.</summary>
public static class DownCommand
{
    public static Command Create()
    {
        var clean = new Option<bool>("--clean")
        {
            Description = "Also delete the servers' data (under " + Servers.ServerData.Base + "/, keyed by this checkout) and .stampede/dev; logs stay.",
        };
        var command = new Command("down", "Stop every service and server started by `up`.") { clean };
        command.SetAction(async (ParseResult result, CancellationToken _) => await RunAsync(LocalSystem.Dev(), result.GetValue(clean)));
        return command;
    }

    public static async Task<int> RunAsync(LocalSystem system, bool clean = false)
    {
        IReadOnlyList<string> stopped = [];
        await Terminal.Busy.RunAsync("Stopping services and servers", async () => stopped = await system.StopAsync());
        AnsiConsole.WriteLine(stopped.Count == 0 ? "Nothing was running." : $"Stopped {string.Join(", ", stopped)}.");

        var listening = Ports.ListeningPorts();
        var left = system.AllPorts.Where(listening.Contains).ToList();
        if (clean)
        {
            if (system.AnyRunning)
            {
                AnsiConsole.MarkupLine("[yellow]Something is still running; the data was kept.[/]");
                return 1;
            }

            system.Instance.DeleteData();
            AnsiConsole.WriteLine($"Deleted the '{system.Instance.Name}' data ({system.Instance.DataFolder}, {system.Instance.Folder}).");
        }

        if (left.Count == 0)
        {
            return 0;
        }

        foreach (var port in left)
        {
            AnsiConsole.MarkupLine($"[yellow]Port {port} is still in use by {Markup.Escape(Ports.DescribeOwner(port))} (not started by this checkout?).[/]");
        }

        return 1;
    }
}
