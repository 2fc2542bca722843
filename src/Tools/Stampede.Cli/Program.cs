using System.CommandLine;
using Stampede.Cli;
using Stampede.Cli.Commands;
using Stampede.Cli.Messaging;

var root = new RootCommand("Stampede developer tool: run the system, its servers and its tests.")
{
    UpCommand.Create(),
    DownCommand.Create(),
    StatusCommand.Create(),
    TestCommand.Create(),
    ServersCommand.Create(),
};
foreach (var c in MessagingCommands.All())
{
    root.Subcommands.Add(c);
}

return await CliHost.InvokeAsync(root, args);
