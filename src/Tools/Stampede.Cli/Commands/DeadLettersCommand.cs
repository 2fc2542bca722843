using System.CommandLine;
using Spectre.Console;
using Stampede.Cli.Servers;
using Stampede.Messaging;

namespace Stampede.Cli.Commands;

/// <summary>`dead-letters list|replay|purge [--service S]`: the messages a consuming service gave up on.</summary>
public static class DeadLettersCommand
{
    public static Command Create()
    {
        var command = new Command("dead-letters", "Show, replay or purge the dead letters of the consuming services.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Replay());
        command.Subcommands.Add(Purge());
        return command;
    }

    private static Command List()
    {
        var (service, instance) = (ServiceOption(), InstanceOption.Create());
        var limit = new Option<int>("--limit") { Description = "Dead letters shown per service.", DefaultValueFactory = _ => 20 };
        var command = new Command("list", "Show the dead letters, oldest first, with the reason and error of each.") { service, instance, limit };
        command.SetAction(async (ParseResult result, CancellationToken _) =>
        {
            var ct = CliHost.TerminationToken;
            var (queue, services) = await OpenAsync(result.GetValue(instance)!, result.GetValue(service), ct);
            await using (queue)
            {
                foreach (var name in services)
                {
                    var count = await queue.CountAsync(name, ct);
                    AnsiConsole.MarkupLine($"[bold]{Markup.Escape(name)}[/]: {count} dead letter(s)");
                    if (count == 0)
                    {
                        continue;
                    }

                    var table = new Table().AddColumns("message id", "event", "queue", "reason", "failed at", "error");
                    foreach (var letter in await queue.ListAsync(name, result.GetValue(limit), ct))
                    {
                        table.AddRow(
                            Markup.Escape(letter.MessageId ?? "-"),
                            Markup.Escape(letter.EventName ?? "-"),
                            Markup.Escape(letter.Queue),
                            Markup.Escape(letter.Reason ?? "-"),
                            Markup.Escape(letter.FailedAt?.ToString("u") ?? "-"),
                            Markup.Escape(FirstLine(letter.Error)));
                    }

                    AnsiConsole.Write(table);
                }
            }

            return 0;
        });
        return command;
    }

    private static Command Replay()
    {
        var (service, instance) = (ServiceOption(), InstanceOption.Create());
        var command = new Command("replay", "Send the dead letters back to the subscription they failed in (the inbox absorbs any already handled).")
        {
            service, instance,
        };
        command.SetAction(async (ParseResult result, CancellationToken _) =>
        {
            var ct = CliHost.TerminationToken;
            var (queue, services) = await OpenAsync(result.GetValue(instance)!, result.GetValue(service), ct);
            await using (queue)
            {
                foreach (var name in services)
                {
                    AnsiConsole.MarkupLine($"[bold]{Markup.Escape(name)}[/]: replayed {await queue.ReplayAsync(name, ct)}");
                }
            }

            return 0;
        });
        return command;
    }

    private static Command Purge()
    {
        var (service, instance) = (ServiceOption(), InstanceOption.Create());
        var command = new Command("purge", "Delete the dead letters for good.") { service, instance };
        command.SetAction(async (ParseResult result, CancellationToken _) =>
        {
            var ct = CliHost.TerminationToken;
            var (queue, services) = await OpenAsync(result.GetValue(instance)!, result.GetValue(service), ct);
            await using (queue)
            {
                foreach (var name in services)
                {
                    AnsiConsole.MarkupLine($"[bold]{Markup.Escape(name)}[/]: purged {await queue.PurgeAsync(name, ct)}");
                }
            }

            return 0;
        });
        return command;
    }

    private static Option<string> ServiceOption() =>
        new("--service") { Description = "Only this service (default: every service that consumes events)." };

    private static async Task<(DeadLetterQueue Queue, IReadOnlyList<string> Services)> OpenAsync(string instanceName, string? service,
        CancellationToken ct)
    {
        // Dead letters live in the running system's broker: a fresh private one would hold none.
        var instance = Instance.Named(instanceName);
        if (!await new ServerSet(instance).AreReadyAsync(ct))
        {
            throw new UserFacingException($"The '{instance.Name}' servers are not running; start them with `./stampede up`.");
        }

        IReadOnlyList<string> services = service is { Length: > 0 } ? [service] : await DeadLetterQueue.FindServicesAsync(instance.PostgresConnectionString, ct);
        if (services.Count == 0)
        {
            throw new UserFacingException("No service consumes events yet, so there are no dead letters.");
        }

        return (await DeadLetterQueue.ConnectAsync(instance.RabbitMqUri, ct), services);
    }

    private static string FirstLine(string? text)
    {
        var line = text?.Split('\n', 2)[0].Trim() ?? "-";
        return line.Length > 120 ? line[..120] + "…" : line;
    }
}
