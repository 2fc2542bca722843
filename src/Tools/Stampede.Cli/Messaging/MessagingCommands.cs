using System.CommandLine;

namespace Stampede.Cli.Messaging;

/// <summary>The `dead-letters` and `bench messaging` commands (issue 3).</summary>
public static class MessagingCommands
{
    public static IEnumerable<Command> All() => [DeadLettersCommand.Create(), BenchCommand()];

    /// <summary>`bench` holding `messaging`; if another `bench` command appears, add
    /// <see cref="BenchMessagingCommand.Create"/> to it instead.</summary>
    private static Command BenchCommand()
    {
        var bench = new Command("bench", "Measure the system on this machine.");
        bench.Subcommands.Add(BenchMessagingCommand.Create());
        return bench;
    }
}
