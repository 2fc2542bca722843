using System.CommandLine;

namespace Stampede.Cli.Messaging;

/// <summary>The `dead-letters` and `bench messaging` commands (being written under issue 3).</summary>
public static class MessagingCommands
{
    public static IEnumerable<Command> All() => [];
}
