using System.CommandLine;
using Spectre.Console;
using Stampede.Cli.Servers;

namespace Stampede.Cli.Commands;

/// <summary>`servers start|stop`: only PostgreSQL, Redis and RabbitMQ, e.g. for running tests from an IDE.</summary>
public static class ServersCommand
{
    public static Command Create()
    {
        var command = new Command("servers", "Start or stop only the private PostgreSQL, Redis and RabbitMQ of an instance.");
        command.Subcommands.Add(Start());
        command.Subcommands.Add(Stop());
        return command;
    }

    private static Command Start()
    {
        var instanceOption = InstanceOption.Create();
        var command = new Command("start", "Start the servers and print the environment variables tests read.") { instanceOption };
        command.SetAction(async (ParseResult result, CancellationToken _) =>
        {
            var instance = Instance.Named(result.GetValue(instanceOption)!);
            await ServerPackages.EnsureInstalledAsync(CliHost.TerminationToken);
            await new ServerSet(instance).StartAsync(CliHost.TerminationToken);
            AnsiConsole.MarkupLine($"[green]Servers of '{instance.Name}' are ready.[/] Logs: {Markup.Escape(instance.LogsFolder)}");
            AnsiConsole.WriteLine("To run tests from an IDE or a shell, set:");
            foreach (var (name, value) in instance.TestEnvironment)
            {
                Console.WriteLine($"export {name}=\"{value}\"");
            }

            return 0;
        });
        return command;
    }

    private static Command Stop()
    {
        var instanceOption = InstanceOption.Create();
        var clean = new Option<bool>("--clean") { Description = $"Also delete the instance's data (under {ServerData.Base}/) and its .stampede/ folder." };
        var command = new Command("stop", "Stop the servers of an instance.") { instanceOption, clean };
        command.SetAction(async (ParseResult result, CancellationToken _) =>
        {
            var instance = Instance.Named(result.GetValue(instanceOption)!);
            var servers = new ServerSet(instance);
            var stopped = await servers.StopAsync();
            AnsiConsole.WriteLine(stopped.Count == 0
                ? $"No server of '{instance.Name}' was running."
                : $"Stopped {string.Join(", ", stopped)} of '{instance.Name}'.");
            if (result.GetValue(clean) && !servers.AnyRunning)
            {
                instance.DeleteData();
                AnsiConsole.WriteLine($"Deleted {instance.DataFolder} and {instance.Folder}.");
            }

            return 0;
        });
        return command;
    }
}
