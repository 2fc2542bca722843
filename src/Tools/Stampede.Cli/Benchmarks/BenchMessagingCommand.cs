using System.CommandLine;
using Spectre.Console;
using Stampede.Cli.Servers;

namespace Stampede.Cli.Benchmarks;

/// <summary>`bench messaging`: events/s end to end beside the raw publish and insert rates it is built on.</summary>
public static class BenchMessagingCommand
{
    public static Command Create()
    {
        var events = new Option<int>("--events") { Description = "Events (and raw messages, raw rows) per measurement.", DefaultValueFactory = _ => 20_000 };
        var producers = new Option<int>("--producers") { Description = "Concurrent producer transactions.", DefaultValueFactory = _ => 8 };
        var concurrency = new Option<int>("--consumer-concurrency") { Description = "Messages the consumer handles at once.", DefaultValueFactory = _ => 8 };
        var command = new Command("messaging",
            "Events/s from a committed outbox row to a committed handler, beside raw RabbitMQ publish-with-confirms and raw PostgreSQL insert rates.")
        {
            events, producers, concurrency,
        };
        command.SetAction(async (ParseResult result, CancellationToken _) =>
        {
            var ct = CliHost.TerminationToken;
            ServerLease? lease = null;
            await Terminal.Busy.RunAsync("Getting servers", async () => lease = await ServerLease.AcquireAsync(ct));
            await using (lease!)
            {
                var options = new MessagingBenchmarkOptions
                {
                    Postgres = lease!.Postgres,
                    RabbitMq = lease.RabbitMq,
                    Events = result.GetValue(events),
                    Producers = result.GetValue(producers),
                    ConsumerConcurrency = result.GetValue(concurrency),
                };
                AnsiConsole.WriteLine($"Servers: {lease.InstanceName} instance; machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}");
                var outcome = await MessagingBenchmark.RunAsync(options, new Progress<string>(step => AnsiConsole.WriteLine($"  measuring {step}...")), ct);
                Print(outcome);
                return 0;
            }
        });
        return command;
    }

    private static void Print(MessagingBenchmarkResult outcome)
    {
        var table = new Table().AddColumns("measurement", "per second").AddColumn(new TableColumn("end to end ÷ this").RightAligned());
        table.AddRow("end to end (outbox commit → relay → broker → handler commit with inbox)", Rate(outcome.EndToEndPerSecond), "");
        table.AddRow("  producer commits (business row + outbox row)", Rate(outcome.ProducerCommitsPerSecond), "");
        table.AddRow("raw RabbitMQ publish with confirms (quorum queue)", Rate(outcome.RawPublishPerSecond), $"{outcome.EndToEndToRawPublish:P0}");
        table.AddRow("raw PostgreSQL insert (one row per commit)", Rate(outcome.RawInsertPerSecond), $"{outcome.EndToEndToRawInsert:P0}");
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine($"PostgreSQL: {outcome.PostgresDurability}; settings: {outcome.Options.Producers} producers, consumer concurrency {outcome.Options.ConsumerConcurrency}, prefetch {outcome.Options.Prefetch}.");
        var aim = outcome.EndToEndToSlowerRaw >= 1.0 / 3;
        AnsiConsole.MarkupLine(
            $"End to end is {outcome.EndToEndToSlowerRaw:P0} of the slower raw rate (aim: at least 33%) [{(aim ? "green" : "red")}]{(aim ? "met" : "missed")}[/]; duplicates absorbed by the inbox: {outcome.Duplicates}.");
    }

    private static string Rate(double perSecond) => perSecond.ToString("N0");
}
