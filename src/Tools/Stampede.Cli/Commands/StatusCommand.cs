using System.CommandLine;
using Spectre.Console;
using Stampede.Cli.Services;

namespace Stampede.Cli.Commands;

/// <summary>`status`: each server and service of the dev instance, its pid, port and health.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "Show each server and service started by `up`, and its health.");
        command.SetAction(async (ParseResult _, CancellationToken _) =>
        {
            await RenderAsync(LocalSystem.Dev(), CliHost.TerminationToken);
            return 0;
        });
        return command;
    }

    public static async Task RenderAsync(LocalSystem system, CancellationToken ct)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("name", "kind", "pid", "address", "running", "health");

        foreach (var server in system.Servers.All)
        {
            var process = server.Process.Running();
            var health = process is null ? "-" : await server.IsReadyAsync(ct) ? "[green]ready[/]" : "[red]not ready[/]";
            table.AddRow(server.Name, "server", process?.Pid.ToString() ?? "-", $"127.0.0.1:{server.Port}", Running(process is not null), health);
        }

        var dashboard = system.Dashboard.Process.Running();
        if (dashboard is not null || system.Choices.Dashboard)
        {
            var health = dashboard is null ? "-" : await system.Dashboard.IsReadyAsync(ct) ? "[green]ready[/]" : "[red]no answer[/]";
            table.AddRow(Dashboard.Name, "dashboard", dashboard?.Pid.ToString() ?? "-", system.Dashboard.Url, Running(dashboard is not null), health);
        }

        foreach (var service in system.Services)
        {
            var process = service.Process.Running();
            var code = process is null ? null : await service.HealthAsync(ct);
            var health = code switch
            {
                200 => "[green]ready (200)[/]",
                null => process is null ? "-" : "[red]no answer[/]",
                _ => $"[red]not ready ({code})[/]",
            };
            table.AddRow(service.Service.InstanceName, service.Service.Kind.ToString().ToLowerInvariant(), process?.Pid.ToString() ?? "-", service.Service.Url, Running(process is not null), health);
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Logs: {Markup.Escape(system.Instance.LogsFolder)}");
    }

    private static string Running(bool running) => running ? "[green]yes[/]" : "[grey]no[/]";
}
